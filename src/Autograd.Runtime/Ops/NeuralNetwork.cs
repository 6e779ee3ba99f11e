using System.Numerics;

namespace Autograd;

// Activations over an axis, losses and dropout. Softmax and log-softmax subtract the maximum along
// the axis first, so logits of any size give finite values and gradients.
public static partial class Ops
{
    /// <summary>
    /// e^x / Σ e^x along <paramref name="axis"/> (shifted by the maximum, so it never overflows; an
    /// empty array gives an empty result); gradient s * (dy - Σ dy * s) with s the saved output.
    /// </summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> Softmax<T>(this NdArray<T> x, int axis = -1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        return SoftmaxAlong(x, Shapes.NormalizeAxis(axis, x.Rank, x.Shape, nameof(Softmax)), into: null);
    }

    /// <summary>Softmax along the (checked) <paramref name="axis"/>, into <paramref name="into"/> (of x's shape) or a new array.</summary>
    private static NdArray<T> SoftmaxAlong<T>(NdArray<T> x, int axis, NdArray<T>? into)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Length == 0)
            return into ?? NdArray.Zeros<T>(x.Shape.ToArray());
        int[] axes = [axis];
        var e = NdArray.ExpInPlace(NdArray.Subtract(x, NdArray.Max(x, axes, keepDims: true), into));
        return NdArray.DivideInPlace(e, NdArray.Sum(e, axes, keepDims: true));
    }

    static void SoftmaxBackward<T>(NdArray<T> dy, int axis, NdArray<T> output, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!dx.IsNeeded)
            return;
        var dot = NdArray.Sum(NdArray.Multiply(dy, output), [axis], keepDims: true);
        dx.Accumulate(NdArray.MultiplyInPlace(NdArray.Subtract(dy, dot), output));
    }

    /// <summary>
    /// x - ln Σ e^x along <paramref name="axis"/> (log-sum-exp shifted by the maximum, finite for any
    /// logits; an empty array gives an empty result); gradient dy - softmax(x) * Σ dy.
    /// </summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> LogSoftmax<T>(this NdArray<T> x, int axis = -1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var axes = new[] { Shapes.NormalizeAxis(axis, x.Rank, x.Shape, nameof(LogSoftmax)) };
        if (x.Length == 0)
            return NdArray.Zeros<T>(x.Shape.ToArray());
        var shifted = NdArray.Subtract(x, NdArray.Max(x, axes, keepDims: true));
        var logSum = NdArray.LogInPlace(NdArray.Sum(NdArray.Exp(shifted), axes, keepDims: true));
        return NdArray.SubtractInPlace(shifted, logSum);
    }

    static void LogSoftmaxBackward<T>(NdArray<T> dy, int axis, NdArray<T> output, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!dx.IsNeeded)
            return;
        var total = NdArray.Sum(dy, [axis], keepDims: true);
        var buffer = dx.GetBuffer(out var accumulate);
        var scaled = NdArray.MultiplyInPlace(NdArray.Exp(output, accumulate ? null : buffer), total);
        if (accumulate)
            NdArray.AddInPlace(buffer, NdArray.Subtract(dy, scaled));
        else
            NdArray.Subtract(dy, scaled, into: buffer); // elementwise: reading and writing the buffer at the same index
    }

    /// <summary>
    /// The mean of (prediction - target)² over all elements (a scalar); gradient 2 * (prediction - target) / n
    /// * dy to the prediction and its negative to the target.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes differ (no broadcasting: a [n] against [n, 1] is almost always a bug).</exception>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> MeanSquaredError<T>(this NdArray<T> prediction, NdArray<T> target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        if (!Shapes.SameShape(prediction.Shape, target.Shape))
        {
            throw new ArgumentException(
                $"MeanSquaredError: the prediction has shape {ShapeText.Of(prediction.Shape)} but the target has shape {ShapeText.Of(target.Shape)}; they must be the same.");
        }
        var difference = NdArray.Subtract(prediction, target);
        return NdArray.Mean(NdArray.MultiplyInPlace(difference, difference));
    }

    static void MeanSquaredErrorBackward<T>(NdArray<T> dy, NdArray<T> prediction, NdArray<T> target, GradSlot<T> dprediction, GradSlot<T> dtarget)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var scale = NdArray.Multiply(dy, T.CreateChecked(2) / T.CreateChecked(Math.Max(prediction.Length, 1)));
        var g = NdArray.MultiplyInPlace(NdArray.Subtract(prediction, target), scale);
        if (dtarget.IsNeeded)
            dtarget.Accumulate(NdArray.Negate(g));
        dprediction.Accumulate(g);
    }

    /// <summary>
    /// The mean over the batch of -log softmax(logits)[i, labels[i]], for logits of shape [batch, classes]
    /// (a scalar; NaN for an empty batch, like every mean over nothing, whose gradient is then empty); gradient (softmax(logits) - onehot(labels)) * dy / batch.
    /// </summary>
    /// <exception cref="ArgumentException">The logits are not 2-D, the label count differs from the batch, or a label is not a class index.</exception>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> CrossEntropy<T>(this NdArray<T> logits, int[] labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        CheckLabels(logits, labels);
        var logProbabilities = LogSoftmax(logits, axis: 1);
        var total = T.Zero;
        for (var i = 0; i < labels.Length; i++)
            total -= logProbabilities[i, labels[i]];
        return NdArray.Scalar(total / T.CreateChecked(labels.Length));
    }

    static void CrossEntropyBackward<T>(NdArray<T> dy, NdArray<T> logits, int[] labels, GradSlot<T> dlogits)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!dlogits.IsNeeded)
            return;
        var buffer = dlogits.GetBuffer(out var accumulate);
        var g = SoftmaxAlong(logits, axis: 1, into: accumulate ? null : buffer);
        for (var i = 0; i < labels.Length; i++)
            g[i, labels[i]] -= T.One;
        NdArray.MultiplyInPlace(g, NdArray.Divide(dy, T.CreateChecked(labels.Length)));
        if (accumulate)
            NdArray.AddInPlace(buffer, g);
    }

    /// <summary>
    /// Inverted dropout: each element zeroed with probability <paramref name="probability"/>, the rest
    /// scaled by 1 / (1 - probability); the mask (0 or that scale per element) is drawn from
    /// <paramref name="seed"/> and returned. Gradient dy * mask.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The probability is outside [0, 1].</exception>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> Dropout<T>(NdArray<T> x, double probability, int seed, out NdArray<T> mask)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!(probability >= 0 && probability <= 1))
            throw new ArgumentOutOfRangeException(nameof(probability), probability, $"Dropout: the probability {probability} must lie in [0, 1] (input shape {ShapeText.Of(x.Shape)}).");
        mask = NdArray.Zeros<T>(x.Shape.ToArray());
        var keep = probability < 1 ? T.CreateChecked(1 / (1 - probability)) : T.Zero;
        var random = new Random(seed);
        var data = mask.AsSpan();
        for (var i = 0; i < data.Length; i++)
            data[i] = random.NextDouble() >= probability ? keep : T.Zero;
        return NdArray.Multiply(x, mask);
    }

    static void DropoutBackward<T>(NdArray<T> dy, NdArray<T> mask, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        OpKernels.WriteGated(dx, dy, mask, "Dropout");
    }

    private static void CheckLabels<T>(NdArray<T> logits, int[] labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (logits.Rank != 2)
        {
            throw new ArgumentException(
                $"CrossEntropy: the logits have shape {ShapeText.Of(logits.Shape)}; they must be 2-D, [batch, classes] (reshape a single sample to [1, classes]).");
        }
        if (labels.Length != logits.Shape[0])
        {
            throw new ArgumentException(
                $"CrossEntropy: {labels.Length} labels were given for logits of shape {ShapeText.Of(logits.Shape)}; give one label per row ({logits.Shape[0]}).");
        }
        for (var i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)logits.Shape[1])
            {
                throw new ArgumentException(
                    $"CrossEntropy: label {labels[i]} at position {i} is not a class index for logits of shape {ShapeText.Of(logits.Shape)}; labels must lie in [0, {logits.Shape[1]}).");
            }
        }
    }
}
