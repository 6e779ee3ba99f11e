using System.Numerics;

namespace Autograd.Nn;

/// <summary>
/// Normalizes over the last axes (those of <c>normalizedShape</c>): (x − mean) / √(variance + ε) · weight
/// + bias, with the biased variance, weight starting at ones and bias at zeros, ε = 1e-5, as PyTorch's
/// <c>nn.LayerNorm</c>. Built from public ops, so its gradient is theirs.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class LayerNorm<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int[] _normalizedShape;

    /// <summary>Normalizes over trailing axes of <paramref name="normalizedShape"/>, with a learned elementwise affine map unless <paramref name="elementwiseAffine"/> is false.</summary>
    /// <exception cref="ArgumentException">The shape is empty or has a length below 1.</exception>
    public LayerNorm(int[] normalizedShape, double epsilon = 1e-5, bool elementwiseAffine = true)
    {
        ArgumentNullException.ThrowIfNull(normalizedShape);
        if (normalizedShape.Length == 0 || normalizedShape.Any(n => n < 1))
            throw new ArgumentException($"LayerNorm: the normalized shape {ShapeFormat.Of(normalizedShape)} must have at least one axis, each of length 1 or more.", nameof(normalizedShape));
        _normalizedShape = [.. normalizedShape];
        Epsilon = epsilon;
        if (elementwiseAffine)
        {
            Weight = RegisterParameter("weight", NdArray.Ones<T>(_normalizedShape));
            Bias = RegisterParameter("bias", NdArray.Zeros<T>(_normalizedShape));
        }
    }

    /// <summary>The ε added to the variance.</summary>
    public double Epsilon { get; }

    /// <summary>The scale, of the normalized shape, or null without the affine map.</summary>
    public Variable<T>? Weight { get; }

    /// <summary>The shift, of the normalized shape, or null without the affine map.</summary>
    public Variable<T>? Bias { get; }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The input's trailing axes are not the normalized shape.</exception>
    public override Variable<T> Forward(Variable<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var rank = input.Value.Rank;
        if (rank < _normalizedShape.Length || !input.Shape[(rank - _normalizedShape.Length)..].SequenceEqual(_normalizedShape))
            throw new ArgumentException($"LayerNorm.Forward: the input has shape {ShapeFormat.Of(input.Shape)}; its last axes must be {ShapeFormat.Of(_normalizedShape)}.", nameof(input));
        var axes = Enumerable.Range(rank - _normalizedShape.Length, _normalizedShape.Length).ToArray();
        var centered = input - Ops.Mean(input, axes, keepDims: true);
        var variance = Ops.Mean(centered * centered, axes, keepDims: true);
        var normalized = centered / Ops.Sqrt(variance + T.CreateChecked(Epsilon));
        return Weight is null || Bias is null ? normalized : normalized * Weight + Bias;
    }
}
