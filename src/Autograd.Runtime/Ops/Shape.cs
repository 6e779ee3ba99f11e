using System.Numerics;

namespace Autograd;

// Ops that move elements without changing them. Forwards return views where the layout allows, and
// each backward is the inverse move of the output gradient.
public static partial class Ops
{
    /// <summary>The elements of x in <paramref name="shape"/> (one length may be -1); gradient dy reshaped back to x's shape.</summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> Reshape<T>(this NdArray<T> x, int[] shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.Reshape(shape);
    }

    static void ReshapeBackward<T>(NdArray<T> dy, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate(dy.Reshape(dx.Shape.ToArray()));
    }

    /// <summary>
    /// x with its axes permuted (axis i of the result is axis <c>axes[i]</c> of x; reversed when
    /// <paramref name="axes"/> is null or empty); gradient dy permuted back by the inverse permutation.
    /// </summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> Transpose<T>(this NdArray<T> x, int[]? axes = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.Transpose(axes ?? []);
    }

    static void TransposeBackward<T>(NdArray<T> dy, int[]? axes, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate(dy.Transpose(InverseAxes(dx.Shape, axes)));
    }

    /// <summary>The permutation that undoes <c>Transpose(x, axes)</c> for an x of <paramref name="shape"/>.</summary>
    private static int[] InverseAxes(ReadOnlySpan<int> shape, int[]? axes)
    {
        var rank = shape.Length;
        var inverse = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            var axis = axes is not { Length: > 0 } ? rank - 1 - i : Shapes.NormalizeAxis(axes[i], rank, shape, "Transpose");
            inverse[axis] = i;
        }
        return inverse;
    }

    /// <summary>
    /// Elements <paramref name="start"/>, start + step, … before <paramref name="stop"/> along
    /// <paramref name="axis"/> (a view); gradient dy added into those positions of a zero gradient.
    /// </summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> Slice<T>(this NdArray<T> x, int axis, int start, int stop, int step = 1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.Slice(axis, start, stop, step);
    }

    static void SliceBackward<T>(NdArray<T> dy, int axis, int start, int stop, int step, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            NdArray.AddInPlace(dx.GetBuffer().Slice(axis, start, stop, step), dy);
    }

    /// <summary>
    /// x with <paramref name="source"/> added at the positions <c>Slice(x, axis, start, stop, step)</c>
    /// reads (the source has that slice's shape): what <see cref="Slice{T}(NdArray{T}, int, int, int, int)"/>'s
    /// gradient is. Gradient: dy to x, and dy sliced the same way to the source.
    /// </summary>
    /// <exception cref="ArgumentException">The source's shape differs from the slice's.</exception>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> SliceAdd<T>(this NdArray<T> x, NdArray<T> source, int axis, int start, int stop, int step = 1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(source);
        var result = x.Clone();
        var slice = result.Slice(axis, start, stop, step);
        if (!Shapes.SameShape(source.Shape, slice.Shape))
        {
            throw new ArgumentException(
                $"SliceAdd: the source has shape {ShapeText.Of(source.Shape)}, but the slice {start}:{stop}:{step} along axis {axis} of x (shape {ShapeText.Of(x.Shape)}) has shape {ShapeText.Of(slice.Shape)}.",
                nameof(source));
        }
        NdArray.AddInPlace(slice, source);
        return result;
    }

    static void SliceAddBackward<T>(NdArray<T> dy, int axis, int start, int stop, int step, GradSlot<T> dx, GradSlot<T> dsource)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        dx.Accumulate(dy);
        if (dsource.IsNeeded)
            dsource.Accumulate(dy.Slice(axis, start, stop, step));
    }

    /// <summary>x read as <paramref name="shape"/> (a stride-0 view on stretched axes); gradient dy summed over the stretched axes.</summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> BroadcastTo<T>(this NdArray<T> x, int[] shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.BroadcastTo(shape);
    }

    static void BroadcastToBackward<T>(NdArray<T> dy, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T> => dx.Accumulate(dy);

    /// <summary>x without its axis <paramref name="axis"/>, which must have length 1; gradient dy with that axis put back.</summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> Squeeze<T>(this NdArray<T> x, int axis)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.Squeeze(axis);
    }

    static void SqueezeBackward<T>(NdArray<T> dy, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate(dy.Reshape(dx.Shape.ToArray()));
    }

    /// <summary>x with a new axis of length 1 at <paramref name="axis"/> (-1 appends); gradient dy with that axis removed.</summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> Unsqueeze<T>(this NdArray<T> x, int axis)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.Unsqueeze(axis);
    }

    static void UnsqueezeBackward<T>(NdArray<T> dy, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate(dy.Reshape(dx.Shape.ToArray()));
    }
}
