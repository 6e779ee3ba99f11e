using System.Numerics;
using Autograd.Kernels;

namespace Autograd;

// Elementwise kernels with numpy broadcasting. Each op comes in four forms: returning a new array,
// writing into a destination of the broadcast shape (`into`), in place on its first argument
// (the seed's `addeq`, `muleq`, …), and with a scalar as the second operand (Subtract and Divide
// also take one as the first). NaN in any operand gives NaN, except that Pow follows IEEE pow:
// NaN to the power 0 and 1 to the power NaN are 1.
// Shapes that do not broadcast, or a destination of another shape than the result, throw
// ArgumentException naming the op and the shapes. A destination may be an operand: an operand that
// overlaps it in another layout is copied first, so the result is as if computed out of place.
// Add, Subtract, Multiply and Divide into a destination take `accumulate: true` to add the result
// into it instead (into += x op y, as a backward adds into a gradient buffer), in the same one pass.
public static partial class NdArray
{
    /// <summary>x + y, broadcast; with <c>accumulate</c>, added into <c>into</c>.</summary>
    public static NdArray<T> Add<T>(NdArray<T> x, NdArray<T> y, NdArray<T>? into = null, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T> => Binary<T, AddOperator<T>>(x, y, into, nameof(Add), accumulate);

    /// <summary>x + y for every element of <paramref name="x"/>.</summary>
    public static NdArray<T> Add<T>(NdArray<T> x, T y)
        where T : unmanaged, IFloatingPointIeee754<T> => Binary<T, AddOperator<T>>(x, Scalar(y), null, nameof(Add));

    /// <summary>x += y, broadcasting <paramref name="y"/> to <paramref name="x"/>'s shape; returns <paramref name="x"/>.</summary>
    public static NdArray<T> AddInPlace<T>(NdArray<T> x, NdArray<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => Binary<T, AddOperator<T>>(x, y, x, nameof(AddInPlace));

    /// <summary>x - y, broadcast; with <c>accumulate</c>, added into <c>into</c>.</summary>
    public static NdArray<T> Subtract<T>(NdArray<T> x, NdArray<T> y, NdArray<T>? into = null, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T> => Binary<T, SubtractOperator<T>>(x, y, into, nameof(Subtract), accumulate);

    /// <summary>x - y for every element of <paramref name="x"/>.</summary>
    public static NdArray<T> Subtract<T>(NdArray<T> x, T y)
        where T : unmanaged, IFloatingPointIeee754<T> => Binary<T, SubtractOperator<T>>(x, Scalar(y), null, nameof(Subtract));

    /// <summary>x - y for every element of <paramref name="y"/>.</summary>
    public static NdArray<T> Subtract<T>(T x, NdArray<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => Binary<T, SubtractOperator<T>>(Scalar(x), y, null, nameof(Subtract));

    /// <summary>x -= y, broadcasting <paramref name="y"/> to <paramref name="x"/>'s shape; returns <paramref name="x"/>.</summary>
    public static NdArray<T> SubtractInPlace<T>(NdArray<T> x, NdArray<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => Binary<T, SubtractOperator<T>>(x, y, x, nameof(SubtractInPlace));

    /// <summary>x * y, broadcast; with <c>accumulate</c>, added into <c>into</c> (into += x * y).</summary>
    public static NdArray<T> Multiply<T>(NdArray<T> x, NdArray<T> y, NdArray<T>? into = null, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T> => Binary<T, MultiplyOperator<T>>(x, y, into, nameof(Multiply), accumulate);

    /// <summary>x * y for every element of <paramref name="x"/>.</summary>
    public static NdArray<T> Multiply<T>(NdArray<T> x, T y)
        where T : unmanaged, IFloatingPointIeee754<T> => Binary<T, MultiplyOperator<T>>(x, Scalar(y), null, nameof(Multiply));

    /// <summary>x *= y (the seed's <c>muleq</c>), broadcasting <paramref name="y"/>; returns <paramref name="x"/>.</summary>
    public static NdArray<T> MultiplyInPlace<T>(NdArray<T> x, NdArray<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => Binary<T, MultiplyOperator<T>>(x, y, x, nameof(MultiplyInPlace));

    /// <summary>x / y, broadcast: ±∞ for a nonzero x over 0, NaN for 0 / 0; with <c>accumulate</c>, added into <c>into</c>.</summary>
    public static NdArray<T> Divide<T>(NdArray<T> x, NdArray<T> y, NdArray<T>? into = null, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T> => Binary<T, DivideOperator<T>>(x, y, into, nameof(Divide), accumulate);

    /// <summary>x / y for every element of <paramref name="x"/>.</summary>
    public static NdArray<T> Divide<T>(NdArray<T> x, T y)
        where T : unmanaged, IFloatingPointIeee754<T> => Binary<T, DivideOperator<T>>(x, Scalar(y), null, nameof(Divide));

    /// <summary>x / y for every element of <paramref name="y"/>.</summary>
    public static NdArray<T> Divide<T>(T x, NdArray<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => Binary<T, DivideOperator<T>>(Scalar(x), y, null, nameof(Divide));

    /// <summary>x /= y, broadcasting <paramref name="y"/>; returns <paramref name="x"/>.</summary>
    public static NdArray<T> DivideInPlace<T>(NdArray<T> x, NdArray<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => Binary<T, DivideOperator<T>>(x, y, x, nameof(DivideInPlace));

    /// <summary>x to the power y, broadcast: NaN for a negative x with a non-integer y.</summary>
    public static NdArray<T> Pow<T>(NdArray<T> x, NdArray<T> y, NdArray<T>? into = null)
        where T : unmanaged, IFloatingPointIeee754<T> => Binary<T, PowOperator<T>>(x, y, into, nameof(Pow));

    /// <summary>x to the power y for every element of <paramref name="x"/>.</summary>
    public static NdArray<T> Pow<T>(NdArray<T> x, T y)
        where T : unmanaged, IFloatingPointIeee754<T> => Binary<T, PowOperator<T>>(x, Scalar(y), null, nameof(Pow));

    /// <summary>x = x to the power y, broadcasting <paramref name="y"/>; returns <paramref name="x"/>.</summary>
    public static NdArray<T> PowInPlace<T>(NdArray<T> x, NdArray<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => Binary<T, PowOperator<T>>(x, y, x, nameof(PowInPlace));

    /// <summary>The elementwise larger of x and y, broadcast; NaN wins.</summary>
    public static NdArray<T> Maximum<T>(NdArray<T> x, NdArray<T> y, NdArray<T>? into = null)
        where T : unmanaged, IFloatingPointIeee754<T> => Binary<T, MaximumOperator<T>>(x, y, into, nameof(Maximum));

    /// <summary>The larger of each element of <paramref name="x"/> and <paramref name="y"/>.</summary>
    public static NdArray<T> Maximum<T>(NdArray<T> x, T y)
        where T : unmanaged, IFloatingPointIeee754<T> => Binary<T, MaximumOperator<T>>(x, Scalar(y), null, nameof(Maximum));

    /// <summary>x = max(x, y), broadcasting <paramref name="y"/>; returns <paramref name="x"/>.</summary>
    public static NdArray<T> MaximumInPlace<T>(NdArray<T> x, NdArray<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => Binary<T, MaximumOperator<T>>(x, y, x, nameof(MaximumInPlace));

    /// <summary>The elementwise smaller of x and y, broadcast; NaN wins.</summary>
    public static NdArray<T> Minimum<T>(NdArray<T> x, NdArray<T> y, NdArray<T>? into = null)
        where T : unmanaged, IFloatingPointIeee754<T> => Binary<T, MinimumOperator<T>>(x, y, into, nameof(Minimum));

    /// <summary>The smaller of each element of <paramref name="x"/> and <paramref name="y"/>.</summary>
    public static NdArray<T> Minimum<T>(NdArray<T> x, T y)
        where T : unmanaged, IFloatingPointIeee754<T> => Binary<T, MinimumOperator<T>>(x, Scalar(y), null, nameof(Minimum));

    /// <summary>x = min(x, y), broadcasting <paramref name="y"/>; returns <paramref name="x"/>.</summary>
    public static NdArray<T> MinimumInPlace<T>(NdArray<T> x, NdArray<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => Binary<T, MinimumOperator<T>>(x, y, x, nameof(MinimumInPlace));

    /// <summary>Copies <paramref name="source"/>, broadcast, into <paramref name="destination"/>; returns it.</summary>
    /// <exception cref="ArgumentException"><paramref name="source"/> does not broadcast to the destination's shape.</exception>
    public static NdArray<T> Copy<T>(NdArray<T> source, NdArray<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        BeginWrite(destination, nameof(Copy));
        return Apply<T, IdentityOperator<T>>(source, destination, nameof(Copy));
    }

    /// <summary>Sets every element of <paramref name="destination"/> to <paramref name="value"/>; returns it.</summary>
    public static NdArray<T> Fill<T>(NdArray<T> destination, T value)
        where T : unmanaged, IFloatingPointIeee754<T> => Copy(Scalar(value), destination);

    internal static NdArray<T> Binary<T, TOp>(NdArray<T> x, NdArray<T> y, NdArray<T>? into, string operation, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : IBinaryOperator<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (accumulate && into is null)
            throw new ArgumentException($"{operation}: accumulate: true adds the result into a destination; pass one as into.", nameof(accumulate));
        if (IsSmallRow(x) && IsSmallRow(y) && Shapes.SameShape(x.Shape, y.Shape))
        {
            // The common small case, operands of one shape lying row-major, into a new result or one
            // laid out like them: the broadcast and aliasing work below would cost more than the kernel.
            if (into is null)
            {
                var result = NdArray<T>.ForResult(x);
                TOp.Invoke(RowSpan(x), RowSpan(y), result.Data);
                return result;
            }
            if (IsSmallRow(into) && ReadsInPlace(x, into) && ReadsInPlace(y, into))
            {
                CheckDestination(into, x.Shape, operation);
                Strided.BinaryContiguous<T, TOp>(x.Length, x.Data, x.Offset, y.Data, y.Offset, into.Data, into.Offset, accumulate);
                return into;
            }
        }
        // When one operand already has the result's shape (the common case), the result shares its shape array.
        var like = Shapes.BroadcastsTo(y.Shape, x.Shape) ? x : Shapes.BroadcastsTo(x.Shape, y.Shape) ? y : null;
        var broadcast = like is null ? Shapes.Broadcast(x.Shape, y.Shape, operation) : null;
        if (into is not null)
            CheckDestination(into, like is null ? broadcast : like.Shape, operation);
        var destination = into ?? (like is null ? NdArray<T>.ForResult(broadcast!) : NdArray<T>.ForResult(like));
        x = Operand(x, destination, operation, out var stridesX);
        y = Operand(y, destination, operation, out var stridesY);
        Strided.Binary<T, TOp>(
            destination.Shape,
            x.Data, x.Offset, stridesX,
            y.Data, y.Offset, stridesY,
            destination.Data, destination.Offset, destination.Strides,
            accumulate);
        return destination;
    }

    /// <summary>Applies a unary operator; <paramref name="into"/> (x's shape) may be <paramref name="x"/> itself, or null for a new array.</summary>
    internal static NdArray<T> Unary<T, TOp>(NdArray<T> x, NdArray<T>? into, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : IUnaryOperator<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        if (into is null && IsSmallRow(x))
        {
            var result = NdArray<T>.ForResult(x); // the common small case, as in Binary
            TOp.Invoke(RowSpan(x), result.Data);
            return result;
        }
        if (into is not null)
            CheckDestination(into, x.Shape, operation);
        return Apply<T, TOp>(x, into ?? NdArray<T>.ForResult(x), operation);
    }

    /// <summary>True when <paramref name="x"/> lies row-major in its buffer, is not empty (some span kernels refuse empty spans) and is too small for the kernels to split across threads.</summary>
    private static bool IsSmallRow<T>(NdArray<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => x.Length is > 0 and < Strided.ParallelElements && x.IsRowMajor;

    /// <summary>True when the kernel may read row-major <paramref name="x"/> while writing row-major <paramref name="destination"/> of its shape: another buffer, or each element read where it is written.</summary>
    private static bool ReadsInPlace<T>(NdArray<T> x, NdArray<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => x.Data != destination.Data || x.Offset == destination.Offset;

    private static ReadOnlySpan<T> RowSpan<T>(NdArray<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => x.Data.AsSpan(x.Offset, x.Length);

    /// <summary>destination = op(x), <paramref name="x"/> broadcast to the destination's shape.</summary>
    private static NdArray<T> Apply<T, TOp>(NdArray<T> x, NdArray<T> destination, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : IUnaryOperator<T>
    {
        x = Operand(x, destination, operation, out var stridesX);
        Strided.Unary<T, TOp>(
            destination.Shape,
            x.Data, x.Offset, stridesX,
            destination.Data, destination.Offset, destination.Strides);
        return destination;
    }

    /// <summary>
    /// The operand and its strides broadcast to the destination's shape; a copy of it when it shares the
    /// destination's buffer with another layout, as the kernel would otherwise overwrite elements it
    /// has still to read. (Reading each element at the very place it is written, as the in-place
    /// forms do, is safe and copies nothing.)
    /// </summary>
    private static NdArray<T> Operand<T>(NdArray<T> x, NdArray<T> destination, string operation, out ReadOnlySpan<int> strides)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        strides = BroadcastStrides(x, destination, operation);
        if (x.Data != destination.Data || (x.Offset == destination.Offset && strides.SequenceEqual(destination.Strides)))
            return x;
        x = x.Clone();
        strides = BroadcastStrides(x, destination, operation);
        return x;
    }

    /// <summary>x's strides read at the destination's shape; x's own when the shapes agree (the common case, allocation-free).</summary>
    private static ReadOnlySpan<int> BroadcastStrides<T>(NdArray<T> x, NdArray<T> destination, string operation)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Shapes.SameShape(x.Shape, destination.Shape) ? x.Strides : Shapes.BroadcastStrides(x.Shape, x.Strides, destination.Shape, operation);

    /// <summary>Checks a caller's destination: the result's shape, and writable (<see cref="BeginWrite"/>).</summary>
    private static void CheckDestination<T>(NdArray<T> destination, ReadOnlySpan<int> shape, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!Shapes.SameShape(destination.Shape, shape))
        {
            throw new ArgumentException(
                $"{operation}: the destination has shape {ShapeText.Of(destination.Shape)} but the result has shape {ShapeText.Of(shape)}; " +
                "pass a destination of the result's shape, or none to get a new array.",
                nameof(destination));
        }
        BeginWrite(destination, operation);
    }

    /// <summary>
    /// The checks every in-place write passes, and its mark: a broadcast view is refused (it would
    /// write one element many times; numpy refuses too), so is the value of a leaf variable that
    /// requires grad while gradients are recorded (every op that used it would see another value
    /// than the one it computed with); then the buffer's version moves, so saved copies of it
    /// know they are stale.
    /// </summary>
    internal static void BeginWrite<T>(NdArray<T> destination, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var axis = Shapes.FirstBroadcastAxis(destination.Shape, destination.Strides);
        if (axis >= 0)
        {
            throw new ArgumentException(
                $"{operation}: the destination of shape {ShapeText.Of(destination.Shape)} is a broadcast view (stride 0 on axis {axis}), " +
                "so one element would be written many times; write into a Clone() of it instead.",
                nameof(destination));
        }
        if (destination.GradLeafName is { } leaf && GradMode.IsEnabled)
        {
            var which = leaf.Length == 0 ? "a leaf variable" : $"leaf variable '{leaf}'";
            throw new InvalidOperationException(
                $"{operation}: the array of shape {ShapeText.Of(destination.Shape)} is (a view of) the value of {which}, which requires grad; " +
                "writing it in place would change what every recorded op computed with. Write inside Variable.NoGrad() (as optimizers do), " +
                "or write into a Clone().");
        }
        destination.MarkWritten();
    }
}
