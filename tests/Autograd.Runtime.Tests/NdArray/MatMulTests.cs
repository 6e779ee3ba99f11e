using System.Numerics;

namespace Autograd.Runtime.Tests.Arrays;

[TestFixture(typeof(float))]
[TestFixture(typeof(double))]
public class MatMulTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly Layout[] AllLayouts = Layouts.All;

    /// <summary>numpy matmul by definition: promote vectors, broadcast batches, triple loop, drop promoted axes.</summary>
    private static double[] Expected(NdArray<T> a, NdArray<T> b, out int[] shape)
    {
        int[] sa = a.Shape.ToArray(), sb = b.Shape.ToArray();
        var ma = sa.Length == 1 ? [1, sa[0]] : sa;
        var mb = sb.Length == 1 ? [sb[0], 1] : sb;
        int m = ma[^2], k = ma[^1], n = mb[^1];
        var batch = Reference.BroadcastShape(ma[..^2], mb[..^2])!;
        var result = new List<double>();
        foreach (var bi in Reference.Indices(batch))
        {
            var ia = Reference.Project(bi, ma[..^2]);
            var ib = Reference.Project(bi, mb[..^2]);
            for (var i = 0; i < m; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    var sum = 0.0;
                    for (var p = 0; p < k; p++)
                    {
                        int[] indexA = sa.Length == 1 ? [p] : [.. ia, i, p];
                        int[] indexB = sb.Length == 1 ? [p] : [.. ib, p, j];
                        sum += Reference.At(a, indexA) * Reference.At(b, indexB);
                    }
                    result.Add(sum);
                }
            }
        }
        shape = [.. batch, .. sa.Length == 1 ? Array.Empty<int>() : [m], .. sb.Length == 1 ? Array.Empty<int>() : [n]];
        return [.. result];
    }

    private static double Tolerance(int k) => typeof(T) == typeof(float) ? 1e-5 * Math.Max(k, 4) : 1e-13 * Math.Max(k, 4);

    [Test]
    public void Matrix_times_matrix_for_sizes_around_the_vector_and_row_blocks(
        [Values(1, 3, 4, 5, 9)] int m,
        [Values(0, 1, 7)] int k,
        [Values(1, 2, 8, 16, 17, 33)] int n)
    {
        var random = new Random(m * 1000 + k * 100 + n);
        var a = Reference.Random<T>([m, k], random);
        var b = Reference.Random<T>([k, n], random);

        Reference.AssertClose(NdArray.MatMul(a, b), [m, n], Expected(a, b, out _), Tolerance(k));
    }

    [Test]
    public void Larger_products_match([Values(31, 64)] int size)
    {
        var random = new Random(size);
        var a = Reference.Random<T>([size, size + 3], random);
        var b = Reference.Random<T>([size + 3, size - 1], random);

        Reference.AssertClose(NdArray.MatMul(a, b), [size, size - 1], Expected(a, b, out _), Tolerance(size));
    }

    [Test]
    public void Strided_operands_give_the_same_product(
        [ValueSource(nameof(AllLayouts))] Layout layoutA,
        [ValueSource(nameof(AllLayouts))] Layout layoutB)
    {
        var random = new Random(HashCode.Combine(layoutA, layoutB));
        var a = Layouts.Make<T>(layoutA, [6, 5], random);
        var b = Layouts.Make<T>(layoutB, [5, 18], random);

        Reference.AssertClose(NdArray.MatMul(a, b), [6, 18], Expected(a, b, out _), Tolerance(5));
    }

    private static readonly int[][][] ShapeCases =
    [
        [[5], [5]],
        [[4, 5], [5]],
        [[5], [5, 19]],
        [[3, 4, 5], [5, 17]],
        [[4, 5], [3, 5, 17]],
        [[2, 1, 4, 5], [3, 5, 6]],
        [[2, 3, 4, 5], [1, 3, 5, 2]],
        [[3, 4, 5], [5]],
        [[5], [2, 5, 17]],
        [[0, 4, 5], [5, 3]],
        [[2, 0, 5], [5, 3]],
    ];

    [Test]
    public void Vectors_and_batches_follow_numpy_matmul(
        [ValueSource(nameof(ShapeCases))] int[][] shapes,
        [Values(Layout.Contiguous, Layout.Transposed, Layout.Broadcast)] Layout layout)
    {
        var random = new Random(shapes[0].Sum() + 10 * shapes[1].Sum());
        var a = Layouts.Make<T>(layout, shapes[0], random);
        var b = Layouts.Make<T>(Layout.Stepped, shapes[1], random);

        var expected = Expected(a, b, out var shape);
        Reference.AssertClose(NdArray.MatMul(a, b), shape, expected, Tolerance(5));
    }

    [Test]
    public void Into_may_be_strided_and_may_be_an_operand()
    {
        var random = new Random(1);
        var a = Reference.Random<T>([2, 6, 6], random);
        var b = Reference.Random<T>([6, 6], random);
        var expected = Expected(a, b, out var shape);

        var strided = Layouts.Make<T>(Layout.Transposed, [2, 6, 6], random);
        Assert.That(NdArray.MatMul(a, b, strided), Is.SameAs(strided));
        Reference.AssertClose(strided, shape, expected, Tolerance(6));

        Assert.That(NdArray.MatMul(a, b, a), Is.SameAs(a));
        Reference.AssertClose(a, shape, expected, Tolerance(6));
    }

    [Test]
    public void NaN_propagates_to_its_row_and_column()
    {
        var a = Reference.Build<T>([3, 2], i => i == 2 ? double.NaN : 1);
        var b = Reference.Build<T>([2, 20], _ => 1);

        var c = NdArray.MatMul(a, b);

        foreach (var index in Reference.Indices([3, 20]))
            Assert.That(double.IsNaN(Reference.At(c, index)), Is.EqualTo(index[0] == 1), $"element {string.Join(",", index)}");
    }
}
