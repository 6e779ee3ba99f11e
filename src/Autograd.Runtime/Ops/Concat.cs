using System.Numerics;
using Autograd.Engine;

namespace Autograd;

// Concat and stack take any number of arrays: each is an op with a variadic input (NdArray<T>[]), one
// graph input and one gradient slot per element. Their backwards hand each input its slice of dy.
public static partial class Ops
{
    /// <summary>
    /// The arrays joined along <paramref name="axis"/>; all other axes must match. Gradient: each
    /// input gets its own slice of dy along that axis. Called with variables, it records one node
    /// with an input per element; pass a constant as <c>array.ToVariable(requiresGrad: false)</c>.
    /// </summary>
    /// <exception cref="ArgumentException">No arrays, or their ranks or other axes differ.</exception>
    /// <exception cref="ArgumentNullException">The array or one of its elements is null.</exception>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> Concat<T>(NdArray<T>[] arrays, int axis = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        VariadicInput.CheckElements(arrays, nameof(Concat), nameof(arrays));
        var (shape, normalized) = ConcatShape(arrays, axis);
        var result = NdArray.Zeros<T>(shape);
        var start = 0;
        foreach (var array in arrays)
        {
            var length = array.Shape[normalized];
            NdArray.Copy(array, result.Slice(normalized, start, start + length));
            start += length;
        }
        return result;
    }

    // Each input's length along the axis comes from its slot, which knows its element's shape whether
    // it requires grad or not: nothing of the inputs is saved, so writing into one afterwards is fine.
    static void ConcatBackward<T>(NdArray<T> dy, int axis, ReadOnlySpan<GradSlot<T>> darrays)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        axis = Shapes.NormalizeAxis(axis, dy.Rank, dy.Shape, nameof(Concat));
        var start = 0;
        foreach (var slot in darrays)
        {
            var length = slot.Shape[axis];
            if (slot.IsNeeded)
                slot.Accumulate(dy.Slice(axis, start, start + length));
            start += length;
        }
    }

    static void ConcatBackward<T>(Variable<T> dy, int axis, ReadOnlySpan<GradSlot<T>> darrays)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        axis = Shapes.NormalizeAxis(axis, dy.Value.Rank, dy.Shape, nameof(Concat));
        var start = 0;
        foreach (var slot in darrays)
        {
            var length = slot.Shape[axis];
            if (slot.IsNeeded)
                slot.Accumulate(Slice(dy, axis, start, start + length));
            start += length;
        }
    }

    /// <summary>
    /// The arrays, all of one shape, stacked along a new axis <paramref name="axis"/>. Gradient: each
    /// input gets its slice of dy along that axis. Called with variables, it records one node with an
    /// input per element.
    /// </summary>
    /// <exception cref="ArgumentException">No arrays, or their shapes differ.</exception>
    /// <exception cref="ArgumentNullException">The array or one of its elements is null.</exception>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> Stack<T>(NdArray<T>[] arrays, int axis = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        VariadicInput.CheckElements(arrays, nameof(Stack), nameof(arrays));
        axis = StackAxis(Array.ConvertAll(arrays, a => a.Shape.ToArray()), axis, nameof(arrays));
        return Concat(Array.ConvertAll(arrays, a => a.Unsqueeze(axis)), axis);
    }

    static void StackBackward<T>(NdArray<T> dy, int axis, ReadOnlySpan<GradSlot<T>> darrays)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        axis = Shapes.NormalizeAxis(axis, dy.Rank, dy.Shape, nameof(Stack));
        for (var i = 0; i < darrays.Length; i++)
        {
            if (darrays[i].IsNeeded)
                darrays[i].Accumulate(dy.Pick(axis, i));
        }
    }

    static void StackBackward<T>(Variable<T> dy, int axis, ReadOnlySpan<GradSlot<T>> darrays)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        axis = Shapes.NormalizeAxis(axis, dy.Value.Rank, dy.Shape, nameof(Stack));
        for (var i = 0; i < darrays.Length; i++)
        {
            if (darrays[i].IsNeeded)
                darrays[i].Accumulate(Squeeze(Slice(dy, axis, i, i + 1), axis));
        }
    }

    /// <summary>The new axis of a stack, checked against the stacked shapes (at least one, all equal, room for one more axis) and normalized.</summary>
    private static int StackAxis(int[][] shapes, int axis, string parameterName)
    {
        if (shapes.Length == 0)
            throw new ArgumentException("Stack: no arrays were given; pass at least one.", parameterName);
        for (var i = 1; i < shapes.Length; i++)
        {
            if (!Shapes.SameShape(shapes[i], shapes[0]))
            {
                throw new ArgumentException(
                    $"Stack: array {i} has shape {ShapeText.Of(shapes[i])} but array 0 has shape {ShapeText.Of(shapes[0])}; stacked arrays must all have the same shape.",
                    parameterName);
            }
        }
        var rank = shapes[0].Length + 1;
        Shapes.CheckShape([.. shapes[0], shapes.Length], nameof(Stack)); // the stacked shape, in any order: rank and element count
        return Shapes.NormalizeAxis(axis, rank, shapes[0], nameof(Stack));
    }

    private static (int[] Shape, int Axis) ConcatShape<T>(NdArray<T>[] arrays, int axis)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (arrays.Length == 0)
            throw new ArgumentException("Concat: no arrays were given; pass at least one.", nameof(arrays));
        var first = arrays[0];
        var normalized = Shapes.NormalizeAxis(axis, first.Rank, first.Shape, nameof(Concat));
        var shape = first.Shape.ToArray();
        long joined = shape[normalized];
        for (var i = 1; i < arrays.Length; i++)
        {
            var other = arrays[i].Shape;
            var fits = other.Length == shape.Length;
            for (var a = 0; fits && a < shape.Length; a++)
                fits = a == normalized || other[a] == shape[a];
            if (!fits)
            {
                throw new ArgumentException(
                    $"Concat: array {i} has shape {ShapeText.Of(other)} but array 0 has shape {ShapeText.Of(first.Shape)}; " +
                    $"along axis {axis} they are joined, every other axis (and the rank) must match.",
                    nameof(arrays));
            }
            joined += other[normalized];
        }
        if (joined > int.MaxValue)
        {
            throw new ArgumentException(
                $"Concat: the {arrays.Length} arrays (the first of shape {ShapeText.Of(first.Shape)}) joined along axis {axis} give it length {joined}; an axis holds at most {int.MaxValue}.",
                nameof(arrays));
        }
        shape[normalized] = (int)joined;
        Shapes.CheckShape(shape, nameof(Concat));
        return (shape, normalized);
    }
}
