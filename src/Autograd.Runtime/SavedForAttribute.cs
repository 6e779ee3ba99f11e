namespace Autograd;

/// <summary>
/// On an array parameter of an op's backward (an input it reads, a variadic input, or <c>output</c>):
/// the array is read only to compute the gradients of the named slots, so a recorded node saves it
/// only when one of those inputs can need a gradient. Where none can (each is a constant, or a
/// variable that does not require grad), the node keeps nothing and the backward receives
/// <c>null</c>: declare the parameter nullable, and read it only when one of the named slots
/// <see cref="GradSlot{T}.IsNeeded"/> (a slot that is not needed never needs it). The array
/// backward's attributes govern the recorded backward (on variables) too, which then receives
/// <c>null</c> the same way.
/// </summary>
/// <example>
/// <code>
/// static void MulBackward&lt;T&gt;(NdArray&lt;T&gt; dy, [SavedFor(nameof(dx2))] NdArray&lt;T&gt;? x1, [SavedFor(nameof(dx1))] NdArray&lt;T&gt;? x2,
///                             GradSlot&lt;T&gt; dx1, GradSlot&lt;T&gt; dx2) where T : unmanaged, IFloatingPointIeee754&lt;T&gt;
/// {
///     if (dx1.IsNeeded) dx1.Accumulate(NdArray.Multiply(dy, x2!));
///     if (dx2.IsNeeded) dx2.Accumulate(NdArray.Multiply(dy, x1!));
/// }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class SavedForAttribute : Attribute
{
    /// <summary>Marks the parameter as read only for the gradients of <paramref name="gradients"/>, the backward's slot parameters (write <c>nameof(dx2)</c>).</summary>
    public SavedForAttribute(params string[] gradients) => Gradients = gradients;

    /// <summary>The names of the slot parameters whose gradients read the parameter.</summary>
    public IReadOnlyList<string> Gradients { get; }
}
