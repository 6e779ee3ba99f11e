using System.Numerics;
using Autograd.Kernels;

namespace Autograd;

/// <summary>
/// The built-in differentiable ops. Each is a <see cref="DifferentiableOpAttribute"/> forward with its
/// backward beside it: called with <see cref="NdArray{T}"/> arguments an op returns a plain array and
/// records nothing; the generated overloads taking <see cref="Variable{T}"/> record a graph node.
/// Binary elementwise ops broadcast like numpy, and their gradients are summed back to each input's shape.
/// </summary>
public static partial class Ops
{
    /// <summary>x1 + x2, broadcast; gradient dy to both inputs (summed to each input's shape).</summary>
    [DifferentiableOp(Name = "+", DifferentiableTwice = true)]
    public static NdArray<T> Add<T>(this NdArray<T> x1, NdArray<T> x2)
        where T : unmanaged, IFloatingPointIeee754<T> => NdArray.Add(x1, x2);

    static void AddBackward<T>(NdArray<T> dy, GradSlot<T> dx1, GradSlot<T> dx2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        dx1.Accumulate(dy);
        dx2.Accumulate(dy);
    }

    /// <summary>x1 - x2, broadcast; gradient dy to x1 and -dy to x2.</summary>
    [DifferentiableOp(Name = "-", DifferentiableTwice = true)]
    public static NdArray<T> Subtract<T>(this NdArray<T> x1, NdArray<T> x2)
        where T : unmanaged, IFloatingPointIeee754<T> => NdArray.Subtract(x1, x2);

    static void SubtractBackward<T>(NdArray<T> dy, GradSlot<T> dx1, GradSlot<T> dx2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        dx1.Accumulate(dy);
        OpKernels.WriteGradient<T, MultiplyOperator<T>>(dx2, dy, MinusOne<T>(), "Subtract");
    }

    /// <summary>x1 * x2, broadcast; gradient dy * x2 to x1 and dy * x1 to x2.</summary>
    [DifferentiableOp(Name = "*", DifferentiableTwice = true)]
    public static NdArray<T> Multiply<T>(this NdArray<T> x1, NdArray<T> x2)
        where T : unmanaged, IFloatingPointIeee754<T> => NdArray.Multiply(x1, x2);

    // x2 is saved only for dx1 and x1 only for dx2: WriteGradient reads neither unless its slot is needed.
    static void MultiplyBackward<T>(NdArray<T> dy, [SavedFor(nameof(dx2))] NdArray<T>? x1, [SavedFor(nameof(dx1))] NdArray<T>? x2, GradSlot<T> dx1, GradSlot<T> dx2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        OpKernels.WriteGradient<T, MultiplyOperator<T>>(dx1, dy, x2!, "Multiply");
        OpKernels.WriteGradient<T, MultiplyOperator<T>>(dx2, dy, x1!, "Multiply");
    }

    /// <summary>x1 / x2, broadcast; gradient dy / x2 to x1 and -dy * x1 / x2² to x2.</summary>
    [DifferentiableOp(Name = "/", DifferentiableTwice = true)]
    public static NdArray<T> Divide<T>(this NdArray<T> x1, NdArray<T> x2)
        where T : unmanaged, IFloatingPointIeee754<T> => NdArray.Divide(x1, x2);

    static void DivideBackward<T>(NdArray<T> dy, NdArray<T> x2, [SavedFor(nameof(dx2))] NdArray<T>? output, GradSlot<T> dx1, GradSlot<T> dx2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!dx2.IsNeeded)
        {
            OpKernels.WriteGradient<T, DivideOperator<T>>(dx1, dy, x2, "Divide");
            return;
        }
        var scaled = NdArray.Divide(dy, x2);
        OpKernels.WriteGradientOf<T, NegatedProduct<T>>(dx2, scaled, output!, "Divide"); // -dy * (x1 / x2) / x2
        dx1.Accumulate(scaled);
    }

    /// <summary>-x; gradient -dy.</summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> Negate<T>(this NdArray<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => NdArray.Negate(x);

    static void NegateBackward<T>(NdArray<T> dy, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T> => OpKernels.WriteGradient<T, MultiplyOperator<T>>(dx, dy, MinusOne<T>(), "Negate");

    /// <summary>-1 as an array, for -dy as dy * -1 (exactly -dy, signed zeros and NaN included) written straight into a gradient buffer.</summary>
    private static NdArray<T> MinusOne<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => NdArray.Scalar(-T.One);

    /// <summary>A copy of x with its own buffer (what <c>Variable.Clone()</c> records); gradient dy.</summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> Copy<T>(NdArray<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.Clone();
    }

    static void CopyBackward<T>(NdArray<T> dy, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T> => dx.Accumulate(dy);

    /// <summary>
    /// x1 to the power x2, broadcast; gradient dy * x2 * x1^(x2 - 1) to x1 (0 where x2 = 0) and
    /// dy * x1^x2 * ln x1 to x2 (0 where x1 = 0 and x2 ≥ 0, as in PyTorch; NaN for a negative base,
    /// whose logarithm is undefined). Where a factor is 0 the gradient is exactly 0, whatever dy is.
    /// </summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> Pow<T>(this NdArray<T> x1, NdArray<T> x2)
        where T : unmanaged, IFloatingPointIeee754<T> => NdArray.Pow(x1, x2);

    static void PowBackward<T>(NdArray<T> dy, NdArray<T> x1, NdArray<T> x2, GradSlot<T> dx1, GradSlot<T> dx2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx1.IsNeeded)
            OpKernels.WriteGated<T, PowDerivative<T>>(dx1, dy, x1, x2, "Pow");
        if (dx2.IsNeeded)
            OpKernels.WriteGated<T, PowExponentDerivative<T>>(dx2, dy, x1, x2, "Pow");
    }

    /// <summary>x to the constant power <paramref name="exponent"/>; gradient dy * exponent * x^(exponent - 1) (0 when the exponent is 0).</summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> PowScalar<T>(this NdArray<T> x, T exponent)
        where T : unmanaged, IFloatingPointIeee754<T> => NdArray.Pow(x, exponent);

    static void PowScalarBackward<T>(NdArray<T> dy, NdArray<T> x, T exponent, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            OpKernels.WriteGated<T, PowDerivative<T>>(dx, dy, x, NdArray.Scalar(exponent), "PowScalar");
    }

    /// <summary>
    /// The elementwise larger of x1 and x2, broadcast; gradient dy to the larger input, split equally
    /// (dy / 2 each) where they tie. A NaN wins: the result is NaN and dy goes to the NaN input.
    /// </summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> Maximum<T>(this NdArray<T> x1, NdArray<T> x2)
        where T : unmanaged, IFloatingPointIeee754<T> => NdArray.Maximum(x1, x2);

    static void MaximumBackward<T>(NdArray<T> dy, NdArray<T> x1, NdArray<T> x2, GradSlot<T> dx1, GradSlot<T> dx2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx1.IsNeeded)
            OpKernels.WriteGated<T, WinnerShare<T>>(dx1, dy, x1, x2, "Maximum");
        if (dx2.IsNeeded)
            OpKernels.WriteGated<T, WinnerShare<T>>(dx2, dy, x2, x1, "Maximum");
    }

    /// <summary>
    /// The elementwise smaller of x1 and x2, broadcast; gradient dy to the smaller input, split equally
    /// (dy / 2 each) where they tie. A NaN wins: the result is NaN and dy goes to the NaN input.
    /// </summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> Minimum<T>(this NdArray<T> x1, NdArray<T> x2)
        where T : unmanaged, IFloatingPointIeee754<T> => NdArray.Minimum(x1, x2);

    static void MinimumBackward<T>(NdArray<T> dy, NdArray<T> x1, NdArray<T> x2, GradSlot<T> dx1, GradSlot<T> dx2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx1.IsNeeded)
            OpKernels.WriteGated<T, SmallerShare<T>>(dx1, dy, x1, x2, "Minimum");
        if (dx2.IsNeeded)
            OpKernels.WriteGated<T, SmallerShare<T>>(dx2, dy, x2, x1, "Minimum");
    }

    /// <summary>-(a * b).</summary>
    private readonly struct NegatedProduct<T> : IGradientFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Invoke(T a, T b) => -(a * b);

        public static Vector<T> Invoke(Vector<T> a, Vector<T> b) => -(a * b);
    }

    /// <summary>d/dx of x^y: y * x^(y - 1), and 0 for y = 0 (where 0 * 0^-1 would be NaN).</summary>
    private readonly struct PowDerivative<T> : IElementFunction2<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Invoke(T x, T y) => y == T.Zero ? T.Zero : y * T.Pow(x, y - T.One);
    }

    /// <summary>
    /// d/dy of x^y: x^y * ln x, and 0 where x = 0 and y ≥ 0 (PyTorch's choice: 0^y is 0 for every
    /// y &gt; 0, where x^y * ln x would give 0 * -∞ = NaN or, at y = 0, -∞).
    /// </summary>
    private readonly struct PowExponentDerivative<T> : IElementFunction2<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Invoke(T x, T y) => x == T.Zero && y >= T.Zero ? T.Zero : T.Pow(x, y) * T.Log(x);
    }

    /// <summary>
    /// 1 where a beats b (is larger), 1/2 on a tie, 0 otherwise. A NaN beats any number (the kernels
    /// return it) and ties with a NaN.
    /// </summary>
    private readonly struct WinnerShare<T> : IElementFunction2<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Invoke(T a, T b) => NaNShare(a, b) ?? (a > b ? T.One : a == b ? T.CreateChecked(0.5) : T.Zero);
    }

    /// <summary>1 where a beats b (is smaller), 1/2 on a tie, 0 otherwise; NaN as in <see cref="WinnerShare{T}"/>.</summary>
    private readonly struct SmallerShare<T> : IElementFunction2<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Invoke(T a, T b) => NaNShare(a, b) ?? (a < b ? T.One : a == b ? T.CreateChecked(0.5) : T.Zero);
    }

    /// <summary>a's share when either is NaN (a NaN wins, two NaNs tie), else null.</summary>
    private static T? NaNShare<T>(T a, T b)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        T.IsNaN(a) ? (T.IsNaN(b) ? T.CreateChecked(0.5) : T.One) : T.IsNaN(b) ? T.Zero : null;
}
