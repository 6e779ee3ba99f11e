using System.Numerics;

namespace Autograd.Nn;

/// <summary>
/// y = x·Wᵀ + b over the last axis, as PyTorch's <c>nn.Linear</c>: <see cref="Weight"/> is
/// [out, in] (so checkpoints move between the two unchanged), initialized Kaiming-uniform with
/// a = √5, which is U(−1/√in, 1/√in), and <see cref="Bias"/> [out] U(−1/√in, 1/√in).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Linear<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>A layer from <paramref name="inFeatures"/> to <paramref name="outFeatures"/>, initialized from <paramref name="random"/> (<see cref="Random.Shared"/> when null).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A feature count is below 1.</exception>
    public Linear(int inFeatures, int outFeatures, bool bias = true, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outFeatures, 1);
        random ??= Random.Shared;
        Weight = RegisterParameter("weight", Init.KaimingUniform<T>(random, [outFeatures, inFeatures], a: Math.Sqrt(5)));
        if (bias)
            Bias = RegisterParameter("bias", Init.Uniform<T>(random, [outFeatures], 1 / Math.Sqrt(inFeatures)));
    }

    /// <summary>The weight, [out, in].</summary>
    public Variable<T> Weight { get; }

    /// <summary>The bias, [out], or null without one.</summary>
    public Variable<T>? Bias { get; }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The input's last axis is not <c>in</c> long.</exception>
    public override Variable<T> Forward(Variable<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Value.Rank == 0 || input.Shape[^1] != Weight.Shape[1])
            throw new ArgumentException($"Linear.Forward: the input has shape {ShapeFormat.Of(input.Shape)}; its last axis must have length {Weight.Shape[1]} (the weight is {ShapeFormat.Of(Weight.Shape)}).", nameof(input));
        var output = Ops.MatMul(input, Ops.Transpose(Weight));
        return Bias is null ? output : output + Bias;
    }
}
