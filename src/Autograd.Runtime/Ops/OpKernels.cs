using System.Numerics;
using System.Numerics.Tensors;
using Autograd.Kernels;

namespace Autograd;

/// <summary>A scalar function of one element, lifted to arrays by <see cref="OpKernels.Map{T, TOp}(NdArray{T}, string)"/>.</summary>
internal interface IElementFunction<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    static abstract T Invoke(T x);
}

/// <summary>A scalar function of two elements, lifted to broadcast arrays by <see cref="OpKernels.Map{T, TOp}(NdArray{T}, NdArray{T}, string)"/>.</summary>
internal interface IElementFunction2<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    static abstract T Invoke(T x, T y);
}

/// <summary>
/// An op's gradient as a function of the output gradient dy and one saved array y (an input or the
/// output), elementwise: dy · f'(…) in a scalar and a SIMD form, which must agree.
/// </summary>
internal interface IGradientFunction<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    static abstract T Invoke(T dy, T y);
    static abstract Vector<T> Invoke(Vector<T> dy, Vector<T> y);
}

/// <summary>
/// Elementwise helpers the built-in ops need and the shared kernels do not have (yet): any scalar
/// function mapped over strided, broadcast arrays through the same loops as the kernels.
/// </summary>
internal static class OpKernels
{
    /// <summary>f(x) for every element, into a new contiguous array.</summary>
    public static NdArray<T> Map<T, TOp>(NdArray<T> x, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : IElementFunction<T> => NdArray.Unary<T, UnaryAdapter<T, TOp>>(x, null, operation);

    /// <summary>f(x, y) for every element of the broadcast shape, into a new contiguous array.</summary>
    public static NdArray<T> Map<T, TOp>(NdArray<T> x, NdArray<T> y, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : IElementFunction2<T> => NdArray.Binary<T, BinaryAdapter<T, TOp>>(x, y, null, operation);

    /// <summary>
    /// dy * factor, broadcast, except that where the factor is 0 the result is exactly 0, even where dy
    /// is infinite or NaN: the gradient through a branch not taken (relu below 0, the smaller input of
    /// a maximum, a dropped element), where the function is constant and its gradient is 0, as in PyTorch.
    /// </summary>
    public static NdArray<T> Gate<T>(NdArray<T> dy, NdArray<T> factor, string operation)
        where T : unmanaged, IFloatingPointIeee754<T> => NdArray.Binary<T, GradientOperator<T, GatedProduct<T>>>(dy, factor, null, operation);

    /// <summary><see cref="Gate{T}"/> given to <paramref name="slot"/>, straight into its buffer where it can be (<see cref="WriteGradient{T, TOp}"/>).</summary>
    public static void WriteGated<T>(GradSlot<T> slot, NdArray<T> dy, NdArray<T> factor, string operation)
        where T : unmanaged, IFloatingPointIeee754<T> => WriteGradientOf<T, GatedProduct<T>>(slot, dy, factor, operation);

    /// <summary><see cref="WriteGated{T}"/> by the factor f(x): a local derivative of one input.</summary>
    public static void WriteGated<T, TFactor>(GradSlot<T> slot, NdArray<T> dy, NdArray<T> x, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TFactor : IElementFunction<T> => WriteGated(slot, dy, Map<T, TFactor>(x, operation), operation);

    /// <summary><see cref="WriteGated{T}"/> by the factor f(x, y): a local derivative of two inputs, broadcast.</summary>
    public static void WriteGated<T, TFactor>(GradSlot<T> slot, NdArray<T> dy, NdArray<T> x, NdArray<T> y, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TFactor : IElementFunction2<T> => WriteGated(slot, dy, Map<T, TFactor>(x, y, operation), operation);

    /// <summary>
    /// Gives <paramref name="slot"/> the gradient TOp(dy, y), with dy of the op's output shape and y
    /// broadcast to it. When the input has that shape (nothing to sum), it is computed straight into the
    /// slot's buffer: written when it is the first gradient to arrive, added otherwise, so nothing is
    /// allocated. Else it is computed, then summed over the broadcast axes into the buffer by the slot.
    /// </summary>
    public static void WriteGradient<T, TOp>(GradSlot<T> slot, NdArray<T> dy, NdArray<T> y, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : IBinaryOperator<T>
    {
        if (!slot.IsNeeded)
            return;
        if (!Shapes.BroadcastsTo(dy.Shape, slot.Shape) || !Shapes.BroadcastsTo(y.Shape, slot.Shape))
        {
            slot.Accumulate(NdArray.Binary<T, TOp>(dy, y, null, operation));
            return;
        }
        var buffer = slot.GetBuffer(out var accumulate);
        NdArray.Binary<T, TOp>(dy, y, buffer, operation, accumulate);
    }

    /// <summary><see cref="WriteGradient{T, TOp}"/> of the gradient function <typeparamref name="TFunction"/>, run with SIMD over contiguous rows.</summary>
    public static void WriteGradientOf<T, TFunction>(GradSlot<T> slot, NdArray<T> dy, NdArray<T> y, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TFunction : IGradientFunction<T> => WriteGradient<T, GradientOperator<T, TFunction>>(slot, dy, y, operation);

    /// <summary>The shape a reduction over <paramref name="axes"/> (all when null) leaves with keepDims: reduced axes become 1.</summary>
    public static int[] KeptShape(ReadOnlySpan<int> shape, int[]? axes, string operation)
    {
        var mask = Shapes.AxisMask(axes, axes is null, shape, operation);
        var kept = shape.ToArray();
        for (var axis = 0; axis < kept.Length; axis++)
        {
            if (mask[axis])
                kept[axis] = 1;
        }
        return kept;
    }

    /// <summary>The permutation that swaps the last two axes of an array of <paramref name="rank"/> ≥ 2.</summary>
    public static int[] SwapLastTwo(int rank)
    {
        var axes = new int[rank];
        for (var i = 0; i < rank; i++)
            axes[i] = i;
        (axes[rank - 2], axes[rank - 1]) = (axes[rank - 1], axes[rank - 2]);
        return axes;
    }

    /// <summary>dy * factor, and 0 where the factor is 0 whatever dy is (without a branch per element in the SIMD form).</summary>
    private readonly struct GatedProduct<T> : IGradientFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Invoke(T dy, T factor) => factor == T.Zero ? T.Zero : dy * factor;

        public static Vector<T> Invoke(Vector<T> dy, Vector<T> factor) =>
            Vector.ConditionalSelect(Vector.Equals(factor, Vector<T>.Zero), Vector<T>.Zero, dy * factor);
    }

    /// <summary>A gradient function as a binary operator: contiguous rows (a broadcast scalar operand too) a vector at a time.</summary>
    internal readonly struct GradientOperator<T, TFunction> : IBinaryOperator<T>
        where T : unmanaged, IFloatingPointIeee754<T>
        where TFunction : IGradientFunction<T>
    {
        public static T Invoke(T dy, T y) => TFunction.Invoke(dy, y);

        public static void Invoke(ReadOnlySpan<T> dy, ReadOnlySpan<T> y, Span<T> destination) => Run(dy, y, destination);

        public static void Invoke(ReadOnlySpan<T> dy, T y, Span<T> destination) => Run(dy, new ReadOnlySpan<T>(in y), destination);

        public static void Invoke(T dy, ReadOnlySpan<T> y, Span<T> destination) => Run(new ReadOnlySpan<T>(in dy), y, destination);

        /// <summary>Each operand has the destination's length, or length 1 for a scalar broadcast over it.</summary>
        private static void Run(ReadOnlySpan<T> dy, ReadOnlySpan<T> y, Span<T> destination)
        {
            bool dyScalar = dy.Length == 1, yScalar = y.Length == 1;
            var i = 0;
            if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported && destination.Length >= Vector<T>.Count)
            {
                Vector<T> dyAll = new(dy[0]), yAll = new(y[0]);
                for (; i <= destination.Length - Vector<T>.Count; i += Vector<T>.Count)
                    TFunction.Invoke(dyScalar ? dyAll : new Vector<T>(dy[i..]), yScalar ? yAll : new Vector<T>(y[i..])).CopyTo(destination[i..]);
            }
            for (; i < destination.Length; i++)
                destination[i] = TFunction.Invoke(dy[dyScalar ? 0 : i], y[yScalar ? 0 : i]);
        }
    }

    private readonly struct UnaryAdapter<T, TOp> : IUnaryOperator<T>
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : IElementFunction<T>
    {
        public static T Invoke(T x) => TOp.Invoke(x);

        public static void Invoke(ReadOnlySpan<T> x, Span<T> destination)
        {
            for (var i = 0; i < x.Length; i++)
                destination[i] = TOp.Invoke(x[i]);
        }
    }

    private readonly struct BinaryAdapter<T, TOp> : IBinaryOperator<T>
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : IElementFunction2<T>
    {
        public static T Invoke(T x, T y) => TOp.Invoke(x, y);

        public static void Invoke(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination)
        {
            for (var i = 0; i < x.Length; i++)
                destination[i] = TOp.Invoke(x[i], y[i]);
        }

        public static void Invoke(ReadOnlySpan<T> x, T y, Span<T> destination)
        {
            for (var i = 0; i < x.Length; i++)
                destination[i] = TOp.Invoke(x[i], y);
        }

        public static void Invoke(T x, ReadOnlySpan<T> y, Span<T> destination)
        {
            for (var i = 0; i < y.Length; i++)
                destination[i] = TOp.Invoke(x, y[i]);
        }
    }
}
