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
    /// axes before the last two are batch axes, broadcast against each other. NaN propagates.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// An operand is rank 0, the inner lengths differ, the batch axes do not broadcast, or
    /// <paramref name="into"/> does not have the result's shape.
    /// </exception>
    public static NdArray<T> MatMul<T>(NdArray<T> a, NdArray<T> b, NdArray<T>? into = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Rank == 0 || b.Rank == 0)
        {
            throw new ArgumentException(
                $"MatMul: shapes {ShapeText.Of(a.Shape)} and {ShapeText.Of(b.Shape)}: both operands need at least one axis; use Multiply to scale by a scalar.");
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

        var shape = new List<int>(batch);
        if (a.Rank > 1)
            shape.Add(m);
        if (b.Rank > 1)
            shape.Add(n);
        Shapes.CheckShape([.. shape], nameof(MatMul));
        if (into is not null)
            CheckDestination(into, [.. shape], nameof(MatMul));
        var destination = into ?? new NdArray<T>([.. shape]);
        if (destination.Length == 0 || k == 0)
            return Fill(destination, T.Zero); // an empty sum is 0

        // Each matrix of each operand becomes one contiguous block; broadcast batch axes read the same block again.
        left = left.IsContiguous ? left : left.Clone();
        right = right.IsContiguous ? right : right.Clone();
        var direct = destination.IsContiguous && destination.Data != a.Data && destination.Data != b.Data;
        var output = direct ? destination : new NdArray<T>([.. shape]);
        var count = Shapes.ElementCount(batch);
        if (right.Rank == 2)
        {
            // One right matrix for the whole batch: the batch's rows stack into a single product.
            MatMulKernel.Multiply<T>(
                left.Data.AsSpan(left.Offset), right.Data.AsSpan(right.Offset), output.Data.AsSpan(output.Offset, output.Length), count * m, k, n);
            return direct ? destination : Copy(output, destination);
        }

        left = left.BroadcastTo([.. batch, m, k]);
        right = right.BroadcastTo([.. batch, k, n]);
        Span<int> index = stackalloc int[batch.Length];
        for (var t = 0; t < count; t++)
        {
            int offsetA = left.Offset, offsetB = right.Offset;
            for (var axis = 0; axis < batch.Length; axis++)
            {
                offsetA += index[axis] * left.Strides[axis];
                offsetB += index[axis] * right.Strides[axis];
            }
            MatMulKernel.Multiply<T>(
                left.Data.AsSpan(offsetA), right.Data.AsSpan(offsetB), output.Data.AsSpan(output.Offset + t * m * n, m * n), m, k, n);
            for (var axis = batch.Length - 1; axis >= 0 && ++index[axis] == batch[axis]; axis--)
                index[axis] = 0;
        }
        return direct ? destination : Copy(output, destination);
    }

    private static int[] MatMulBatch(ReadOnlySpan<int> left, ReadOnlySpan<int> right, ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        return Shapes.TryBroadcast(left, right, out _) ?? throw new ArgumentException(
            $"MatMul: shapes {ShapeText.Of(a)} and {ShapeText.Of(b)} have batch axes {ShapeText.Of(left)} and {ShapeText.Of(right)} that cannot be broadcast together; " +
            "aligned from the right, each pair of batch axes must be equal or one of them 1.");
    }
}
