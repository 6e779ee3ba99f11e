using System.Numerics;

namespace Autograd;

// Gathering along an axis, the batching op: x[indices] along one axis, with repeats allowed. Its
// backward scatters dy back, adding where an index repeats.
public static partial class Ops
{
    /// <summary>
    /// The slices of x at <paramref name="indices"/> along <paramref name="axis"/>, in that order
    /// (repeats allowed; -1 is the last axis): the result has x's shape with that axis of length
    /// <c>indices.Length</c>. Gradient: each slice of dy added into position <c>indices[i]</c> of a
    /// zero gradient, so a repeated index receives the sum of its slices.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range, or an index is outside [0, length of the axis).</exception>
    [DifferentiableOp]
    public static NdArray<T> IndexSelect<T>(NdArray<T> x, int axis, int[] indices)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(indices);
        axis = Shapes.NormalizeAxis(axis, x.Rank, x.Shape, nameof(IndexSelect));
        var length = x.Shape[axis];
        for (var i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)length)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), indices[i],
                    $"IndexSelect: index {indices[i]} at position {i} is outside axis {axis} of length {length} (shape {ShapeText.Of(x.Shape)}).");
            }
        }
        var shape = x.Shape.ToArray();
        shape[axis] = indices.Length;
        var result = NdArray.Zeros<T>(shape);
        for (var i = 0; i < indices.Length; i++)
            NdArray.Copy(x.Pick(axis, indices[i]), result.Pick(axis, i));
        return result;
    }

    static void IndexSelectBackward<T>(NdArray<T> dy, NdArray<T> x, int axis, int[] indices, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!dx.IsNeeded)
            return;
        axis = Shapes.NormalizeAxis(axis, x.Rank, x.Shape, nameof(IndexSelect));
        var gradient = dx.GetBuffer();
        for (var i = 0; i < indices.Length; i++)
            NdArray.AddInPlace(gradient.Pick(axis, indices[i]), dy.Pick(axis, i));
    }
}
