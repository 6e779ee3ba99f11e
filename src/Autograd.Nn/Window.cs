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
    /// Walks the unfolded matrix [N·OH·OW, C·KH·KW] (row (n, oh, ow), column (c, kh, kw)) in runs: each
    /// run is a stretch of one row that reads a contiguous stretch of one input row. Positions on the
    /// padding belong to no run. <typeparamref name="TRun"/> says what to do with each (copy or add).
    /// </summary>
    public void Walk<TRun>(ref TRun run)
        where TRun : struct, IWindowRun
    {
        var rowLength = Channels * KernelHeight * KernelWidth;
        var row = 0;
        for (var n = 0; n < Batch; n++)
        {
            for (var oh = 0; oh < OutHeight; oh++)
            {
                for (var ow = 0; ow < OutWidth; ow++, row += rowLength)
                {
                    var left = ow * Stride - Padding;
                    var first = Math.Max(0, -left);
                    var length = Math.Min(KernelWidth, Width - left) - first;
                    if (length <= 0)
                        continue;
                    for (var c = 0; c < Channels; c++)
                    {
                        for (var kh = 0; kh < KernelHeight; kh++)
                        {
                            var ih = oh * Stride - Padding + kh;
                            if ((uint)ih < (uint)Height)
                                run.Run(row + (c * KernelHeight + kh) * KernelWidth + first, ((n * Channels + c) * Height + ih) * Width + left + first, length);
                        }
                    }
                }
            }
        }
    }
}

/// <summary>What <see cref="Window.Walk"/> does with each run of the unfolded matrix.</summary>
internal interface IWindowRun
{
    /// <summary>Handles <paramref name="length"/> elements from <paramref name="column"/> in the unfolded matrix and <paramref name="source"/> in the input.</summary>
    void Run(int column, int source, int length);
}
