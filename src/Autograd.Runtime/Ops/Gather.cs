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
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> IndexSelect<T>(NdArray<T> x, int axis, int[] indices)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(indices);
        axis = CheckIndices(x, axis, indices, nameof(IndexSelect));
        var shape = x.Shape.ToArray();
        shape[axis] = indices.Length;
        var result = NdArray.Zeros<T>(shape);
        for (var i = 0; i < indices.Length; i++)
            NdArray.Copy(x.Pick(axis, indices[i]), result.Pick(axis, i));
        return result;
    }

    static void IndexSelectBackward<T>(NdArray<T> dy, int axis, int[] indices, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!dx.IsNeeded)
            return;
        AddSlicesAt(dx.GetBuffer(), dy, Shapes.NormalizeAxis(axis, dx.Shape.Length, dx.Shape, nameof(IndexSelect)), indices);
    }

    /// <summary>
    /// x with each slice i of <paramref name="source"/> along <paramref name="axis"/> added at position
    /// <c>indices[i]</c> (repeats add up): PyTorch's <c>index_add</c>, and what <see cref="IndexSelect{T}(NdArray{T}, int, int[])"/>'s
    /// gradient is. The source has x's shape with that axis of length <c>indices.Length</c>. Gradient:
    /// dy to x, and <c>IndexSelect(dy, axis, indices)</c> to the source.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range, or an index is outside [0, length of the axis).</exception>
    /// <exception cref="ArgumentException">The source's shape is not x's with the axis of length <c>indices.Length</c>.</exception>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> IndexAdd<T>(NdArray<T> x, NdArray<T> source, int axis, int[] indices)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(indices);
        axis = CheckIndices(x, axis, indices, nameof(IndexAdd));
        var expected = x.Shape.ToArray();
        expected[axis] = indices.Length;
        if (!Shapes.SameShape(source.Shape, expected))
        {
            throw new ArgumentException(
                $"IndexAdd: the source has shape {ShapeText.Of(source.Shape)}, but {indices.Length} slices of x (shape {ShapeText.Of(x.Shape)}) along axis {axis} have shape {ShapeText.Of(expected)}.",
                nameof(source));
        }
        var result = x.Clone();
        AddSlicesAt(result, source, axis, indices);
        return result;
    }

    static void IndexAddBackward<T>(NdArray<T> dy, int axis, int[] indices, GradSlot<T> dx, GradSlot<T> dsource)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        dx.Accumulate(dy);
        if (dsource.IsNeeded)
            dsource.Accumulate(IndexSelect(dy, axis, indices));
    }

    /// <summary>Normalizes the axis and checks every index lies on it, naming <paramref name="operation"/>.</summary>
    private static int CheckIndices<T>(NdArray<T> x, int axis, int[] indices, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        axis = Shapes.NormalizeAxis(axis, x.Rank, x.Shape, operation);
        var length = x.Shape[axis];
        for (var i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)length)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), indices[i],
                    $"{operation}: index {indices[i]} at position {i} is outside axis {axis} of length {length} (shape {ShapeText.Of(x.Shape)}).");
            }
        }
        return axis;
    }

    /// <summary>Adds slice i of <paramref name="source"/> into slice <c>indices[i]</c> of <paramref name="into"/>, along a normalized axis.</summary>
    private static void AddSlicesAt<T>(NdArray<T> into, NdArray<T> source, int axis, int[] indices)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var i = 0; i < indices.Length; i++)
            NdArray.AddInPlace(into.Pick(axis, indices[i]), source.Pick(axis, i));
    }
}
