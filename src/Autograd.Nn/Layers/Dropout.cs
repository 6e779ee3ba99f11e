using System.Numerics;

namespace Autograd.Nn;

/// <summary>
/// In training mode, <see cref="Ops.Dropout{T}(NdArray{T}, double, int, out NdArray{T})"/> with a fresh
/// mask per call drawn from a seeded generator; in evaluation mode the identity.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Dropout<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Random _random;

    /// <summary>Drops each element with <paramref name="probability"/>; masks are drawn from <paramref name="random"/> (<see cref="Random.Shared"/> when null).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The probability is outside [0, 1].</exception>
    public Dropout(double probability = 0.5, Random? random = null)
    {
        if (!(probability >= 0 && probability <= 1))
            throw new ArgumentOutOfRangeException(nameof(probability), probability, $"Dropout: the probability {probability} must lie in [0, 1].");
        Probability = probability;
        _random = random ?? Random.Shared;
    }

    /// <summary>The probability of dropping an element.</summary>
    public double Probability { get; }

    /// <inheritdoc />
    public override Variable<T> Forward(Variable<T> input) =>
        IsTraining ? Ops.Dropout(input, Probability, _random.Next()) : input;
}
