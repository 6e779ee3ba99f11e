using System.Numerics;

namespace Autograd.Nn;

/// <summary>
/// Weight initializers with PyTorch's definitions (<c>torch.nn.init</c>), drawn from a seeded
/// <see cref="Random"/>. Fans are computed from a weight shape as PyTorch does: for [out, in, k…],
/// fan-in is in·∏k and fan-out is out·∏k; for a 1-D shape both are its length.
/// </summary>
public static class Init
{
    /// <summary>Kaiming (He) uniform: U(−b, b) with b = gain·√(3 / fan-in), gain = √(2 / (1 + a²)) (leaky ReLU with slope a; a = 0 for ReLU).</summary>
    public static NdArray<T> KaimingUniform<T>(Random random, int[] shape, double a = 0)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Uniform<T>(random, shape, LeakyReluGain(a) * Math.Sqrt(3.0 / Fans(shape, nameof(KaimingUniform)).In));

    /// <summary>Kaiming (He) normal: N(0, σ²) with σ = gain / √fan-in, gain = √(2 / (1 + a²)).</summary>
    public static NdArray<T> KaimingNormal<T>(Random random, int[] shape, double a = 0)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Normal<T>(random, shape, LeakyReluGain(a) / Math.Sqrt(Fans(shape, nameof(KaimingNormal)).In));

    /// <summary>Xavier (Glorot) uniform: U(−b, b) with b = gain·√(6 / (fan-in + fan-out)).</summary>
    public static NdArray<T> XavierUniform<T>(Random random, int[] shape, double gain = 1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (fanIn, fanOut) = Fans(shape, nameof(XavierUniform));
        return Uniform<T>(random, shape, gain * Math.Sqrt(6.0 / (fanIn + fanOut)));
    }

    /// <summary>Xavier (Glorot) normal: N(0, σ²) with σ = gain·√(2 / (fan-in + fan-out)).</summary>
    public static NdArray<T> XavierNormal<T>(Random random, int[] shape, double gain = 1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (fanIn, fanOut) = Fans(shape, nameof(XavierNormal));
        return Normal<T>(random, shape, gain * Math.Sqrt(2.0 / (fanIn + fanOut)));
    }

    /// <summary>U(−bound, bound) in <paramref name="shape"/>.</summary>
    public static NdArray<T> Uniform<T>(Random random, int[] shape, double bound)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(random);
        return NdArray.RandomUniform(random, T.CreateChecked(-bound), T.CreateChecked(bound), shape);
    }

    /// <summary>N(0, σ²) in <paramref name="shape"/>, σ = <paramref name="standardDeviation"/>.</summary>
    public static NdArray<T> Normal<T>(Random random, int[] shape, double standardDeviation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(random);
        return NdArray.MultiplyInPlace(NdArray.RandomNormal<T>(random, shape), NdArray.Scalar(T.CreateChecked(standardDeviation)));
    }

    /// <summary>PyTorch's fan-in and fan-out of a weight of <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">The shape is empty or has a zero length.</exception>
    public static (int In, int Out) Fans(int[] shape, string operation = nameof(Fans))
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length == 0 || shape.Any(n => n <= 0))
            throw new ArgumentException($"{operation}: a weight of shape {ShapeFormat.Of(shape)} has no fan; give at least one axis, every length positive.", nameof(shape));
        if (shape.Length == 1)
            return (shape[0], shape[0]);
        var receptive = shape.Skip(2).Aggregate(1, (p, n) => p * n);
        return (shape[1] * receptive, shape[0] * receptive);
    }

    private static double LeakyReluGain(double a) => Math.Sqrt(2.0 / (1 + a * a));
}
