using System.Numerics;

namespace Autograd.Nn;

/// <summary>
/// Convolution and max-pooling over [batch, channels, height, width] arrays, as
/// <c>[DifferentiableOp]</c>s: call them with arrays for plain results, or with variables to record.
/// Convolution unfolds the input's windows into the rows of a matrix (im2col) and multiplies it by the
/// weights with the library's matrix kernel; its backward multiplies by the same matrix and folds the
/// rows back (col2im), adding where windows overlap.
/// </summary>
public static partial class ConvolutionOps
{
    /// <summary>
    /// The 2-D cross-correlation of <paramref name="input"/> [N, C, H, W] with <paramref name="weight"/>
    /// [O, C, KH, KW] (no bias; add one broadcast as [O, 1, 1]), stepping <paramref name="stride"/> and
    /// zero-padding every side by <paramref name="padding"/>: the result is [N, O, OH, OW] with
    /// OH = (H + 2·padding − KH) / stride + 1 (rounded down), OW likewise. <paramref name="columns"/>
    /// is the unfolded input, [N·OH·OW, C·KH·KW], kept for the backward. Gradient: dy·W folded back
    /// onto the input, and dyᵀ·columns to the weight.
    /// </summary>
    /// <exception cref="ArgumentException">A shape is not 4-D, the channels differ, or the padded input is smaller than the kernel.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The stride is below 1 or the padding below 0.</exception>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> Conv2d<T>(NdArray<T> input, NdArray<T> weight, int stride, int padding, out NdArray<T> columns)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rank != 4 || input.Rank != 4 || input.Shape[1] != weight.Shape[1])
        {
            throw new ArgumentException(
                $"Conv2d: input of shape {ShapeFormat.Of(input.Shape)} and weight of shape {ShapeFormat.Of(weight.Shape)}: give an input [batch, channels, height, width] and a weight [out channels, channels, kernel height, kernel width] with the same channels.");
        }
        var window = Window.Of(input.Shape, weight.Shape[2], weight.Shape[3], stride, padding, nameof(Conv2d));
        columns = Unfold(input, window);
        var outChannels = weight.Shape[0];
        var matrix = weight.Reshape(outChannels, -1);
        var rows = NdArray.MatMul(columns, matrix.Transpose(1, 0)); // [N·OH·OW, O]
        return rows.Reshape(window.Batch, window.OutHeight, window.OutWidth, outChannels).Transpose(0, 3, 1, 2).Clone();
    }

    static void Conv2dBackward<T>(NdArray<T> dy, NdArray<T> input, NdArray<T> weight, int stride, int padding, NdArray<T> columns, GradSlot<T> dinput, GradSlot<T> dweight)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var outChannels = weight.Shape[0];
        var dyRows = dy.Transpose(0, 2, 3, 1).Reshape(-1, outChannels); // [N·OH·OW, O]
        if (dweight.IsNeeded)
            dweight.Accumulate(NdArray.MatMul(dyRows.Transpose(1, 0), columns).Reshape(weight.Shape.ToArray()));
        if (dinput.IsNeeded)
        {
            var window = Window.Of(input.Shape, weight.Shape[2], weight.Shape[3], stride, padding, nameof(Conv2d));
            dinput.Accumulate(Fold(NdArray.MatMul(dyRows, weight.Reshape(outChannels, -1)), window));
        }
    }

    /// <summary>
    /// The largest element of each <paramref name="kernelSize"/>² window of <paramref name="input"/>
    /// [N, C, H, W], stepping <paramref name="stride"/>, with the input padded by
    /// <paramref name="padding"/> of −∞ on every side: [N, C, OH, OW] with
    /// OH = (H + 2·padding − kernelSize) / stride + 1 (rounded down). <paramref name="argmax"/> holds,
    /// per output element, the row-major index into the input of the winner (the first one on a tie; a
    /// NaN wins). Gradient: dy added at each winner.
    /// </summary>
    /// <exception cref="ArgumentException">The input is not 4-D, or the padded input is smaller than the kernel.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The kernel or stride is below 1, or the padding is below 0 or above half the kernel.</exception>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> MaxPool2d<T>(NdArray<T> input, int kernelSize, int stride, int padding, out int[] argmax)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4)
            throw new ArgumentException($"MaxPool2d: the input has shape {ShapeFormat.Of(input.Shape)}; give [batch, channels, height, width].", nameof(input));
        if (padding > kernelSize / 2)
            throw new ArgumentOutOfRangeException(nameof(padding), padding, $"MaxPool2d: padding {padding} is more than half the kernel size {kernelSize} (input shape {ShapeFormat.Of(input.Shape)}); a window would hold only padding.");
        var window = Window.Of(input.Shape, kernelSize, kernelSize, stride, padding, nameof(MaxPool2d));
        var x = input.IsContiguous ? input.AsReadOnlySpan() : input.Clone().AsReadOnlySpan();
        var output = NdArray.Zeros<T>(window.Batch, window.Channels, window.OutHeight, window.OutWidth);
        var result = output.AsSpan();
        argmax = new int[result.Length];
        var o = 0;
        for (var plane = 0; plane < window.Batch * window.Channels; plane++)
        {
            var planeStart = plane * window.Height * window.Width;
            for (var oh = 0; oh < window.OutHeight; oh++)
            {
                for (var ow = 0; ow < window.OutWidth; ow++, o++)
                {
                    var best = -1;
                    for (var kh = 0; kh < kernelSize; kh++)
                    {
                        var ih = oh * stride - padding + kh;
                        for (var kw = 0; kw < kernelSize; kw++)
                        {
                            var iw = ow * stride - padding + kw;
                            if ((uint)ih >= (uint)window.Height || (uint)iw >= (uint)window.Width)
                                continue;
                            var index = planeStart + ih * window.Width + iw;
                            if (best < 0 || x[index] > x[best] || (T.IsNaN(x[index]) && !T.IsNaN(x[best])))
                                best = index;
                        }
                    }
                    argmax[o] = best;
                    result[o] = x[best];
                }
            }
        }
        return output;
    }

    static void MaxPool2dBackward<T>(NdArray<T> dy, int[] argmax, GradSlot<T> dinput)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!dinput.IsNeeded)
            return;
        var gradient = dinput.GetBuffer().AsSpan();
        var upstream = dy.IsContiguous ? dy.AsReadOnlySpan() : dy.Clone().AsReadOnlySpan();
        for (var i = 0; i < argmax.Length; i++)
            gradient[argmax[i]] += upstream[i];
    }

    /// <summary>
    /// The unfolded input (im2col) as an op, for recorded backwards: [N·OH·OW, C·KH·KW], row (n, oh, ow)
    /// holding window (oh, ow) of image n, zeros on the padding. Gradient: dy folded back onto the input.
    /// </summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    internal static NdArray<T> Unfold<T>(NdArray<T> input, int kernelHeight, int kernelWidth, int stride, int padding)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4)
            throw new ArgumentException($"Unfold: the input has shape {ShapeFormat.Of(input.Shape)}; give [batch, channels, height, width].", nameof(input));
        return Unfold(input, Window.Of(input.Shape, kernelHeight, kernelWidth, stride, padding, nameof(Unfold)));
    }

    static void UnfoldBackward<T>(NdArray<T> dy, NdArray<T> input, int kernelHeight, int kernelWidth, int stride, int padding, GradSlot<T> dinput)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dinput.IsNeeded)
            dinput.Accumulate(Fold(dy, Window.Of(input.Shape, kernelHeight, kernelWidth, stride, padding, nameof(Unfold))));
    }

    static void UnfoldBackward<T>(Variable<T> dy, Variable<T> input, int kernelHeight, int kernelWidth, int stride, int padding, GradSlot<T> dinput)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dinput.IsNeeded)
            dinput.Accumulate(Fold(dy, input.Shape.ToArray(), kernelHeight, kernelWidth, stride, padding));
    }

    /// <summary>
    /// The inverse move of <see cref="Unfold{T}(NdArray{T}, int, int, int, int)"/> (col2im) as an op:
    /// each element of <paramref name="columns"/> added onto the position of an input of
    /// <paramref name="inputShape"/> it was read from. Gradient: dy unfolded.
    /// </summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    internal static NdArray<T> Fold<T>(NdArray<T> columns, int[] inputShape, int kernelHeight, int kernelWidth, int stride, int padding)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(inputShape);
        if (inputShape.Length != 4)
            throw new ArgumentException($"Fold: the input shape {ShapeFormat.Of(inputShape)} must be [batch, channels, height, width].", nameof(inputShape));
        var window = Window.Of(inputShape, kernelHeight, kernelWidth, stride, padding, nameof(Fold));
        int rows = window.Batch * window.OutHeight * window.OutWidth, length = window.Channels * kernelHeight * kernelWidth;
        if (columns.Rank != 2 || columns.Shape[0] != rows || columns.Shape[1] != length)
            throw new ArgumentException($"Fold: the columns have shape {ShapeFormat.Of(columns.Shape)}; an input of shape {ShapeFormat.Of(inputShape)} unfolds to [{rows}, {length}].", nameof(columns));
        return Fold(columns, window);
    }

    static void FoldBackward<T>(NdArray<T> dy, int kernelHeight, int kernelWidth, int stride, int padding, GradSlot<T> dcolumns)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dcolumns.IsNeeded)
            dcolumns.Accumulate(Unfold(dy, Window.Of(dy.Shape, kernelHeight, kernelWidth, stride, padding, nameof(Fold))));
    }

    static void FoldBackward<T>(Variable<T> dy, int kernelHeight, int kernelWidth, int stride, int padding, GradSlot<T> dcolumns)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dcolumns.IsNeeded)
            dcolumns.Accumulate(Unfold(dy, kernelHeight, kernelWidth, stride, padding));
    }

    // The recorded backwards: convolution's as matrix products with the unfolded input and a fold;
    // max-pooling's as a scatter-add at the saved winners, whose own gradient gathers them again.
    static void Conv2dBackward<T>(Variable<T> dy, Variable<T> input, Variable<T> weight, int stride, int padding, GradSlot<T> dinput, GradSlot<T> dweight)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int outChannels = weight.Shape[0], kernelHeight = weight.Shape[2], kernelWidth = weight.Shape[3];
        var dyRows = Ops.Reshape(Ops.Transpose(dy, [0, 2, 3, 1]), [-1, outChannels]); // [N·OH·OW, O]
        if (dweight.IsNeeded)
            dweight.Accumulate(Ops.Reshape(Ops.MatMul(Ops.Transpose(dyRows), Unfold(input, kernelHeight, kernelWidth, stride, padding)), weight.Shape.ToArray()));
        if (dinput.IsNeeded)
            dinput.Accumulate(Fold(Ops.MatMul(dyRows, Ops.Reshape(weight, [outChannels, -1])), input.Shape.ToArray(), kernelHeight, kernelWidth, stride, padding));
    }

    static void MaxPool2dBackward<T>(Variable<T> dy, int[] argmax, GradSlot<T> dinput)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!dinput.IsNeeded)
            return;
        var shape = dinput.Shape.ToArray();
        var flat = Ops.IndexAdd(NdArray.Zeros<T>(shape.Aggregate(1, (a, b) => a * b)), Ops.Reshape(dy, [-1]), 0, argmax);
        dinput.Accumulate(Ops.Reshape(flat, shape));
    }

    /// <summary>im2col: row (n, oh, ow) holds window (oh, ow) of image n, ordered (c, kh, kw) as the weight's axes; outside the input, zeros.</summary>
    private static NdArray<T> Unfold<T>(NdArray<T> input, Window window)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var copy = new UnfoldRun<T>(input.ToArray(), new T[window.Batch * window.OutHeight * window.OutWidth * window.Channels * window.KernelHeight * window.KernelWidth]);
        window.Walk(ref copy);
        return NdArray.Create(copy.Columns, window.Batch * window.OutHeight * window.OutWidth, window.Channels * window.KernelHeight * window.KernelWidth);
    }

    /// <summary>col2im: adds each element of <paramref name="columns"/> back onto the input position it was read from.</summary>
    private static NdArray<T> Fold<T>(NdArray<T> columns, Window window)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var add = new FoldRun<T>(columns.ToArray(), new T[window.Batch * window.Channels * window.Height * window.Width]);
        window.Walk(ref add);
        return NdArray.Create(add.Input, window.Batch, window.Channels, window.Height, window.Width);
    }

    private readonly record struct UnfoldRun<T>(T[] Input, T[] Columns) : IWindowRun
    {
        public void Run(int column, int source, int length) => Input.AsSpan(source, length).CopyTo(Columns.AsSpan(column, length));
    }

    private readonly record struct FoldRun<T>(T[] Columns, T[] Input) : IWindowRun
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int column, int source, int length)
        {
            for (var i = 0; i < length; i++)
                Input[source + i] += Columns[column + i];
        }
    }
}
