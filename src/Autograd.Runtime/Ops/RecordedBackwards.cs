using System.Numerics;

namespace Autograd;

// The built-in ops' backwards written with recorded ops: each an overload, on variables, of the op's
// array backward (the generator finds it by name and checks it by the same rules). A pass with
// createGraph: true runs these, so gradients through these ops can be differentiated again, to any
// order; first-order passes keep running the fused array backwards. Piecewise ops (relu, abs,
// maximum, max, dropout) gate the gradient by a mask computed from the saved values, a constant: their
// second derivative is 0 wherever it exists, and the gate keeps the array backward's exact zeros.
public static partial class Ops
{
    static void AddBackward<T>(Variable<T> dy, GradSlot<T> dx1, GradSlot<T> dx2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        dx1.Accumulate(dy);
        dx2.Accumulate(dy);
    }

    static void SubtractBackward<T>(Variable<T> dy, GradSlot<T> dx1, GradSlot<T> dx2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        dx1.Accumulate(dy);
        if (dx2.IsNeeded)
            dx2.Accumulate(-dy);
    }

    static void MultiplyBackward<T>(Variable<T> dy, Variable<T>? x1, Variable<T>? x2, GradSlot<T> dx1, GradSlot<T> dx2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx1.IsNeeded)
            dx1.Accumulate(dy * x2!);
        if (dx2.IsNeeded)
            dx2.Accumulate(dy * x1!);
    }

    static void DivideBackward<T>(Variable<T> dy, Variable<T> x2, Variable<T>? output, GradSlot<T> dx1, GradSlot<T> dx2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var scaled = dy / x2;
        if (dx2.IsNeeded)
            dx2.Accumulate(-(scaled * output!));
        dx1.Accumulate(scaled);
    }

    static void NegateBackward<T>(Variable<T> dy, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T> => dx.Accumulate(-dy);

    static void CopyBackward<T>(Variable<T> dy, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T> => dx.Accumulate(dy);

    static void PowScalarBackward<T>(Variable<T> dy, Variable<T> x, T exponent, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded && exponent != T.Zero) // x^0 is constant: no gradient, even at x = 0
            dx.Accumulate(dy * exponent * PowScalar(x, exponent - T.One));
    }

    static void ExpBackward<T>(Variable<T> dy, Variable<T> output, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate(dy * output);
    }

    static void LogBackward<T>(Variable<T> dy, Variable<T> x, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate(dy / x);
    }

    static void SqrtBackward<T>(Variable<T> dy, Variable<T> output, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate(dy / (output * T.CreateChecked(2)));
    }

    static void SinBackward<T>(Variable<T> dy, Variable<T> x, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate(dy * Cos(x));
    }

    static void CosBackward<T>(Variable<T> dy, Variable<T> x, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate(-(dy * Sin(x)));
    }

    static void TanhBackward<T>(Variable<T> dy, Variable<T> output, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate(dy * (T.One - output * output));
    }

    static void SigmoidBackward<T>(Variable<T> dy, Variable<T> output, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate(dy * output * (T.One - output));
    }

    static void PowBackward<T>(Variable<T> dy, Variable<T> x1, Variable<T> x2, GradSlot<T> dx1, GradSlot<T> dx2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx1.IsNeeded) // x2 * x1^(x2 - 1), exactly 0 where x2 = 0
            dx1.Accumulate(Gate(dy, Gate(x2 * Pow(x1, x2 - T.One), OpKernels.Map<T, NonZero<T>>(x2.Value, "Pow"))));
        if (dx2.IsNeeded) // x1^x2 * ln x1, exactly 0 where x1 = 0 and x2 ≥ 0
            dx2.Accumulate(Gate(dy, Gate(Pow(x1, x2) * Log(x1), OpKernels.Map<T, PowExponentTaken<T>>(x1.Value, x2.Value, "Pow"))));
    }

    static void MaximumBackward<T>(Variable<T> dy, Variable<T> x1, Variable<T> x2, GradSlot<T> dx1, GradSlot<T> dx2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx1.IsNeeded)
            dx1.Accumulate(Gate(dy, OpKernels.Map<T, WinnerShare<T>>(x1.Value, x2.Value, "Maximum")));
        if (dx2.IsNeeded)
            dx2.Accumulate(Gate(dy, OpKernels.Map<T, WinnerShare<T>>(x2.Value, x1.Value, "Maximum")));
    }

    static void MinimumBackward<T>(Variable<T> dy, Variable<T> x1, Variable<T> x2, GradSlot<T> dx1, GradSlot<T> dx2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx1.IsNeeded)
            dx1.Accumulate(Gate(dy, OpKernels.Map<T, SmallerShare<T>>(x1.Value, x2.Value, "Minimum")));
        if (dx2.IsNeeded)
            dx2.Accumulate(Gate(dy, OpKernels.Map<T, SmallerShare<T>>(x2.Value, x1.Value, "Minimum")));
    }

    static void AbsBackward<T>(Variable<T> dy, Variable<T> x, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate(Gate(dy, OpKernels.Map<T, SignFunction<T>>(x.Value, "Abs")));
    }

    static void ReluBackward<T>(Variable<T> dy, Variable<T> x, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate(Gate(dy, OpKernels.Map<T, PositiveStep<T>>(x.Value, "Relu")));
    }

    static void LeakyReluBackward<T>(Variable<T> dy, Variable<T> x, double slope, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate(Gate(dy, OpKernels.Map<T, LeakyStep<T>>(x.Value, NdArray.Scalar(T.CreateChecked(slope)), "LeakyRelu")));
    }

    static void SoftplusBackward<T>(Variable<T> dy, Variable<T> x, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate(dy * Sigmoid(x));
    }

    static void DropoutBackward<T>(Variable<T> dy, NdArray<T> mask, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate(Gate(dy, mask));
    }

    static void SumBackward<T>(Variable<T> dy, int[]? axes, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate(BroadcastTo(Reshape(dy, OpKernels.KeptShape(dx.Shape, axes, "Sum")), dx.Shape.ToArray()));
    }

    static void MeanBackward<T>(Variable<T> dy, int[]? axes, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!dx.IsNeeded)
            return;
        var count = dy.Value.Length == 0 ? 1 : Shapes.ElementCount(dx.Shape) / dy.Value.Length;
        dx.Accumulate(BroadcastTo(Reshape(dy / T.CreateChecked(count), OpKernels.KeptShape(dx.Shape, axes, "Mean")), dx.Shape.ToArray()));
    }

    static void MaxBackward<T>(Variable<T> dy, Variable<T> x, int[]? axes, Variable<T> output, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate(RouteToWinners(dy, x.Value, axes, output.Value, "Max"));
    }

    static void MinBackward<T>(Variable<T> dy, Variable<T> x, int[]? axes, Variable<T> output, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate(RouteToWinners(dy, x.Value, axes, output.Value, "Min"));
    }

    /// <summary>The recorded form of the array <c>RouteToWinners</c>: dy / (winners in the group), gated by the winner mask.</summary>
    private static Variable<T> RouteToWinners<T>(Variable<T> dy, NdArray<T> x, int[]? axes, NdArray<T> output, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (winners, counts) = Winners(x, axes, output, operation);
        return Gate(Divide(Reshape(dy, OpKernels.KeptShape(x.Shape, axes, operation)), counts), winners);
    }

    static void ReshapeBackward<T>(Variable<T> dy, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate(Reshape(dy, dx.Shape.ToArray()));
    }

    static void TransposeBackward<T>(Variable<T> dy, int[]? axes, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate(Transpose(dy, InverseAxes(dx.Shape, axes)));
    }

    static void SliceBackward<T>(Variable<T> dy, int axis, int start, int stop, int step, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate(SliceAdd(NdArray.Zeros<T>(dx.Shape.ToArray()), dy, axis, start, stop, step));
    }

    static void SliceAddBackward<T>(Variable<T> dy, int axis, int start, int stop, int step, GradSlot<T> dx, GradSlot<T> dsource)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        dx.Accumulate(dy);
        if (dsource.IsNeeded)
            dsource.Accumulate(Slice(dy, axis, start, stop, step));
    }

    static void IndexSelectBackward<T>(Variable<T> dy, int axis, int[] indices, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate(IndexAdd(NdArray.Zeros<T>(dx.Shape.ToArray()), dy, axis, indices));
    }

    static void IndexAddBackward<T>(Variable<T> dy, int axis, int[] indices, GradSlot<T> dx, GradSlot<T> dsource)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        dx.Accumulate(dy);
        if (dsource.IsNeeded)
            dsource.Accumulate(IndexSelect(dy, axis, indices));
    }

    static void BroadcastToBackward<T>(Variable<T> dy, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T> => dx.Accumulate(dy); // the slot sums it back to the input's shape

    static void SqueezeBackward<T>(Variable<T> dy, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate(Reshape(dy, dx.Shape.ToArray()));
    }

    static void UnsqueezeBackward<T>(Variable<T> dy, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate(Reshape(dy, dx.Shape.ToArray()));
    }

    static void MatMulBackward<T>(Variable<T> dy, Variable<T>? a, Variable<T>? b, GradSlot<T> da, GradSlot<T> db)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!da.IsNeeded && !db.IsNeeded)
            return;
        // As the array backward: vectors promoted as the forward reads them, dy with their axes put
        // back; each slot sums broadcast batch axes (and a promoted vector's axis) back to its input.
        var (a2, b2, batch) = MatrixShapes(a is null ? da.Shape : a.Shape, b is null ? db.Shape : b.Shape);
        var dy2 = Reshape(dy, [.. batch, a2[^2], b2[^1]]);
        if (da.IsNeeded)
            da.Accumulate(MatMul(dy2, Transpose(b!.Value.Rank == 1 ? Unsqueeze(b, 1) : b, OpKernels.SwapLastTwo(b2.Length))));
        if (db.IsNeeded)
        {
            var g = MatMul(Transpose(a!.Value.Rank == 1 ? Unsqueeze(a, 0) : a, OpKernels.SwapLastTwo(a2.Length)), dy2);
            db.Accumulate(db.Shape.Length == 1 ? Squeeze(g, -1) : g);
        }
    }

    static void SoftmaxBackward<T>(Variable<T> dy, int axis, Variable<T> output, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate((dy - Sum(dy * output, [axis], keepDims: true)) * output);
    }

    static void LogSoftmaxBackward<T>(Variable<T> dy, int axis, Variable<T> output, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate(dy - Exp(output) * Sum(dy, [axis], keepDims: true));
    }

    static void MeanSquaredErrorBackward<T>(Variable<T> dy, Variable<T> prediction, Variable<T> target, GradSlot<T> dprediction, GradSlot<T> dtarget)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = (prediction - target) * (dy * (T.CreateChecked(2) / T.CreateChecked(Math.Max(prediction.Value.Length, 1))));
        if (dtarget.IsNeeded)
            dtarget.Accumulate(-g);
        dprediction.Accumulate(g);
    }

    static void CrossEntropyBackward<T>(Variable<T> dy, Variable<T> logits, int[] labels, GradSlot<T> dlogits)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!dlogits.IsNeeded)
            return;
        var oneHot = NdArray.Zeros<T>(logits.Shape.ToArray());
        for (var i = 0; i < labels.Length; i++)
            oneHot[i, labels[i]] = T.One;
        dlogits.Accumulate((Softmax(logits, axis: 1) - oneHot) * (dy / T.CreateChecked(labels.Length)));
    }

    /// <summary>1 where x ≠ 0, else 0: where the exponent's power rule applies.</summary>
    private readonly struct NonZero<T> : IElementFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Invoke(T x) => x == T.Zero ? T.Zero : T.One;
    }

    /// <summary>0 where the base x is 0 and the exponent y ≥ 0 (x^y is 0 or 1 there, as <c>PowExponentDerivative</c> says), else 1.</summary>
    private readonly struct PowExponentTaken<T> : IElementFunction2<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Invoke(T x, T y) => x == T.Zero && y >= T.Zero ? T.Zero : T.One;
    }
}
