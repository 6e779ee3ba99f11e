using System.Numerics;
using Autograd.Kernels;

namespace Autograd;

// Elementwise unary kernels: each returns a new array, or writes into a destination of x's shape,
// or (the InPlace form) overwrites x. NaN in gives NaN out. A destination of another shape than x
// throws ArgumentException naming both shapes.
public static partial class NdArray
{
    /// <summary>-x, elementwise (into: a destination of x's shape, or null for a new array).</summary>
    public static NdArray<T> Negate<T>(NdArray<T> x, NdArray<T>? into = null)
        where T : unmanaged, IFloatingPointIeee754<T> => Unary<T, NegateOperator<T>>(x, into, nameof(Negate));

    /// <summary>x = -x, elementwise; returns <paramref name="x"/>.</summary>
    public static NdArray<T> NegateInPlace<T>(NdArray<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Unary<T, NegateOperator<T>>(x, x, nameof(NegateInPlace));

    /// <summary>e to the power x, elementwise: +∞ once it overflows, 0 once it underflows.</summary>
    public static NdArray<T> Exp<T>(NdArray<T> x, NdArray<T>? into = null)
        where T : unmanaged, IFloatingPointIeee754<T> => Unary<T, ExpOperator<T>>(x, into, nameof(Exp));

    /// <summary>x = e to the power x, elementwise; returns <paramref name="x"/>.</summary>
    public static NdArray<T> ExpInPlace<T>(NdArray<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Unary<T, ExpOperator<T>>(x, x, nameof(ExpInPlace));

    /// <summary>The natural logarithm of x, elementwise: -∞ at 0, NaN below 0.</summary>
    public static NdArray<T> Log<T>(NdArray<T> x, NdArray<T>? into = null)
        where T : unmanaged, IFloatingPointIeee754<T> => Unary<T, LogOperator<T>>(x, into, nameof(Log));

    /// <summary>x = the natural logarithm of x, elementwise (-∞ at 0, NaN below 0); returns <paramref name="x"/>.</summary>
    public static NdArray<T> LogInPlace<T>(NdArray<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Unary<T, LogOperator<T>>(x, x, nameof(LogInPlace));

    /// <summary>The square root of x, elementwise: NaN below 0 (and -0 for -0).</summary>
    public static NdArray<T> Sqrt<T>(NdArray<T> x, NdArray<T>? into = null)
        where T : unmanaged, IFloatingPointIeee754<T> => Unary<T, SqrtOperator<T>>(x, into, nameof(Sqrt));

    /// <summary>x = the square root of x, elementwise (NaN below 0); returns <paramref name="x"/>.</summary>
    public static NdArray<T> SqrtInPlace<T>(NdArray<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Unary<T, SqrtOperator<T>>(x, x, nameof(SqrtInPlace));

    /// <summary>|x|, elementwise.</summary>
    public static NdArray<T> Abs<T>(NdArray<T> x, NdArray<T>? into = null)
        where T : unmanaged, IFloatingPointIeee754<T> => Unary<T, AbsOperator<T>>(x, into, nameof(Abs));

    /// <summary>x = |x|, elementwise; returns <paramref name="x"/>.</summary>
    public static NdArray<T> AbsInPlace<T>(NdArray<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Unary<T, AbsOperator<T>>(x, x, nameof(AbsInPlace));

    /// <summary>sin x (radians), elementwise: NaN at ±∞.</summary>
    public static NdArray<T> Sin<T>(NdArray<T> x, NdArray<T>? into = null)
        where T : unmanaged, IFloatingPointIeee754<T> => Unary<T, SinOperator<T>>(x, into, nameof(Sin));

    /// <summary>x = sin x, elementwise; returns <paramref name="x"/>.</summary>
    public static NdArray<T> SinInPlace<T>(NdArray<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Unary<T, SinOperator<T>>(x, x, nameof(SinInPlace));

    /// <summary>cos x (radians), elementwise: NaN at ±∞.</summary>
    public static NdArray<T> Cos<T>(NdArray<T> x, NdArray<T>? into = null)
        where T : unmanaged, IFloatingPointIeee754<T> => Unary<T, CosOperator<T>>(x, into, nameof(Cos));

    /// <summary>x = cos x, elementwise; returns <paramref name="x"/>.</summary>
    public static NdArray<T> CosInPlace<T>(NdArray<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Unary<T, CosOperator<T>>(x, x, nameof(CosInPlace));

    /// <summary>tanh x, elementwise: ±1 at the tails.</summary>
    public static NdArray<T> Tanh<T>(NdArray<T> x, NdArray<T>? into = null)
        where T : unmanaged, IFloatingPointIeee754<T> => Unary<T, TanhOperator<T>>(x, into, nameof(Tanh));

    /// <summary>x = tanh x, elementwise; returns <paramref name="x"/>.</summary>
    public static NdArray<T> TanhInPlace<T>(NdArray<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Unary<T, TanhOperator<T>>(x, x, nameof(TanhInPlace));

    /// <summary>1 / (1 + e^-x), finite at both tails, elementwise.</summary>
    public static NdArray<T> Sigmoid<T>(NdArray<T> x, NdArray<T>? into = null)
        where T : unmanaged, IFloatingPointIeee754<T> => Unary<T, SigmoidOperator<T>>(x, into, nameof(Sigmoid));

    /// <summary>x = 1 / (1 + e^-x), finite at both tails, elementwise; returns <paramref name="x"/>.</summary>
    public static NdArray<T> SigmoidInPlace<T>(NdArray<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Unary<T, SigmoidOperator<T>>(x, x, nameof(SigmoidInPlace));

    /// <summary>max(x, 0), elementwise; NaN stays NaN.</summary>
    public static NdArray<T> Relu<T>(NdArray<T> x, NdArray<T>? into = null)
        where T : unmanaged, IFloatingPointIeee754<T> => Unary<T, ReluOperator<T>>(x, into, nameof(Relu));

    /// <summary>x = max(x, 0), elementwise (NaN stays NaN); returns <paramref name="x"/>.</summary>
    public static NdArray<T> ReluInPlace<T>(NdArray<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Unary<T, ReluOperator<T>>(x, x, nameof(ReluInPlace));
}
