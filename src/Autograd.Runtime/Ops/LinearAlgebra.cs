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

    static void MatMulBackward<T>(NdArray<T> dy, NdArray<T> a, NdArray<T> b, GradSlot<T> da, GradSlot<T> db)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Work on matrices: vectors promoted as the forward reads them, dy with their axes put back.
        var a2 = a.Rank == 1 ? a.Unsqueeze(0) : a;
        var b2 = b.Rank == 1 ? b.Unsqueeze(1) : b;
        var batch = Shapes.Broadcast(a2.Shape[..^2], b2.Shape[..^2], nameof(MatMul));
        var dy2 = dy.Reshape([.. batch, a2.Shape[^2], b2.Shape[^1]]);
        if (da.IsNeeded)
            AccumulateProduct(da, a, a2, batch, dy2, b2.Transpose(OpKernels.SwapLastTwo(b2.Rank)));
        if (db.IsNeeded)
            AccumulateProduct(db, b, b2, batch, a2.Transpose(OpKernels.SwapLastTwo(a2.Rank)), dy2);
    }

    /// <summary>
    /// Adds left @ right (batch axes <paramref name="batch"/>) to the gradient of
    /// <paramref name="input"/>, read as <paramref name="matrix"/>: straight into the gradient buffer
    /// when the input has every batch axis, else summed over the axes it was broadcast along first.
    /// Transposed operands are views, never copies.
    /// </summary>
    private static void AccumulateProduct<T>(
        GradSlot<T> slot, NdArray<T> input, NdArray<T> matrix, int[] batch, NdArray<T> left, NdArray<T> right)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Shapes.SameShape(batch, matrix.Shape[..^2]))
        {
            NdArray.MatMul(left, right, into: slot.GetBuffer().Reshape(matrix.Shape.ToArray()), accumulate: true);
            return;
        }
        var g = NdArray.MatMul(left, right);
        slot.Accumulate(NdArray.SumToShape(g, matrix.Shape).Reshape(input.Shape.ToArray()));
    }
}
