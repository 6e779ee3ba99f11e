using System.Numerics;
using Autograd.Engine;

namespace Autograd;

/// <summary>
/// Derivatives of a function of one array, computed by the reverse-mode engine (PyTorch's
/// <c>torch.autograd.functional</c>, JAX's <c>jvp</c>/<c>hessian</c>). Every op the function uses
/// must be twice differentiable (<see cref="Node{T}.IsDifferentiableTwice"/>) for the second-order
/// ones (<see cref="Jvp{T}"/>, <see cref="Hvp{T}"/>, <see cref="Hessian{T}"/>); a first-order op on
/// the way throws, naming it.
/// </summary>
public static class Functional
{
    /// <summary>
    /// The Jacobian-vector product J·v of <paramref name="function"/> at <paramref name="x"/> along
    /// <paramref name="direction"/>: the forward-mode derivative. Computed by the double-backward
    /// trick: u ↦ Jᵀu is recorded once (one forward, one backward with a graph), and J·v is its
    /// gradient along v (a second backward), so it costs about three passes, not one per input.
    /// </summary>
    /// <returns>J·v, of the function's output shape.</returns>
    public static NdArray<T> Jvp<T>(Func<Variable<T>, Variable<T>> function, NdArray<T> x, NdArray<T> direction)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (input, output) = Trace(function, x, direction, nameof(Jvp));
        if (!output.RequiresGrad)
            return NdArray.Zeros<T>(output.Shape.ToArray()); // constant in x
        var cotangent = NdArray.Zeros<T>(output.Shape.ToArray()).ToVariable("u"); // the vector Jᵀ is applied to; its value does not matter (Jᵀu is linear in u)
        var vjp = BackwardEngine.Gradients(output, [input], cotangent, retainGraph: true, createGraph: true, allowUnused: true)[0];
        if (!vjp.RequiresGrad)
            return NdArray.Zeros<T>(output.Shape.ToArray()); // Jᵀu does not depend on u: J is 0
        return Variable.Gradients(Ops.Sum(vjp * direction), [cotangent], allowUnused: true)[0].Value;
    }

    /// <summary>
    /// The Hessian-vector product H·v of a scalar <paramref name="function"/> at <paramref name="x"/>:
    /// the gradient is recorded (one forward, one backward with a graph) and its vector-Jacobian
    /// product with v taken by a second backward (H is symmetric), without forming H.
    /// </summary>
    /// <returns>H·v, of <paramref name="x"/>'s shape.</returns>
    public static NdArray<T> Hvp<T>(Func<Variable<T>, Variable<T>> function, NdArray<T> x, NdArray<T> direction)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (input, gradient) = RecordedGradient(function, x, direction, nameof(Hvp));
        if (gradient is null)
            return NdArray.Zeros<T>(x.Shape.ToArray()); // the gradient does not depend on x: H is 0
        return Variable.Gradients(gradient, [input], direction, allowUnused: true)[0].Value;
    }

    /// <summary>
    /// The full Jacobian of <paramref name="function"/> at <paramref name="x"/>, of shape output shape
    /// followed by x's shape: one backward per output element, so for small outputs.
    /// </summary>
    public static NdArray<T> Jacobian<T>(Func<Variable<T>, Variable<T>> function, NdArray<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (input, output) = Trace(function, x, x, nameof(Jacobian));
        return Rows(output.RequiresGrad ? output : null, input, output.Shape);
    }

    /// <summary>
    /// The full Hessian of a scalar <paramref name="function"/> at <paramref name="x"/>, of shape x's
    /// shape twice: the gradient is recorded once, then one backward through it per element of x,
    /// so for small inputs.
    /// </summary>
    public static NdArray<T> Hessian<T>(Func<Variable<T>, Variable<T>> function, NdArray<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (input, gradient) = RecordedGradient(function, x, x, nameof(Hessian));
        return Rows(gradient, input, x.Shape);
    }

    /// <summary>
    /// The Jacobian of <paramref name="output"/> (of <paramref name="shape"/>) with respect to
    /// <paramref name="input"/>, one backward with a unit seed per row; zeros when the output is
    /// null (it does not depend on the input).
    /// </summary>
    private static NdArray<T> Rows<T>(Variable<T>? output, Variable<T> input, ReadOnlySpan<int> shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rows = Shapes.ElementCount(shape);
        var jacobian = NdArray.Zeros<T>([rows, input.Value.Length]);
        for (var row = 0; row < rows && output is not null; row++)
        {
            var seed = NdArray.Zeros<T>(rows);
            seed[row] = T.One;
            var gradient = Variable.Gradients(output, [input], seed.Reshape(shape.ToArray()), allowUnused: true)[0].Value;
            NdArray.Copy(gradient.Reshape(input.Value.Length), jacobian.Pick(0, row));
        }
        return jacobian.Reshape([.. shape, .. input.Shape]);
    }

    /// <summary>
    /// The gradient of a scalar <paramref name="function"/> at a fresh copy of <paramref name="x"/>,
    /// recorded so it can be differentiated again; null when it does not depend on x.
    /// </summary>
    private static (Variable<T> Input, Variable<T>? Gradient) RecordedGradient<T>(
        Func<Variable<T>, Variable<T>> function, NdArray<T> x, NdArray<T> direction, string method)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (input, output) = Trace(function, x, direction, method);
        if (output.Value.Length != 1)
            throw new ArgumentException($"{method}: the function returned shape {ShapeText.Of(output.Shape)}; a Hessian needs a function with one output element.", nameof(function));
        if (!output.RequiresGrad)
            return (input, null); // constant in x
        var gradient = Variable.Gradients(output, [input], createGraph: true, allowUnused: true)[0];
        return (input, gradient.RequiresGrad ? gradient : null);
    }

    /// <summary>Records <paramref name="function"/> on a fresh leaf copy of <paramref name="x"/>, after checking the direction's shape.</summary>
    private static (Variable<T> Input, Variable<T> Output) Trace<T>(Func<Variable<T>, Variable<T>> function, NdArray<T> x, NdArray<T> direction, string method)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(direction);
        if (!Shapes.SameShape(direction.Shape, x.Shape))
            throw new ArgumentException($"{method}: the direction has shape {ShapeText.Of(direction.Shape)} but x has shape {ShapeText.Of(x.Shape)}; they must match.", nameof(direction));
        if (!GradMode.IsEnabled)
            throw new InvalidOperationException($"{method}: called inside Variable.NoGrad(), where nothing is recorded to differentiate; call it outside the scope.");
        var input = x.Clone().ToVariable("x");
        var output = function(input) ?? throw new ArgumentException($"{method}: the function returned null.", nameof(function));
        return (input, output);
    }
}
