using System.Numerics;

namespace Autograd.Runtime.Tests.Arrays;

[TestFixture(typeof(float))]
[TestFixture(typeof(double))]
public class ReductionTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public enum ReduceOp { Sum, Mean, Max, Min }

    private static readonly Layout[] AllLayouts = Layouts.All;

    private static NdArray<T> Run(ReduceOp op, NdArray<T> x, int[]? axes, bool keepDims) => op switch
    {
        ReduceOp.Sum => NdArray.Sum(x, axes, keepDims),
        ReduceOp.Mean => NdArray.Mean(x, axes, keepDims),
        ReduceOp.Max => NdArray.Max(x, axes, keepDims),
        ReduceOp.Min => NdArray.Min(x, axes, keepDims),
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    /// <summary>Reduces by visiting every input index and folding it into the output index it maps to.</summary>
    private static double[] Expected(ReduceOp op, NdArray<T> x, int[]? axes, bool keepDims, out int[] shape)
    {
        var inputShape = x.Shape.ToArray();
        var rank = inputShape.Length;
        var reduced = new bool[rank];
        foreach (var axis in axes ?? Enumerable.Range(0, rank).ToArray())
            reduced[(axis + rank) % rank] = true;
        var kept = inputShape.Select((n, axis) => reduced[axis] ? 1 : n).ToArray();
        var sums = new double[Reference.Count(kept)];
        var counts = new int[sums.Length];
        Array.Fill(sums, op switch { ReduceOp.Max => double.NegativeInfinity, ReduceOp.Min => double.PositiveInfinity, _ => 0.0 });
        foreach (var index in Reference.Indices(inputShape))
        {
            var slot = Reference.Flatten([.. index.Select((i, axis) => reduced[axis] ? 0 : i)], kept);
            var value = Reference.At(x, index);
            sums[slot] = op switch
            {
                ReduceOp.Max => double.IsNaN(value) || double.IsNaN(sums[slot]) ? double.NaN : Math.Max(sums[slot], value),
                ReduceOp.Min => double.IsNaN(value) || double.IsNaN(sums[slot]) ? double.NaN : Math.Min(sums[slot], value),
                _ => sums[slot] + value,
            };
            counts[slot]++;
        }
        if (op == ReduceOp.Mean)
        {
            for (var i = 0; i < sums.Length; i++)
                sums[i] /= counts[i];
        }
        shape = keepDims ? kept : [.. inputShape.Where((_, axis) => !reduced[axis])];
        return sums;
    }

    private static readonly int[]?[] AxisSets = [null, [0], [1], [-1], [0, 2], [2, -3], [0, 1, 2], []];

    [Test]
    public void Reductions_match_the_reference_over_any_axes_and_layout(
        [Values] ReduceOp op,
        [ValueSource(nameof(AxisSets))] int[]? axes,
        [Values] bool keepDims,
        [ValueSource(nameof(AllLayouts))] Layout layout)
    {
        // 33 on the last axis: more than one vector with a tail.
        var x = Layouts.Make<T>(layout, [3, 4, 33], new Random((int)op + 10 * (int)layout));
        var expected = Expected(op, x, axes, keepDims, out var shape);

        // Summation order differs from the reference's; allow for float's rounding over ~400 terms.
        Reference.AssertClose(Run(op, x, axes, keepDims), shape, expected, typeof(T) == typeof(float) ? 1e-4 : 1e-12);
    }

    [Test]
    public void Reductions_whose_result_crosses_the_input_beyond_one_tile([Values] ReduceOp op, [Values(0, 1, 2)] int axis)
    {
        var x = Reference.Random<T>([40, 3, 50], new Random(50 + axis)).Transpose(2, 1, 0);
        foreach (var axes in new[] { new[] { axis }, [] })
        {
            var expected = Expected(op, x, axes, keepDims: false, out var shape);
            Reference.AssertClose(Run(op, x, axes, false), shape, expected, typeof(T) == typeof(float) ? 1e-4 : 1e-12);
        }
    }

    [Test]
    public void Reductions_of_rank_zero_and_of_single_axes([Values] ReduceOp op)
    {
        var scalar = NdArray.Scalar(T.CreateChecked(-2.5));
        Reference.AssertClose(Run(op, scalar, null, false), [], [-2.5]);
        Reference.AssertClose(Run(op, scalar, null, true), [], [-2.5]);

        var vector = Layouts.Make<T>(Layout.Reversed, [1000], new Random(3));
        var expected = Expected(op, vector, [0], false, out var shape);
        Reference.AssertClose(Run(op, vector, [0], false), shape, expected, typeof(T) == typeof(float) ? 1e-4 : 1e-12);
    }

    [Test]
    public void Sum_and_Mean_over_an_empty_axis_give_zero_and_NaN_but_Max_and_Min_refuse()
    {
        var empty = NdArray.Zeros<T>(3, 0);

        Reference.AssertClose(NdArray.Sum(empty, [1]), [3], [0, 0, 0]);
        Reference.AssertClose(NdArray.Sum(empty), [], [0]);
        Reference.AssertClose(NdArray.Mean(empty, [1], keepDims: true), [3, 1], [double.NaN, double.NaN, double.NaN]);
        Reference.AssertClose(NdArray.Sum(empty, [0]), [0], []);
        Reference.AssertClose(NdArray.Max(empty, [0]), [0], []);
        Assert.Throws<ArgumentException>(() => NdArray.Max(empty, [1]));
        Assert.Throws<ArgumentException>(() => NdArray.Min(empty));
    }

    [Test]
    public void Max_and_Min_propagate_NaN_on_every_path([Values] bool contiguous, [Values(0, 1)] int axis)
    {
        var x = Reference.Build<T>([3, 20], i => i == 25 ? double.NaN : i);
        var input = contiguous ? x : x.Slice(1, 19, -1, -1);

        var max = Reference.Read(NdArray.Max(input, [axis]));
        var min = Reference.Read(NdArray.Min(input, [axis]));

        Assert.That(max.Count(double.IsNaN), Is.EqualTo(1));
        Assert.That(min.Count(double.IsNaN), Is.EqualTo(1));
        Assert.That(T.IsNaN(NdArray.Max(input).ToScalar()), Is.True);
    }

    private static readonly int[][][] SumToShapeCases =
    [
        [[2, 3], [2, 3]],
        [[2, 3], [3]],
        [[2, 3], [1, 3]],
        [[2, 3], [2, 1]],
        [[2, 3], []],
        [[4, 2, 3], [2, 1]],
        [[4, 1, 3], [1, 1, 3]],
        [[2, 0], [1, 0]],
        [[2, 0], [2, 1]],
    ];

    [Test]
    public void SumToShape_sums_the_broadcast_axes_away([ValueSource(nameof(SumToShapeCases))] int[][] shapes)
    {
        int[] from = shapes[0], to = shapes[1];
        var x = Layouts.Make<T>(Layout.Transposed, from, new Random(from.Length));

        var sum = NdArray.SumToShape(x, to);

        var expected = new double[Reference.Count(to)];
        foreach (var index in Reference.Indices(from))
            expected[Reference.Flatten(Reference.Project(index, to), to)] += Reference.At(x, index);
        Reference.AssertClose(sum, to, expected);
    }

    [Test]
    public void ArgMax_and_ArgMin_pick_the_first_extreme_along_the_axis(
        [Values(0, 1, -1)] int axis,
        [ValueSource(nameof(AllLayouts))] Layout layout)
    {
        var x = Layouts.Make<T>(layout, [4, 5, 6], new Random(20 + axis));
        var shape = new[] { 4, 5, 6 };
        var a = (axis + 3) % 3;
        var rest = shape.Where((_, i) => i != a).ToArray();

        var argMax = NdArray.ArgMax(x, axis);
        var argMin = NdArray.ArgMin(x, axis);

        Assert.That(argMax, Has.Length.EqualTo(Reference.Count(rest)));
        foreach (var outer in Reference.Indices(rest))
        {
            var line = Enumerable.Range(0, shape[a]).Select(i => Reference.At(x, [.. outer[..a], i, .. outer[a..]])).ToList();
            var slot = Reference.Flatten(outer, rest);
            Assert.That(argMax[slot], Is.EqualTo(line.IndexOf(line.Max())));
            Assert.That(argMin[slot], Is.EqualTo(line.IndexOf(line.Min())));
        }
    }

    [Test]
    public void ArgMax_and_ArgMin_break_ties_by_first_index_and_prefer_NaN()
    {
        var ties = Reference.Build<T>([2, 4], i => new[] { 1, 3, 3, 0, 2, 0, 0, 2 }[i]);
        Assert.That(NdArray.ArgMax(ties, 1), Is.EqualTo(new[] { 1, 0 }));
        Assert.That(NdArray.ArgMin(ties, 1), Is.EqualTo(new[] { 3, 1 }));
        Assert.That(NdArray.ArgMax(ties, 0), Is.EqualTo(new[] { 1, 0, 0, 1 }));

        var nan = Reference.Build<T>([5], i => i == 3 ? double.NaN : i);
        Assert.That(NdArray.ArgMax(nan, 0), Is.EqualTo(new[] { 3 }));
        Assert.That(NdArray.ArgMin(nan, 0), Is.EqualTo(new[] { 3 }));
    }
}
