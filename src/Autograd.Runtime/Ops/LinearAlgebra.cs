using System.Numerics;

namespace Autograd;

// Matrix products with numpy matmul rules (the NdArray.MatMul kernel): the last two axes are
// matrices, leading axes are a batch that broadcasts, and a 1-D operand is a vector (a row on the
// left, a column on the right) whose axis is dropped from the result.
public static partial class Ops
{
    /// <summary>
    /// The matrix product a @ b (2-D, matrix-vector, vector-matrix, or batched with broadcast batch
    /// axes); gradient dy @ bᵀ to a and aᵀ @ dy to b, summed over broadcast batch axes.
    /// </summary>
    /// <exception cref="ArgumentException">An operand is a scalar, the inner lengths differ, or the batch axes do not broadcast.</exception>
    [DifferentiableOp(DifferentiableTwice = true)]
    public static NdArray<T> MatMul<T>(this NdArray<T> a, NdArray<T> b)
        where T : unmanaged, IFloatingPointIeee754<T> => NdArray.MatMul(a, b);

    // a is saved only for db and b only for da: an operand not saved has the shape of its slot, which is then needed.
    static void MatMulBackward<T>(NdArray<T> dy, [SavedFor(nameof(db))] NdArray<T>? a, [SavedFor(nameof(da))] NdArray<T>? b, GradSlot<T> da, GradSlot<T> db)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!da.IsNeeded && !db.IsNeeded)
            return;
        // Work on matrices: vectors promoted as the forward reads them, dy with their axes put back.
        var (a2, b2, batch) = MatrixShapes(a is null ? da.Shape : a.Shape, b is null ? db.Shape : b.Shape);
        var dy2 = dy.Reshape([.. batch, a2[^2], b2[^1]]);
        if (da.IsNeeded)
            AccumulateProduct(da, a2, batch, dy2, (b!.Rank == 1 ? b.Unsqueeze(1) : b).Transpose(OpKernels.SwapLastTwo(b2.Length)));
        if (db.IsNeeded)
            AccumulateProduct(db, b2, batch, (a!.Rank == 1 ? a.Unsqueeze(0) : a).Transpose(OpKernels.SwapLastTwo(a2.Length)), dy2);
    }

    /// <summary>
    /// The operands' shapes as the forward reads them (a vector a as a row [1, n], a vector b as a column
    /// [n, 1]) and their broadcast batch axes.
    /// </summary>
    private static (int[] A, int[] B, int[] Batch) MatrixShapes(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        int[] a2 = a.Length == 1 ? [1, a[0]] : a.ToArray();
        int[] b2 = b.Length == 1 ? [b[0], 1] : b.ToArray();
        return (a2, b2, Shapes.Broadcast(a2.AsSpan(..^2), b2.AsSpan(..^2), nameof(MatMul)));
    }

    /// <summary>
    /// Adds left @ right (batch axes <paramref name="batch"/>) to the gradient of the slot's input, read
    /// as a matrix of shape <paramref name="matrix"/>: straight into the gradient buffer when the input
    /// has every batch axis, else summed over the axes it was broadcast along first. Transposed operands
    /// are views, never copies.
    /// </summary>
    private static void AccumulateProduct<T>(GradSlot<T> slot, int[] matrix, int[] batch, NdArray<T> left, NdArray<T> right)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Shapes.SameShape(batch, matrix.AsSpan(..^2)))
        {
            var buffer = slot.GetBuffer(out var accumulate);
            NdArray.MatMul(left, right, into: Shapes.SameShape(buffer.Shape, matrix) ? buffer : buffer.Reshape(matrix), accumulate);
            return;
        }
        var g = NdArray.MatMul(left, right);
        slot.Accumulate(NdArray.SumToShape(g, matrix).Reshape(slot.Shape.ToArray()));
    }
}
