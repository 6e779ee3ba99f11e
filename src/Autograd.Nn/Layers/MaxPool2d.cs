using System.Numerics;

namespace Autograd.Nn;

/// <summary>
/// Max-pooling over [N, C, H, W] (<see cref="ConvolutionOps.MaxPool2d{T}(NdArray{T}, int, int, int, out int[])"/>),
/// as PyTorch's <c>nn.MaxPool2d</c>: the stride defaults to the kernel size.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <param name="kernelSize">The window's side.</param>
/// <param name="stride">The step between windows; the kernel size when null.</param>
/// <param name="padding">The −∞ padding on every side, at most half the kernel.</param>
public sealed class MaxPool2d<T>(int kernelSize, int? stride = null, int padding = 0) : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public override Variable<T> Forward(Variable<T> input) => ConvolutionOps.MaxPool2d(input, kernelSize, stride ?? kernelSize, padding);
}
