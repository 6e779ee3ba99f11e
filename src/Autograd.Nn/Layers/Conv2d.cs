using System.Numerics;

namespace Autograd.Nn;

/// <summary>
/// A 2-D convolution layer over [N, C, H, W] (<see cref="ConvolutionOps.Conv2d{T}(NdArray{T}, NdArray{T}, int, int, out NdArray{T})"/>
/// plus a bias per output channel), as PyTorch's <c>nn.Conv2d</c>: <see cref="Weight"/> [out, in, k, k]
/// Kaiming-uniform with a = √5 and <see cref="Bias"/> [out] U(−1/√fan-in, 1/√fan-in), fan-in = in·k².
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Conv2d<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>A convolution from <paramref name="inChannels"/> to <paramref name="outChannels"/> with a square kernel, initialized from <paramref name="random"/> (<see cref="Random.Shared"/> when null).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size or the stride is below 1, or the padding below 0.</exception>
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, bool bias = true, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(kernelSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        random ??= Random.Shared;
        Stride = stride;
        Padding = padding;
        Weight = RegisterParameter("weight", Init.KaimingUniform<T>(random, [outChannels, inChannels, kernelSize, kernelSize], a: Math.Sqrt(5)));
        if (bias)
            Bias = RegisterParameter("bias", Init.Uniform<T>(random, [outChannels], 1 / Math.Sqrt(inChannels * kernelSize * kernelSize)));
    }

    /// <summary>The weight, [out, in, k, k].</summary>
    public Variable<T> Weight { get; }

    /// <summary>The bias, [out], or null without one.</summary>
    public Variable<T>? Bias { get; }

    /// <summary>The step between windows.</summary>
    public int Stride { get; }

    /// <summary>The zero padding on every side.</summary>
    public int Padding { get; }

    /// <inheritdoc />
    public override Variable<T> Forward(Variable<T> input)
    {
        var output = ConvolutionOps.Conv2d(input, Weight, Stride, Padding);
        return Bias is null ? output : output + Ops.Reshape(Bias, [-1, 1, 1]);
    }
}
