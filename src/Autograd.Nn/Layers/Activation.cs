using System.Numerics;

namespace Autograd.Nn;

/// <summary>A parameter-free layer applying a function, e.g. <c>new Activation&lt;float&gt;(Ops.Relu)</c> inside a <see cref="Sequential{T}"/>.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <param name="function">The function; it should record through ops so gradients flow.</param>
public sealed class Activation<T>(Func<Variable<T>, Variable<T>> function) : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Func<Variable<T>, Variable<T>> _function = function ?? throw new ArgumentNullException(nameof(function));

    /// <inheritdoc />
    public override Variable<T> Forward(Variable<T> input) => _function(input);
}
