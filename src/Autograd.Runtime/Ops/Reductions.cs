using System.Numerics;

namespace Autograd;

// Reductions over every element (axes: null) or the given axes. Each backward reshapes the output
// gradient to the keep-dims shape, so it broadcasts back over the reduced axes.
public static partial class Ops
{
    /// <summary>The sum over <paramref name="axes"/> (every axis when null); gradient dy broadcast back over the reduced axes.</summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> Sum<T>(this NdArray<T> x, int[]? axes = null, bool keepDims = false)
        where T : unmanaged, IFloatingPointIeee754<T> => NdArray.Sum(x, axes, keepDims);

    static void SumBackward<T>(NdArray<T> dy, int[]? axes, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate(KeepDims(dy, dx.Shape, axes, "Sum").BroadcastTo(dx.Shape.ToArray()));
    }

    /// <summary>The mean over <paramref name="axes"/> (every axis when null); gradient dy / n broadcast back, n the count of elements averaged.</summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> Mean<T>(this NdArray<T> x, int[]? axes = null, bool keepDims = false)
        where T : unmanaged, IFloatingPointIeee754<T> => NdArray.Mean(x, axes, keepDims);

    static void MeanBackward<T>(NdArray<T> dy, int[]? axes, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!dx.IsNeeded)
            return;
        var count = dy.Length == 0 ? 1 : Shapes.ElementCount(dx.Shape) / dy.Length;
        var scaled = NdArray.Divide(KeepDims(dy, dx.Shape, axes, "Mean"), T.CreateChecked(count));
        dx.Accumulate(scaled.BroadcastTo(dx.Shape.ToArray()));
    }

    /// <summary>
    /// The largest element over <paramref name="axes"/> (every axis when null); gradient dy to the
    /// winning element, split equally among elements that tie for the maximum. A NaN wins: the
    /// result is NaN and the gradient goes to the NaN elements.
    /// </summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> Max<T>(this NdArray<T> x, int[]? axes = null, bool keepDims = false)
        where T : unmanaged, IFloatingPointIeee754<T> => NdArray.Max(x, axes, keepDims);

    static void MaxBackward<T>(NdArray<T> dy, NdArray<T> x, int[]? axes, NdArray<T> output, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate(RouteToWinners(dy, x, axes, output, "Max"));
    }

    /// <summary>
    /// The smallest element over <paramref name="axes"/> (every axis when null); gradient dy to the
    /// winning element, split equally among elements that tie for the minimum. A NaN wins: the
    /// result is NaN and the gradient goes to the NaN elements.
    /// </summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> Min<T>(this NdArray<T> x, int[]? axes = null, bool keepDims = false)
        where T : unmanaged, IFloatingPointIeee754<T> => NdArray.Min(x, axes, keepDims);

    static void MinBackward<T>(NdArray<T> dy, NdArray<T> x, int[]? axes, NdArray<T> output, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate(RouteToWinners(dy, x, axes, output, "Min"));
    }

    /// <summary>An array of a reduction's result (with or without kept dims) read in the keep-dims shape of an array of <paramref name="shape"/>.</summary>
    private static NdArray<T> KeepDims<T>(NdArray<T> reduced, ReadOnlySpan<int> shape, int[]? axes, string operation)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        reduced.Reshape(OpKernels.KeptShape(shape, axes, operation));

    /// <summary>dy spread over the elements equal to the reduction's result, each winner of a group getting dy / (winners in it).</summary>
    private static NdArray<T> RouteToWinners<T>(NdArray<T> dy, NdArray<T> x, int[]? axes, NdArray<T> output, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (winners, counts) = Winners(x, axes, output, operation);
        return OpKernels.Gate(NdArray.Divide(KeepDims(dy, x.Shape, axes, operation), counts), winners, operation);
    }

    /// <summary>1 at the elements of x equal to the reduction's result, else 0; and how many won in each group (keep-dims shape).</summary>
    private static (NdArray<T> Winners, NdArray<T> Counts) Winners<T>(NdArray<T> x, int[]? axes, NdArray<T> output, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var winners = OpKernels.Map<T, EqualMask<T>>(x, KeepDims(output, x.Shape, axes, operation), operation);
        return (winners, NdArray.Sum(winners, axes, keepDims: true));
    }

    /// <summary>1 where the elements are equal or both NaN (a NaN result is won by the NaN elements), else 0.</summary>
    private readonly struct EqualMask<T> : IElementFunction2<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Invoke(T x, T y) => x == y || (T.IsNaN(x) && T.IsNaN(y)) ? T.One : T.Zero;
    }
}
