using System.Numerics;
using Autograd.Kernels;

namespace Autograd;

// Matrix multiply with numpy's matmul rules: 2-D × 2-D, a 1-D operand read as a row (left) or a
// column (right) vector and its axis dropped from the result, and leading batch axes broadcast.
public static partial class NdArray
{
    /// <summary>
    /// The matrix product a·b (numpy <c>matmul</c>): [m, k]·[k, n] → [m, n]; a 1-D left operand is a
    /// row vector and a 1-D right operand a column vector (their axis is dropped from the result);
    /// axes before the last two are batch axes, broadcast against each other. Operands of any
    /// strides (transposed views, slices) are read in place. With <paramref name="accumulate"/> the
    /// product is added into <paramref name="into"/> (c += a·b) instead of overwriting it, as a
    /// backward pass adds into a gradient buffer. NaN propagates.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// An operand is rank 0, the inner lengths differ, the batch axes do not broadcast,
    /// <paramref name="into"/> does not have the result's shape or is a broadcast view, or
    /// <paramref name="accumulate"/> is set without <paramref name="into"/>.
    /// </exception>
    public static NdArray<T> MatMul<T>(NdArray<T> a, NdArray<T> b, NdArray<T>? into = null, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Rank == 0 || b.Rank == 0)
        {
            throw new ArgumentException(
                $"MatMul: shapes {ShapeText.Of(a.Shape)} and {ShapeText.Of(b.Shape)}: both operands need at least one axis; use Multiply to scale by a scalar.");
        }
        if (accumulate && into is null)
        {
            throw new ArgumentException(
                $"MatMul: shapes {ShapeText.Of(a.Shape)} and {ShapeText.Of(b.Shape)}: accumulate adds the product into a destination; pass it as into.", nameof(into));
        }
        var left = a.Rank == 1 ? a.Unsqueeze(0) : a;
        var right = b.Rank == 1 ? b.Unsqueeze(1) : b;
        int m = left.Shape[^2], k = left.Shape[^1], n = right.Shape[^1];
        if (right.Shape[^2] != k)
        {
            throw new ArgumentException(
                $"MatMul: shapes {ShapeText.Of(a.Shape)} and {ShapeText.Of(b.Shape)} do not line up: the first operand's last axis has length {k} " +
                $"but the second's {(b.Rank == 1 ? "only" : "second-to-last")} axis has length {right.Shape[^2]}; they must be equal.");
        }
        var batch = MatMulBatch(left.Shape[..^2], right.Shape[..^2], a.Shape, b.Shape);

        // The result's shape, built on the stack: a call into a destination allocates nothing.
        Span<int> shape = stackalloc int[batch.Length + 2];
        batch.CopyTo(shape);
        var rank = batch.Length;
        if (a.Rank > 1)
            shape[rank++] = m;
        if (b.Rank > 1)
            shape[rank++] = n;
        shape = shape[..rank];
        Shapes.CheckShape(shape, nameof(MatMul));
        if (into is not null)
            CheckDestination(into, shape, nameof(MatMul));
        // A new result is not cleared first: without accumulate the kernel writes every element (k = 0 fills zeros below).
        var destination = into ?? NdArray<T>.ForResult(shape.ToArray());
        if (destination.Length == 0)
            return destination;
        if (k == 0)
            return accumulate ? destination : Fill(destination, T.Zero); // an empty sum is 0

        // The kernel writes straight into the destination unless it shares a buffer with an operand.
        var direct = destination.Data != a.Data && destination.Data != b.Data;
        var output = direct ? destination : NdArray<T>.ForResult(shape.ToArray());
        var product = a.Rank == 1 ? output.Unsqueeze(output.Rank - (b.Rank == 1 ? 0 : 1)) : output;
        product = b.Rank == 1 ? product.Unsqueeze(product.Rank) : product;
        var add = accumulate && direct;
        if (batch.Length == 0)
        {
            MatMulKernel.Multiply(m, n, k, Matrix(left, left.Offset), Matrix(right, right.Offset), Matrix(product, product.Offset), add);
        }
        else if (right.Rank == 2 && left.IsContiguous && product.IsContiguous)
        {
            // One right matrix for the whole batch: the batch's rows stack into a single product.
            MatMulKernel.Multiply(
                left.Length / k, n, k, new Matrix<T>(left.Data, left.Offset, k, 1), Matrix(right, right.Offset), new Matrix<T>(product.Data, product.Offset, n, 1), add);
        }
        else
        {
            left = left.BroadcastTo([.. batch, m, k]);
            right = right.BroadcastTo([.. batch, k, n]);
            Span<int> index = stackalloc int[batch.Length];
            for (var count = Shapes.ElementCount(batch); count > 0; count--)
            {
                int offsetA = left.Offset, offsetB = right.Offset, offsetC = product.Offset;
                for (var axis = 0; axis < batch.Length; axis++)
                {
                    offsetA += index[axis] * left.Strides[axis];
                    offsetB += index[axis] * right.Strides[axis];
                    offsetC += index[axis] * product.Strides[axis];
                }
                MatMulKernel.Multiply(m, n, k, Matrix(left, offsetA), Matrix(right, offsetB), Matrix(product, offsetC), add);
                for (var axis = batch.Length - 1; axis >= 0 && ++index[axis] == batch[axis]; axis--)
                    index[axis] = 0;
            }
        }
        if (direct)
            return destination;
        return accumulate ? AddInPlace(destination, output) : Copy(output, destination);
    }

    /// <summary>The last two axes of <paramref name="x"/> as a matrix starting at <paramref name="offset"/>.</summary>
    private static Matrix<T> Matrix<T>(NdArray<T> x, int offset)
        where T : unmanaged, IFloatingPointIeee754<T> => new(x.Data, offset, x.Strides[^2], x.Strides[^1]);

    private static int[] MatMulBatch(ReadOnlySpan<int> left, ReadOnlySpan<int> right, ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        if (left.IsEmpty && right.IsEmpty)
            return [];
        return Shapes.TryBroadcast(left, right, out _) ?? throw new ArgumentException(
            $"MatMul: shapes {ShapeText.Of(a)} and {ShapeText.Of(b)} have batch axes {ShapeText.Of(left)} and {ShapeText.Of(right)} that cannot be broadcast together; " +
            "aligned from the right, each pair of batch axes must be equal or one of them 1.");
    }
}
