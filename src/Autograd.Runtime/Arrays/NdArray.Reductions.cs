using System.Numerics;
using System.Numerics.Tensors;
using Autograd.Kernels;

namespace Autograd;

// Reductions over every element (axes: null) or over the given axes; keepDims leaves each reduced
// axis in place with length 1, so the result broadcasts against the input.
public static partial class NdArray
{
    /// <summary>The sum over <paramref name="axes"/> (every axis when null; negative axes count from the end); 0 over no elements, NaN if any element is NaN.</summary>
    /// <exception cref="ArgumentException">An axis is given twice, or is out of range (<see cref="ArgumentOutOfRangeException"/>).</exception>
    public static NdArray<T> Sum<T>(NdArray<T> x, int[]? axes = null, bool keepDims = false)
        where T : unmanaged, IFloatingPointIeee754<T> => Reduce<T, AddOperator<T>>(x, axes, keepDims, nameof(Sum));

    /// <summary>The mean over <paramref name="axes"/> (every axis when null; negative axes count from the end); NaN over zero elements or if any element is NaN.</summary>
    /// <exception cref="ArgumentException">An axis is given twice, or is out of range (<see cref="ArgumentOutOfRangeException"/>).</exception>
    public static NdArray<T> Mean<T>(NdArray<T> x, int[]? axes = null, bool keepDims = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var sum = Reduce<T, AddOperator<T>>(x, axes, keepDims, nameof(Mean));
        var count = sum.Length == 0 ? 0 : x.Length / sum.Length;
        return DivideInPlace(sum, Scalar(T.CreateChecked(count)));
    }

    /// <summary>The largest element over <paramref name="axes"/> (every axis when null); NaN if any is NaN.</summary>
    /// <exception cref="ArgumentException">A reduced axis has length 0, or an axis is given twice or out of range.</exception>
    public static NdArray<T> Max<T>(NdArray<T> x, int[]? axes = null, bool keepDims = false)
        where T : unmanaged, IFloatingPointIeee754<T> => Reduce<T, MaximumOperator<T>>(x, axes, keepDims, nameof(Max));

    /// <summary>The smallest element over <paramref name="axes"/> (every axis when null); NaN if any is NaN.</summary>
    /// <exception cref="ArgumentException">A reduced axis has length 0, or an axis is given twice or out of range.</exception>
    public static NdArray<T> Min<T>(NdArray<T> x, int[]? axes = null, bool keepDims = false)
        where T : unmanaged, IFloatingPointIeee754<T> => Reduce<T, MinimumOperator<T>>(x, axes, keepDims, nameof(Min));

    /// <summary>
    /// Sums <paramref name="x"/> down to <paramref name="shape"/>, undoing a broadcast: the adjoint
    /// of <see cref="NdArray{T}.BroadcastTo"/>, which gradients of broadcasting ops need. Returns
    /// <paramref name="x"/> itself (not a copy) when it already has that shape.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="shape"/> does not broadcast to <paramref name="x"/>'s shape.</exception>
    public static NdArray<T> SumToShape<T>(NdArray<T> x, ReadOnlySpan<int> shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        if (Shapes.SameShape(x.Shape, shape))
            return x;
        if (!Shapes.BroadcastsTo(shape, x.Shape))
            throw new ArgumentException($"SumToShape: an array of shape {ShapeText.Of(x.Shape)} cannot be summed to {ShapeText.Of(shape)}, which does not broadcast to it.", nameof(shape));
        return SumInto(x, new NdArray<T>(shape.ToArray()), accumulate: true, nameof(SumToShape));
    }

    /// <summary>
    /// Sums <paramref name="x"/> over the axes <paramref name="into"/> (whose shape broadcasts to x's)
    /// was broadcast along, straight into <paramref name="into"/>: overwriting it, or adding to it when
    /// <paramref name="accumulate"/>. Returns <paramref name="into"/>.
    /// </summary>
    internal static NdArray<T> SumInto<T>(NdArray<T> x, NdArray<T> into, bool accumulate, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var strides = Shapes.BroadcastStrides(into.Shape, into.Strides, x.Shape, operation); // stride 0 on summed axes: each element folds into its slot
        if (!accumulate)
            Fill(into, T.Zero);
        else
            BeginWrite(into, operation);
        Strided.Reduce<T, AddOperator<T>>(x.Shape, x.Data, x.Offset, x.Strides, into.Data, into.Offset, strides);
        return into;
    }

    /// <summary>
    /// The index of the largest element along <paramref name="axis"/>, one per position of the other
    /// axes, in row-major order over <paramref name="x"/>'s shape without that axis. The first wins
    /// a tie; the first NaN wins over any number; +0 counts as larger than -0.
    /// </summary>
    /// <exception cref="ArgumentException">The axis has length 0.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    public static int[] ArgMax<T>(NdArray<T> x, int axis)
        where T : unmanaged, IFloatingPointIeee754<T> => ArgReduce(x, axis, max: true, nameof(ArgMax));

    /// <summary>
    /// The index of the smallest element along <paramref name="axis"/>, one per position of the other
    /// axes, in row-major order over <paramref name="x"/>'s shape without that axis. The first wins
    /// a tie; the first NaN wins over any number; -0 counts as smaller than +0.
    /// </summary>
    /// <exception cref="ArgumentException">The axis has length 0.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    public static int[] ArgMin<T>(NdArray<T> x, int axis)
        where T : unmanaged, IFloatingPointIeee754<T> => ArgReduce(x, axis, max: false, nameof(ArgMin));

    private static int[] ArgReduce<T>(NdArray<T> x, int axis, bool max, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        axis = Shapes.NormalizeAxis(axis, x.Rank, x.Shape, operation);
        var length = x.Shape[axis];
        if (length == 0)
            throw new ArgumentException($"{operation}: cannot search axis {axis} of length 0 (shape {ShapeText.Of(x.Shape)}): there is no element to choose.", nameof(x));

        // Move the axis last, so that each search runs over one contiguous row.
        var order = new int[x.Rank];
        for (int i = 0, j = 0; i < x.Rank; i++)
        {
            if (i != axis)
                order[j++] = i;
        }
        order[^1] = axis;
        var moved = x.Transpose(order);
        var rows = moved.IsContiguous ? moved.AsReadOnlySpan() : moved.Clone().AsReadOnlySpan();
        var result = new int[x.Length / length];
        for (var row = 0; row < result.Length; row++)
        {
            var values = rows.Slice(row * length, length);
            result[row] = max ? TensorPrimitives.IndexOfMax<T>(values) : TensorPrimitives.IndexOfMin<T>(values);
        }
        return result;
    }

    private static NdArray<T> Reduce<T, TOp>(NdArray<T> x, int[]? axes, bool keepDims, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : IReduceOperator<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var mask = Shapes.AxisMask(axes, axes is null, x.Shape, operation);
        var keptShape = x.Shape.ToArray();
        for (var axis = 0; axis < keptShape.Length; axis++)
        {
            if (!mask[axis])
                continue;
            if (keptShape[axis] == 0 && TOp.Identity != T.Zero)
                throw new ArgumentException($"{operation}: cannot reduce axis {axis} of length 0 (shape {ShapeText.Of(x.Shape)}): there is no element to choose.", nameof(x));
            keptShape[axis] = 1;
        }

        Shapes.CheckShape(keptShape, operation); // an empty input can reduce to more elements than any array holds: [65536, 65536, 0] over its last axis
        var result = Full(TOp.Identity, keptShape);
        // Read the result with stride 0 on reduced axes: each element folds into its slot.
        Strided.Reduce<T, TOp>(
            x.Shape,
            x.Data, x.Offset, x.Strides,
            result.Data, 0, Shapes.BroadcastStrides(keptShape, result.Strides, x.Shape, operation));
        return keepDims ? result : result.Reshape(RemoveAxes(x.Shape, mask));
    }

    private static int[] RemoveAxes(ReadOnlySpan<int> shape, bool[] mask)
    {
        var kept = new List<int>(shape.Length);
        for (var axis = 0; axis < shape.Length; axis++)
        {
            if (!mask[axis])
                kept.Add(shape[axis]);
        }
        return [.. kept];
    }
}
