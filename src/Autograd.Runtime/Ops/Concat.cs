using System.Numerics;
using Autograd.Engine;

namespace Autograd;

// Concat and stack take any number of arrays, which a [DifferentiableOp] (fixed array parameters)
// cannot express, so they record a hand-written node: the same Node<T>/GradSlot<T> contract the
// generator emits, written out once.
public static partial class Ops
{
    /// <summary>
    /// The arrays joined along <paramref name="axis"/>; all other axes must match. Gradient: each
    /// input gets its own slice of dy along that axis.
    /// </summary>
    /// <exception cref="ArgumentException">No arrays, or their ranks or other axes differ.</exception>
    public static NdArray<T> Concat<T>(NdArray<T>[] arrays, int axis = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckElements(arrays, nameof(Concat), nameof(arrays));
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

    /// <summary>
    /// The variables' values joined along <paramref name="axis"/>, recorded; gradient: each input
    /// gets its slice of dy. Pass a constant as <c>array.ToVariable(requiresGrad: false)</c>.
    /// </summary>
    /// <exception cref="ArgumentException">No inputs, or their ranks or other axes differ.</exception>
    public static Variable<T> Concat<T>(Variable<T>[] inputs, int axis = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckElements(inputs, nameof(Concat), nameof(inputs));
        var values = new NdArray<T>[inputs.Length];
        var anyRequiresGrad = false;
        for (var i = 0; i < inputs.Length; i++)
        {
            values[i] = inputs[i].Value;
            anyRequiresGrad |= inputs[i].RequiresGrad;
        }
        var value = Concat(values, axis);
        if (!anyRequiresGrad || !GradMode.IsEnabled)
            return new Variable<T>(value, requiresGrad: false);
        return Variable<T>.FromOp(value, new ConcatNode<T>((Variable<T>[])inputs.Clone(), Shapes.NormalizeAxis(axis, value.Rank, value.Shape, nameof(Concat))));
    }

    /// <summary>
    /// The arrays, all of one shape, stacked along a new axis <paramref name="axis"/>. Gradient: each
    /// input gets its slice of dy along that axis.
    /// </summary>
    /// <exception cref="ArgumentException">No arrays, or their shapes differ.</exception>
    public static NdArray<T> Stack<T>(NdArray<T>[] arrays, int axis = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckElements(arrays, nameof(Stack), nameof(arrays));
        axis = StackAxis(Array.ConvertAll(arrays, a => a.Shape.ToArray()), axis, nameof(arrays));
        return Concat(Array.ConvertAll(arrays, a => a.Unsqueeze(axis)), axis);
    }

    /// <summary>
    /// The variables' values, all of one shape, stacked along a new axis <paramref name="axis"/>,
    /// recorded (an unsqueeze of each, then a concat); gradient: each input gets its slice of dy.
    /// </summary>
    /// <exception cref="ArgumentException">No inputs, or their shapes differ.</exception>
    public static Variable<T> Stack<T>(Variable<T>[] inputs, int axis = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckElements(inputs, nameof(Stack), nameof(inputs));
        axis = StackAxis(Array.ConvertAll(inputs, v => v.Value.Shape.ToArray()), axis, nameof(inputs));
        return Concat(Array.ConvertAll(inputs, v => Unsqueeze(v, axis)), axis);
    }

    /// <summary>Throws, naming the method and the position, when the array or one of its elements is null.</summary>
    private static void CheckElements<TItem>(TItem[] items, string operation, string parameterName)
        where TItem : class
    {
        ArgumentNullException.ThrowIfNull(items, parameterName);
        var index = Array.IndexOf(items, null);
        if (index >= 0)
            throw new ArgumentNullException(parameterName, $"{operation}: {parameterName}[{index}] is null ({items.Length} elements given); pass no null elements.");
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

    /// <summary>The graph node of a concat: hands each input its slice of the output gradient.</summary>
    private sealed class ConcatNode<T> : Node<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Variable<T>[] _inputs;
        private readonly int _axis;

        public ConcatNode(Variable<T>[] inputs, int axis)
        {
            _inputs = inputs;
            _axis = axis;
        }

        public override string OpName => "Concat";

        public override int InputCount => _inputs.Length;

        public override Variable<T>? GetInput(int index) => _inputs[index];

        protected override void Backward(NdArray<T> outputGradient, BackwardPass<T> pass)
        {
            var start = 0;
            foreach (var input in _inputs)
            {
                var length = input.Value.Shape[_axis];
                pass.Slot(this, input).Accumulate(outputGradient.Slice(_axis, start, start + length));
                start += length;
            }
        }

        protected override void ReleaseSavedState()
        {
            // Nothing saved: the inputs stay, as in every node, so the graph can be walked.
        }
    }
}
