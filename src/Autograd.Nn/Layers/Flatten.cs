using System.Numerics;

namespace Autograd.Nn;

/// <summary>Merges every axis from <c>startAxis</c> (default 1, keeping the batch axis) into one, as PyTorch's <c>nn.Flatten</c>.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <param name="startAxis">The first axis merged.</param>
public sealed class Flatten<T>(int startAxis = 1) : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    /// <exception cref="ArgumentException">The input has fewer axes than <c>startAxis</c>.</exception>
    public override Variable<T> Forward(Variable<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (startAxis < 0 || startAxis > input.Value.Rank)
            throw new ArgumentException($"Flatten.Forward: cannot flatten from axis {startAxis} of an input of shape {ShapeFormat.Of(input.Shape)}.", nameof(input));
        return Ops.Reshape(input, [.. input.Shape[..startAxis], -1]);
    }
}
