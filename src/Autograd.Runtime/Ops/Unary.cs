using System.Numerics;
using Autograd.Kernels;

namespace Autograd;

// Elementwise functions of one array and their derivatives.
public static partial class Ops
{
    /// <summary>e^x; gradient dy * e^x (the saved output).</summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> Exp<T>(this NdArray<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => NdArray.Exp(x);

    static void ExpBackward<T>(NdArray<T> dy, NdArray<T> output, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        OpKernels.WriteGradient<T, MultiplyOperator<T>>(dx, dy, output, "Exp");
    }

    /// <summary>The natural logarithm ln x; gradient dy / x.</summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> Log<T>(this NdArray<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => NdArray.Log(x);

    static void LogBackward<T>(NdArray<T> dy, NdArray<T> x, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        OpKernels.WriteGradient<T, DivideOperator<T>>(dx, dy, x, "Log");
    }

    /// <summary>√x; gradient dy / (2√x).</summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> Sqrt<T>(this NdArray<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => NdArray.Sqrt(x);

    static void SqrtBackward<T>(NdArray<T> dy, NdArray<T> output, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        OpKernels.WriteGradientOf<T, SqrtGradient<T>>(dx, dy, output, "Sqrt");
    }

    /// <summary>|x|; gradient dy * sign(x), with sign(0) = 0.</summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> Abs<T>(this NdArray<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => NdArray.Abs(x);

    static void AbsBackward<T>(NdArray<T> dy, NdArray<T> x, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            OpKernels.WriteGated<T, SignFunction<T>>(dx, dy, x, "Abs");
    }

    /// <summary>sin x; gradient dy * cos x.</summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> Sin<T>(this NdArray<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => NdArray.Sin(x);

    static void SinBackward<T>(NdArray<T> dy, NdArray<T> x, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            OpKernels.WriteGradient<T, MultiplyOperator<T>>(dx, dy, NdArray.Cos(x), "Sin");
    }

    /// <summary>cos x; gradient -dy * sin x.</summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> Cos<T>(this NdArray<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => NdArray.Cos(x);

    static void CosBackward<T>(NdArray<T> dy, NdArray<T> x, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            OpKernels.WriteGradientOf<T, NegatedProduct<T>>(dx, dy, NdArray.Sin(x), "Cos");
    }

    /// <summary>tanh x; gradient dy * (1 - tanh² x), from the saved output.</summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> Tanh<T>(this NdArray<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => NdArray.Tanh(x);

    static void TanhBackward<T>(NdArray<T> dy, NdArray<T> output, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        OpKernels.WriteGradientOf<T, TanhGradient<T>>(dx, dy, output, "Tanh");
    }

    /// <summary>The logistic function 1 / (1 + e^-x), finite at both tails; gradient dy * σ(x) * (1 - σ(x)), from the saved output.</summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> Sigmoid<T>(this NdArray<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => NdArray.Sigmoid(x);

    static void SigmoidBackward<T>(NdArray<T> dy, NdArray<T> output, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        OpKernels.WriteGradientOf<T, SigmoidGradient<T>>(dx, dy, output, "Sigmoid");
    }

    /// <summary>max(x, 0); gradient dy where x &gt; 0, else 0 (also at x = 0).</summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> Relu<T>(this NdArray<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => NdArray.Relu(x);

    static void ReluBackward<T>(NdArray<T> dy, NdArray<T> x, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        OpKernels.WriteGradientOf<T, ReluGradient<T>>(dx, dy, x, "Relu");
    }

    /// <summary>x where x &gt; 0, else <paramref name="slope"/> * x; gradient dy where x &gt; 0, else slope * dy.</summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> LeakyRelu<T>(this NdArray<T> x, double slope = 0.01)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        OpKernels.Map<T, LeakyLinear<T>>(x, NdArray.Scalar(T.CreateChecked(slope)), "LeakyRelu");

    static void LeakyReluBackward<T>(NdArray<T> dy, NdArray<T> x, double slope, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            OpKernels.WriteGated<T, LeakyStep<T>>(dx, dy, x, NdArray.Scalar(T.CreateChecked(slope)), "LeakyRelu");
    }

    /// <summary>ln(1 + e^x), computed as max(x, 0) + ln(1 + e^-|x|) so it never overflows; gradient dy * σ(x).</summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> Softplus<T>(this NdArray<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => OpKernels.Map<T, StableSoftplus<T>>(x, "Softplus");

    static void SoftplusBackward<T>(NdArray<T> dy, NdArray<T> x, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            OpKernels.WriteGradient<T, MultiplyOperator<T>>(dx, dy, NdArray.Sigmoid(x), "Softplus");
    }

    private readonly struct SignFunction<T> : IElementFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Invoke(T x) => x > T.Zero ? T.One : x < T.Zero ? -T.One : T.Zero;
    }

    /// <summary>dy / (2√x), from the saved output √x.</summary>
    private readonly struct SqrtGradient<T> : IGradientFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Invoke(T dy, T sqrt) => dy / (sqrt + sqrt);

        public static Vector<T> Invoke(Vector<T> dy, Vector<T> sqrt) => dy / (sqrt + sqrt);
    }

    /// <summary>dy * (1 - tanh² x), from the saved output tanh x.</summary>
    private readonly struct TanhGradient<T> : IGradientFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Invoke(T dy, T tanh) => dy * (T.One - tanh * tanh);

        public static Vector<T> Invoke(Vector<T> dy, Vector<T> tanh) => dy * (Vector<T>.One - tanh * tanh);
    }

    /// <summary>dy * σ(x) * (1 - σ(x)), from the saved output σ(x).</summary>
    private readonly struct SigmoidGradient<T> : IGradientFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Invoke(T dy, T sigmoid) => dy * (sigmoid * (T.One - sigmoid));

        public static Vector<T> Invoke(Vector<T> dy, Vector<T> sigmoid) => dy * (sigmoid * (Vector<T>.One - sigmoid));
    }

    private readonly struct PositiveStep<T> : IElementFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Invoke(T x) => x > T.Zero ? T.One : T.Zero;
    }

    /// <summary>dy where x &gt; 0, else exactly 0 (whatever dy is).</summary>
    private readonly struct ReluGradient<T> : IGradientFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Invoke(T dy, T x) => x > T.Zero ? dy : T.Zero;

        public static Vector<T> Invoke(Vector<T> dy, Vector<T> x) => Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<T>.Zero), dy, Vector<T>.Zero);
    }

    /// <summary>1 where x &gt; 0, else the slope.</summary>
    private readonly struct LeakyStep<T> : IElementFunction2<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Invoke(T x, T slope) => x > T.Zero ? T.One : slope;
    }

    /// <summary>x where x &gt; 0, else slope * x.</summary>
    private readonly struct LeakyLinear<T> : IElementFunction2<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Invoke(T x, T slope) => x > T.Zero ? x : slope * x;
    }

    private readonly struct StableSoftplus<T> : IElementFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Invoke(T x) => T.Max(x, T.Zero) + T.LogP1(T.Exp(-T.Abs(x)));
    }
}
