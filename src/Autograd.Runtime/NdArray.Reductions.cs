using System.Numerics;
using Autograd.Kernels;

namespace Autograd;

// Reductions over every element (axes: null) or over the given axes; keepDims leaves each reduced
// axis in place with length 1, so the result broadcasts against the input.
public static partial class NdArray
{
    /// <summary>The sum over <paramref name="axes"/> (every axis when null).</summary>
    public static NdArray<T> Sum<T>(NdArray<T> x, int[]? axes = null, bool keepDims = false)
        where T : unmanaged, IFloatingPointIeee754<T> => Reduce<T, AddOperator<T>>(x, axes, keepDims, nameof(Sum));

    /// <summary>The mean over <paramref name="axes"/> (every axis when null); NaN over zero elements.</summary>
    public static NdArray<T> Mean<T>(NdArray<T> x, int[]? axes = null, bool keepDims = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var sum = Reduce<T, AddOperator<T>>(x, axes, keepDims, nameof(Mean));
        var count = sum.Length == 0 ? 0 : x.Length / sum.Length;
        return DivideInPlace(sum, Scalar(T.CreateChecked(count)));
    }

    /// <summary>The largest element over <paramref name="axes"/> (every axis when null); NaN if any is NaN.</summary>
    /// <exception cref="ArgumentException">A reduced axis has length 0.</exception>
    public static NdArray<T> Max<T>(NdArray<T> x, int[]? axes = null, bool keepDims = false)
        where T : unmanaged, IFloatingPointIeee754<T> => Reduce<T, MaximumOperator<T>>(x, axes, keepDims, nameof(Max));

    /// <summary>The smallest element over <paramref name="axes"/> (every axis when null); NaN if any is NaN.</summary>
    /// <exception cref="ArgumentException">A reduced axis has length 0.</exception>
    public static NdArray<T> Min<T>(NdArray<T> x, int[]? axes = null, bool keepDims = false)
        where T : unmanaged, IFloatingPointIeee754<T> => Reduce<T, MinimumOperator<T>>(x, axes, keepDims, nameof(Min));

    /// <summary>
    /// Sums <paramref name="x"/> down to <paramref name="shape"/>, undoing a broadcast: the adjoint
    /// of <see cref="NdArray{T}.BroadcastTo"/>, which gradients of broadcasting ops need.
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
        var lead = x.Rank - shape.Length;
        var axes = new List<int>();
        for (var axis = 0; axis < x.Rank; axis++)
        {
            if (axis < lead || (shape[axis - lead] == 1 && x.Shape[axis] != 1))
                axes.Add(axis);
        }
        return Sum(x, [.. axes], keepDims: true).Reshape(shape.ToArray());
    }

    private static NdArray<T> Reduce<T, TOp>(NdArray<T> x, int[]? axes, bool keepDims, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : IReduceOperator<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var mask = Shapes.AxisMask(axes, axes is null, x.Rank, operation);
        var keptShape = x.Shape.ToArray();
        for (var axis = 0; axis < keptShape.Length; axis++)
        {
            if (!mask[axis])
                continue;
            if (keptShape[axis] == 0 && TOp.Identity != T.Zero)
                throw new ArgumentException($"{operation}: cannot reduce axis {axis} of length 0 (shape {ShapeText.Of(x.Shape)}): there is no element to choose.", nameof(x));
            keptShape[axis] = 1;
        }

        var result = Full(TOp.Identity, keptShape);
        if (x.IsContiguous && Array.TrueForAll(mask, reduced => reduced) && x.Length > 0)
        {
            result.Data[0] = TOp.Aggregate(x.AsSpan());
        }
        else
        {
            // Read the result with stride 0 on reduced axes: each element folds into its slot.
            var resultStrides = Shapes.BroadcastStrides(keptShape, result.Strides, x.Shape, operation);
            Strided.Binary<T, TOp>(
                x.Shape,
                result.Data, 0, resultStrides,
                x.Data, x.Offset, x.Strides,
                result.Data, 0, resultStrides);
        }
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
