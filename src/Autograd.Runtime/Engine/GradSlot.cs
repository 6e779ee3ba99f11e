using System.Numerics;
using Autograd.Engine;

namespace Autograd;

/// <summary>
/// Where an op's backward puts the gradient of one array input. Ask <see cref="IsNeeded"/> before
/// computing it: inputs that are constants, variables that do not require grad, and inputs whose
/// gradient nobody asked for (<see cref="Variable.Gradients{T}"/> of other inputs) need nothing.
/// Handed out by <see cref="BackwardPass{T}.Slot(Node{T}, Node{T})"/>.
/// </summary>
public readonly struct GradSlot<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly BackwardPass<T>? _pass;
    private readonly Vertex<T> _node;
    private readonly int[]? _shape; // the input's; null for a constant whose shape the node did not keep
    private readonly int _entry;    // the input's place in the pass; -1 when not needed

    internal GradSlot(BackwardPass<T> pass, Vertex<T> node, int[]? shape, int entry)
    {
        _pass = pass;
        _node = node;
        _shape = shape;
        _entry = entry;
    }

    /// <summary>True when this input's gradient is wanted.</summary>
    public bool IsNeeded => _pass is not null && _entry >= 0;

    /// <summary>
    /// The input's shape: what every gradient for it is reduced to. Known whenever the slot is needed,
    /// and for every element of a variadic input; empty for another constant.
    /// </summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>
    /// Adds <paramref name="gradient"/> to the input's gradient. A gradient of a broadcast shape is
    /// summed down to the input's shape, straight into the input's gradient buffer. Does nothing when
    /// the slot is not needed. The array is not copied unless it has to be, so do not write to it afterwards.
    /// </summary>
    /// <exception cref="ArgumentException">The gradient's shape does not broadcast from the input's.</exception>
    public void Accumulate(NdArray<T> gradient)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        if (!IsNeeded)
            return;
        var shape = Shape;
        if (Shapes.SameShape(gradient.Shape, shape))
        {
            _pass!.Accumulate(_entry, gradient);
            return;
        }
        CheckReducible(gradient.Shape, shape);
        if (_pass!.CreateGraph)
        {
            _pass.Accumulate(_entry, NdArray.SumToShape(gradient, shape));
            return;
        }
        var buffer = GetBuffer(out var accumulate);
        NdArray.SumInto(gradient, buffer, accumulate, "Backward");
    }

    private void CheckReducible(ReadOnlySpan<int> gradient, ReadOnlySpan<int> input)
    {
        if (!Shapes.BroadcastsTo(input, gradient))
        {
            throw new ArgumentException(
                $"Backward of op '{_node.OpName}': a gradient of shape {ShapeText.Of(gradient)} was given for an input of shape {ShapeText.Of(input)}; " +
                "it must have the input's shape or a shape the input broadcasts to.",
                nameof(gradient));
        }
    }

    /// <summary>
    /// Adds a recorded gradient, from a backward written with variables (<see cref="Node{T}.IsDifferentiableTwice"/>):
    /// in a pass that creates a graph the sum stays recorded, otherwise its value is added. A
    /// gradient of a broadcast shape is summed down to the input's shape first, recorded too.
    /// </summary>
    /// <exception cref="ArgumentException">The gradient's shape does not broadcast from the input's.</exception>
    public void Accumulate(Variable<T> gradient)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        if (!IsNeeded)
            return;
        var shape = Shape;
        if (!Shapes.SameShape(gradient.Shape, shape))
        {
            CheckReducible(gradient.Shape, shape);
            gradient = GradientNodes.ReduceTo(gradient, shape.ToArray());
        }
        if (_pass!.CreateGraph)
            _pass.Accumulate(_entry, gradient);
        else
            _pass.Accumulate(_entry, gradient.Value);
    }

    /// <summary>
    /// The input's gradient buffer itself (contiguous, of the input's shape, zeros if nothing has
    /// arrived yet), for a backward that adds its result in place instead of allocating one. The
    /// buffer may be reused by later backward passes: do not keep it after the backward returns.
    /// </summary>
    /// <exception cref="InvalidOperationException">The slot is not needed, or the pass creates a graph.</exception>
    public NdArray<T> GetBuffer() => GetBuffer(clear: true, out _);

    /// <summary>
    /// The input's gradient buffer itself (contiguous, of the input's shape), for a backward that writes
    /// its result straight into it: <paramref name="accumulate"/> is true when gradient has already
    /// arrived, and the result must be added to the buffer; false when this is the first, and then the
    /// buffer's contents are undefined (a reused buffer) and every element must be written, not added
    /// (<c>NdArray.Multiply(dy, x, into: buffer, accumulate)</c>, likewise Add, Subtract, Divide and
    /// MatMul, write or add in one pass; or a kernel's <c>into:</c> form). The
    /// buffer may be reused by later backward passes: do not keep it after the backward returns.
    /// </summary>
    /// <exception cref="InvalidOperationException">The slot is not needed, or the pass creates a graph.</exception>
    public NdArray<T> GetBuffer(out bool accumulate) => GetBuffer(clear: false, out accumulate);

    private NdArray<T> GetBuffer(bool clear, out bool accumulate)
    {
        if (!IsNeeded)
            throw new InvalidOperationException($"Backward of op '{(_node.Exists ? _node.OpName : null)}': GetBuffer was called on a slot that is not needed; check IsNeeded first.");
        return _pass!.Buffer(_entry, clear, out accumulate);
    }
}
