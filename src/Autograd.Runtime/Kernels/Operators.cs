using System.Numerics;
using System.Numerics.Tensors;

namespace Autograd.Kernels;

/// <summary>
/// An elementwise binary operation: one scalar form for strided views and span forms that go
/// through <see cref="TensorPrimitives"/> (SIMD) for contiguous rows.
/// </summary>
internal interface IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    static abstract T Invoke(T x, T y);
    static abstract void Invoke(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination);
    static abstract void Invoke(ReadOnlySpan<T> x, T y, Span<T> destination);
    static abstract void Invoke(T x, ReadOnlySpan<T> y, Span<T> destination);
}

/// <summary>An elementwise unary operation: a scalar form and a contiguous span form.</summary>
internal interface IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    static abstract T Invoke(T x);
    static abstract void Invoke(ReadOnlySpan<T> x, Span<T> destination);
}

/// <summary>A binary operation that folds many elements into one, starting from its identity.</summary>
internal interface IReduceOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    static abstract T Identity { get; }
    static abstract T Aggregate(ReadOnlySpan<T> x);
}

internal readonly struct AddOperator<T> : IReduceOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Identity => T.Zero;
    public static T Invoke(T x, T y) => x + y;
    public static void Invoke(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination) => TensorPrimitives.Add(x, y, destination);
    public static void Invoke(ReadOnlySpan<T> x, T y, Span<T> destination) => TensorPrimitives.Add(x, y, destination);
    public static void Invoke(T x, ReadOnlySpan<T> y, Span<T> destination) => TensorPrimitives.Add(y, x, destination);
    public static T Aggregate(ReadOnlySpan<T> x) => TensorPrimitives.Sum(x);
}

internal readonly struct SubtractOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Invoke(T x, T y) => x - y;
    public static void Invoke(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination) => TensorPrimitives.Subtract(x, y, destination);
    public static void Invoke(ReadOnlySpan<T> x, T y, Span<T> destination) => TensorPrimitives.Subtract(x, y, destination);
    public static void Invoke(T x, ReadOnlySpan<T> y, Span<T> destination) => TensorPrimitives.Subtract(x, y, destination);
}

internal readonly struct MultiplyOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Invoke(T x, T y) => x * y;
    public static void Invoke(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination) => TensorPrimitives.Multiply(x, y, destination);
    public static void Invoke(ReadOnlySpan<T> x, T y, Span<T> destination) => TensorPrimitives.Multiply(x, y, destination);
    public static void Invoke(T x, ReadOnlySpan<T> y, Span<T> destination) => TensorPrimitives.Multiply(y, x, destination);
}

internal readonly struct DivideOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Invoke(T x, T y) => x / y;
    public static void Invoke(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination) => TensorPrimitives.Divide(x, y, destination);
    public static void Invoke(ReadOnlySpan<T> x, T y, Span<T> destination) => TensorPrimitives.Divide(x, y, destination);
    public static void Invoke(T x, ReadOnlySpan<T> y, Span<T> destination) => TensorPrimitives.Divide(x, y, destination);
}

internal readonly struct PowOperator<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Invoke(T x, T y) => T.Pow(x, y);
    public static void Invoke(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination) => TensorPrimitives.Pow(x, y, destination);
    public static void Invoke(ReadOnlySpan<T> x, T y, Span<T> destination) => TensorPrimitives.Pow(x, y, destination);
    public static void Invoke(T x, ReadOnlySpan<T> y, Span<T> destination) => TensorPrimitives.Pow(x, y, destination);
}

/// <summary>The larger of two elements; NaN if either is NaN.</summary>
internal readonly struct MaximumOperator<T> : IReduceOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Identity => T.NegativeInfinity;
    public static T Invoke(T x, T y) => T.Max(x, y);
    public static void Invoke(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination) => TensorPrimitives.Max(x, y, destination);
    public static void Invoke(ReadOnlySpan<T> x, T y, Span<T> destination) => TensorPrimitives.Max(x, y, destination);
    public static void Invoke(T x, ReadOnlySpan<T> y, Span<T> destination) => TensorPrimitives.Max(y, x, destination);
    public static T Aggregate(ReadOnlySpan<T> x) => TensorPrimitives.Max(x);
}

/// <summary>The smaller of two elements; NaN if either is NaN.</summary>
internal readonly struct MinimumOperator<T> : IReduceOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Identity => T.PositiveInfinity;
    public static T Invoke(T x, T y) => T.Min(x, y);
    public static void Invoke(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination) => TensorPrimitives.Min(x, y, destination);
    public static void Invoke(ReadOnlySpan<T> x, T y, Span<T> destination) => TensorPrimitives.Min(x, y, destination);
    public static void Invoke(T x, ReadOnlySpan<T> y, Span<T> destination) => TensorPrimitives.Min(y, x, destination);
    public static T Aggregate(ReadOnlySpan<T> x) => TensorPrimitives.Min(x);
}

/// <summary>Copies its input; the unary form of assignment, used by copies and broadcasts.</summary>
internal readonly struct IdentityOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Invoke(T x) => x;
    public static void Invoke(ReadOnlySpan<T> x, Span<T> destination) => x.CopyTo(destination);
}

internal readonly struct NegateOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Invoke(T x) => -x;
    public static void Invoke(ReadOnlySpan<T> x, Span<T> destination) => TensorPrimitives.Negate(x, destination);
}

internal readonly struct ExpOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Invoke(T x) => T.Exp(x);
    public static void Invoke(ReadOnlySpan<T> x, Span<T> destination) => TensorPrimitives.Exp(x, destination);
}

internal readonly struct LogOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Invoke(T x) => T.Log(x);
    public static void Invoke(ReadOnlySpan<T> x, Span<T> destination) => TensorPrimitives.Log(x, destination);
}

internal readonly struct SqrtOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Invoke(T x) => T.Sqrt(x);
    public static void Invoke(ReadOnlySpan<T> x, Span<T> destination) => TensorPrimitives.Sqrt(x, destination);
}

internal readonly struct AbsOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Invoke(T x) => T.Abs(x);
    public static void Invoke(ReadOnlySpan<T> x, Span<T> destination) => TensorPrimitives.Abs(x, destination);
}

internal readonly struct SinOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Invoke(T x) => T.Sin(x);
    public static void Invoke(ReadOnlySpan<T> x, Span<T> destination) => TensorPrimitives.Sin(x, destination);
}

internal readonly struct CosOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Invoke(T x) => T.Cos(x);
    public static void Invoke(ReadOnlySpan<T> x, Span<T> destination) => TensorPrimitives.Cos(x, destination);
}

internal readonly struct TanhOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Invoke(T x) => T.Tanh(x);
    public static void Invoke(ReadOnlySpan<T> x, Span<T> destination) => TensorPrimitives.Tanh(x, destination);
}

/// <summary>1 / (1 + e^-x), written so that neither tail overflows.</summary>
internal readonly struct SigmoidOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Invoke(T x)
    {
        if (x >= T.Zero)
            return T.One / (T.One + T.Exp(-x));
        var e = T.Exp(x);
        return e / (T.One + e);
    }

    public static void Invoke(ReadOnlySpan<T> x, Span<T> destination) => TensorPrimitives.Sigmoid(x, destination);
}

internal readonly struct ReluOperator<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Invoke(T x) => T.Max(x, T.Zero);
    public static void Invoke(ReadOnlySpan<T> x, Span<T> destination) => TensorPrimitives.Max(x, T.Zero, destination);
}
