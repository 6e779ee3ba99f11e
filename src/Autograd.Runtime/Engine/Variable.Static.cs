using System.Numerics;
using Autograd.Engine;

namespace Autograd;

/// <summary>Creates variables and controls recording: the seed's <c>variable</c> and <c>isvariable</c>.</summary>
public static class Variable
{
    /// <summary>A leaf variable holding <paramref name="value"/> (not copied), optionally named.</summary>
    public static Variable<T> Create<T>(NdArray<T> value, string? name = null, bool requiresGrad = true)
        where T : unmanaged, IFloatingPointIeee754<T> => new(value, name, requiresGrad);

    /// <summary>A leaf variable holding <paramref name="value"/> (not copied), optionally named.</summary>
    public static Variable<T> ToVariable<T>(this NdArray<T> value, string? name = null, bool requiresGrad = true)
        where T : unmanaged, IFloatingPointIeee754<T> => new(value, name, requiresGrad);

    /// <summary>True when <paramref name="value"/> is a <see cref="Variable{T}"/> of any element type.</summary>
    public static bool IsVariable(object? value) => value is IVariable;

    /// <summary>
    /// A scope in which ops record nothing and return untracked results, for this thread and async
    /// flow only: <c>using (Variable.NoGrad()) { … }</c>.
    /// </summary>
    public static GradMode.NoGradScope NoGrad() => GradMode.Enter(enabled: false);

    /// <summary>
    /// A scope in which ops record again, even inside <see cref="NoGrad"/> (PyTorch's
    /// <c>enable_grad</c>): for code that must differentiate, such as a gradient penalty computed
    /// in an evaluation loop. For this thread and async flow only.
    /// </summary>
    public static GradMode.NoGradScope EnableGrad() => GradMode.Enter(enabled: true);

    /// <summary>
    /// A scope in which every recorded op checks its output, and every backward the gradients it
    /// produces, for NaN and infinity, throwing an <see cref="ArithmeticException"/> that names the
    /// op and where your code called it: <c>using (Variable.DetectAnomaly()) { … }</c>. For this
    /// thread and async flow only; slow (it captures a stack trace per op), so for debugging.
    /// </summary>
    public static AnomalyMode.Scope DetectAnomaly() => AnomalyMode.Enter();

    /// <summary>
    /// The gradients of <paramref name="output"/> with respect to <paramref name="inputs"/> (leaves
    /// or intermediate variables), returned in their order, touching no <see cref="Variable{T}.Grad"/>
    /// (PyTorch's <c>torch.autograd.grad</c>). Only the ops between the output and the inputs run
    /// their backward. Without <paramref name="createGraph"/> each is an untracked variable over a new
    /// array the caller owns; with it, each is recorded and can be differentiated again.
    /// </summary>
    /// <param name="output">The variable to differentiate.</param>
    /// <param name="inputs">The variables to differentiate with respect to; each must require grad.</param>
    /// <param name="seed">The gradient of the output, of its shape; ones when null.</param>
    /// <param name="retainGraph">False frees the buffers ops saved, so the graph cannot be walked again.</param>
    /// <param name="createGraph">True records the backward computations (every op on the way must be <see cref="Node{T}.IsDifferentiableTwice"/>).</param>
    /// <param name="allowUnused">True returns zeros for an input the output does not depend on; false throws.</param>
    /// <exception cref="ArgumentException">An input does not require grad or (without <paramref name="allowUnused"/>) is not used; the seed's shape differs.</exception>
    /// <exception cref="InvalidOperationException">The output does not require grad, or the graph was freed or a saved array written since.</exception>
    public static Variable<T>[] Gradients<T>(
        Variable<T> output, IReadOnlyList<Variable<T>> inputs, NdArray<T>? seed = null, bool retainGraph = true, bool createGraph = false, bool allowUnused = false)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        BackwardEngine.Gradients(output, inputs, seed, retainGraph, createGraph, allowUnused);
}
