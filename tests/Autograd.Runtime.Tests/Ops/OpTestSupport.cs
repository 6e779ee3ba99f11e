using System.Numerics;

namespace Autograd.Runtime.Tests.Ops;

/// <summary>Inputs in every layout, naive references written with plain loops, and comparisons.</summary>
internal static class OpTestSupport
{
    /// <summary>The tolerance for comparing <typeparamref name="T"/> results with a double reference.</summary>
    public static double Tolerance<T>() => typeof(T) == typeof(float) ? 2e-5 : 1e-12;

    /// <summary>Uniform values in [low, high) of <paramref name="shape"/>, as doubles.</summary>
    public static NdArray<double> Uniform(int seed, double low, double high, params int[] shape) =>
        NdArray.RandomUniform(seed, low, high, shape);

    /// <summary>Values in [low, high) whose magnitude stays at least <paramref name="gap"/> away from 0 (for kinks at zero).</summary>
    public static NdArray<double> AwayFromZero(int seed, double high, double gap, params int[] shape)
    {
        var random = new Random(seed);
        var data = new double[Shapes(shape)];
        for (var i = 0; i < data.Length; i++)
            data[i] = (random.Next(2) == 0 ? -1 : 1) * (gap + (high - gap) * random.NextDouble());
        return NdArray.Create(data, shape);
    }

    /// <summary>The same array converted to <typeparamref name="T"/>.</summary>
    public static NdArray<T> Cast<T>(NdArray<double> source)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        NdArray.Create(Array.ConvertAll(source.ToArray(), T.CreateChecked), source.Shape.ToArray());

    /// <summary>The values rounded through <typeparamref name="T"/>, so a reference sees exactly what the op saw.</summary>
    public static NdArray<double> Rounded<T>(NdArray<double> source)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        NdArray.Create(Doubles(Cast<T>(source)), source.Shape.ToArray());

    public static double[] Doubles<T>(NdArray<T> array)
        where T : unmanaged, IFloatingPointIeee754<T> => Array.ConvertAll(array.ToArray(), double.CreateChecked);

    public static int Shapes(ReadOnlySpan<int> shape)
    {
        var count = 1;
        foreach (var length in shape)
            count *= length;
        return count;
    }

    /// <summary>The names of <see cref="Layout{T}"/>'s layouts.</summary>
    public static readonly string[] Layouts = ["contiguous", "transposed", "sliced"];

    /// <summary>Every reduction over no, one, several and all-permuted axes of a [2, 3, 4] input, with and without keepDims, in each layout.</summary>
    public static IEnumerable<TestCaseData> ReductionCases() =>
        from name in new[] { "Sum", "Mean", "Max", "Min" }
        from axes in new[] { null, "0", "1", "-1", "0,2", "2,0,1" }
        from keepDims in new[] { false, true }
        from layout in Layouts
        select new TestCaseData(name, axes, keepDims, layout);

    /// <summary>
    /// An array with the same shape and values as <paramref name="source"/>, laid out as
    /// <paramref name="layout"/>: a contiguous copy, a transposed view of a buffer in reversed axis
    /// order, or a step-2 slice of a buffer twice as long on axis 0 (with garbage in between).
    /// </summary>
    public static NdArray<T> Layout<T>(NdArray<T> source, string layout)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shape = source.Shape.ToArray();
        switch (layout)
        {
            case "contiguous":
                return source.Clone();
            case "transposed" when source.Rank >= 2:
                return source.Transpose().Clone().Transpose();
            case "sliced" when source.Rank >= 1:
                var wide = (int[])shape.Clone();
                wide[0] = 2 * shape[0];
                var buffer = NdArray.Full(T.CreateChecked(12345), wide);
                var slice = buffer.Slice(0, 0, wide[0], 2);
                NdArray.Copy(source, slice);
                return slice;
            default:
                return source.Clone();
        }
    }

    /// <summary>The numpy broadcast of two shapes, computed independently of the library.</summary>
    public static int[] BroadcastShape(int[] a, int[] b)
    {
        var rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            var x = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            var y = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (x != y && x != 1 && y != 1)
                throw new ArgumentException("not broadcastable");
            result[i] = Math.Max(x, y) == 0 || Math.Min(x, y) == 0 ? 0 : Math.Max(x, y);
        }
        return result;
    }

    /// <summary>Every multi-index of <paramref name="shape"/>, row-major.</summary>
    public static IEnumerable<int[]> Indices(int[] shape)
    {
        var count = Shapes(shape);
        for (var flat = 0; flat < count; flat++)
        {
            var index = new int[shape.Length];
            var rest = flat;
            for (var axis = shape.Length - 1; axis >= 0; axis--)
            {
                index[axis] = rest % shape[axis];
                rest /= shape[axis];
            }
            yield return index;
        }
    }

    /// <summary>Reads a row-major buffer of <paramref name="shape"/> at a (right-aligned, broadcast) multi-index of a larger shape.</summary>
    public static double At(double[] data, int[] shape, int[] index)
    {
        var flat = 0;
        var lead = index.Length - shape.Length;
        for (var axis = 0; axis < shape.Length; axis++)
            flat = flat * shape[axis] + (shape[axis] == 1 ? 0 : index[lead + axis]);
        return data[flat];
    }

    /// <summary>f(a, b) over the broadcast shape, by plain loops.</summary>
    public static (double[] Values, int[] Shape) Elementwise(NdArray<double> a, NdArray<double> b, Func<double, double, double> f)
    {
        int[] sa = a.Shape.ToArray(), sb = b.Shape.ToArray();
        var shape = BroadcastShape(sa, sb);
        double[] da = a.ToArray(), db = b.ToArray();
        return (Indices(shape).Select(i => f(At(da, sa, i), At(db, sb, i))).ToArray(), shape);
    }

    /// <summary>Asserts shape and values, comparing relatively for large values.</summary>
    public static void AssertValues<T>(NdArray<T> actual, double[] expected, int[] shape, double? tolerance = null, string? message = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var tol = tolerance ?? Tolerance<T>();
        Assert.That(actual.Shape.ToArray(), Is.EqualTo(shape), message);
        var values = Doubles(actual);
        for (var i = 0; i < expected.Length; i++)
        {
            if (double.IsNaN(expected[i]))
            {
                Assert.That(values[i], Is.NaN, $"{message} element {i}");
                continue;
            }
            Assert.That(values[i], Is.EqualTo(expected[i]).Within(tol * Math.Max(1, Math.Abs(expected[i]))), $"{message} element {i}");
        }
    }

    /// <summary>Random broadcast-compatible shape pairs (rank 0-4, some axes 1 on either side), seeded.</summary>
    public static (int[] A, int[] B) BroadcastPair(int seed)
    {
        var random = new Random(seed);
        var rank = random.Next(0, 5);
        var full = Enumerable.Range(0, rank).Select(_ => random.Next(1, 4)).ToArray();
        int[] Shrink()
        {
            var dropped = random.Next(0, rank + 1);
            return full.Skip(random.Next(0, 3) == 0 ? dropped : 0).Select(n => random.Next(3) == 0 ? 1 : n).ToArray();
        }
        return (Shrink(), Shrink());
    }

    /// <summary>Seeds 0..count-1, for TestCaseSource.</summary>
    public static IEnumerable<int> Seeds(int count) => Enumerable.Range(0, count);
}

/// <summary>
/// Strided inputs for gradient checks. GradCheck hands the function fresh contiguous leaves, so a
/// strided layout is made inside the function by a view op: the leaf holds the values transposed (and
/// the function transposes them back) or spread over every other row (and the function slices them out).
/// The op under test then reads a strided view, and its gradient flows back through the view op.
/// </summary>
internal static class StridedInputs
{
    /// <summary>The leaf to give GradCheck for a logical input in <paramref name="layout"/>.</summary>
    public static NdArray<double> Leaf(NdArray<double> logical, string layout, int seed = 99)
    {
        switch (layout)
        {
            case "transposed" when logical.Rank >= 2:
                return logical.Transpose().Clone();
            case "sliced" when logical.Rank >= 1:
                var shape = logical.Shape.ToArray();
                shape[0] *= 2;
                var leaf = NdArray.RandomNormal<double>(seed, shape);
                NdArray.Copy(logical, leaf.Slice(0, 0, shape[0], 2));
                return leaf;
            default:
                return logical.Clone();
        }
    }

    /// <summary>The view op that turns the leaf of <see cref="Leaf"/> back into the logical input.</summary>
    public static Variable<double> View(Variable<double> leaf, string layout) => layout switch
    {
        "transposed" when leaf.Value.Rank >= 2 => Autograd.Ops.Transpose(leaf),
        "sliced" when leaf.Value.Rank >= 1 => Autograd.Ops.Slice(leaf, 0, 0, leaf.Value.Shape[0], 2),
        _ => leaf,
    };
}
