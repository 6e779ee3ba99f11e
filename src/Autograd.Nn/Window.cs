namespace Autograd.Nn;

/// <summary>The geometry of a sliding window over [N, C, H, W]: validated once, shared by convolution and pooling.</summary>
internal readonly record struct Window(
    int Batch, int Channels, int Height, int Width, int KernelHeight, int KernelWidth, int Stride, int Padding, int OutHeight, int OutWidth)
{
    /// <summary>Checks the geometry and computes the output size, naming <paramref name="operation"/> in any error.</summary>
    public static Window Of(ReadOnlySpan<int> input, int kernelHeight, int kernelWidth, int stride, int padding, string operation)
    {
        var shape = ShapeFormat.Of(input);
        if (kernelHeight < 1 || kernelWidth < 1)
            throw new ArgumentOutOfRangeException(nameof(kernelHeight), $"{operation}: the kernel {kernelHeight}×{kernelWidth} must be at least 1×1 (input shape {shape}).");
        if (stride < 1)
            throw new ArgumentOutOfRangeException(nameof(stride), stride, $"{operation}: the stride {stride} must be at least 1 (input shape {shape}).");
        if (padding < 0)
            throw new ArgumentOutOfRangeException(nameof(padding), padding, $"{operation}: the padding {padding} must be at least 0 (input shape {shape}).");
        int height = input[2] + 2 * padding, width = input[3] + 2 * padding;
        if (height < kernelHeight || width < kernelWidth)
        {
            throw new ArgumentException(
                $"{operation}: the input of shape {shape} padded by {padding} is {height}×{width}, smaller than the kernel {kernelHeight}×{kernelWidth}.");
        }
        return new(input[0], input[1], input[2], input[3], kernelHeight, kernelWidth, stride, padding,
            (height - kernelHeight) / stride + 1, (width - kernelWidth) / stride + 1);
    }

    /// <summary>
    /// For each element of the unfolded matrix [N·OH·OW, C·KH·KW] (row (n, oh, ow), column (c, kh, kw)),
    /// the row-major index into the input it reads, or −1 where the window lies on padding.
    /// </summary>
    public int[] Sources()
    {
        var sources = new int[Batch * OutHeight * OutWidth * Channels * KernelHeight * KernelWidth];
        var i = 0;
        for (var n = 0; n < Batch; n++)
        {
            for (var oh = 0; oh < OutHeight; oh++)
            {
                for (var ow = 0; ow < OutWidth; ow++)
                {
                    for (var c = 0; c < Channels; c++)
                    {
                        for (var kh = 0; kh < KernelHeight; kh++)
                        {
                            var ih = oh * Stride - Padding + kh;
                            for (var kw = 0; kw < KernelWidth; kw++, i++)
                            {
                                var iw = ow * Stride - Padding + kw;
                                var inside = (uint)ih < (uint)Height && (uint)iw < (uint)Width;
                                sources[i] = inside ? ((n * Channels + c) * Height + ih) * Width + iw : -1;
                            }
                        }
                    }
                }
            }
        }
        return sources;
    }
}
