using System.Numerics;

namespace Autograd;

// Matrix products with numpy matmul rules: the last two axes are matrices, leading axes are a batch
// that broadcasts, and a 1-D operand is a vector (a row on the left, a column on the right) whose
// axis is dropped from the result.
public static partial class Ops
{
    /// <summary>
    /// The matrix product a @ b (2-D, matrix-vector, vector-matrix, or batched with broadcast batch
    /// axes); gradient dy @ bᵀ to a and aᵀ @ dy to b, summed over broadcast batch axes.
    /// </summary>
    /// <exception cref="ArgumentException">An operand is a scalar, the inner lengths differ, or the batch axes do not broadcast.</exception>
    [DifferentiableOp]
    public static NdArray<T> MatMul<T>(NdArray<T> a, NdArray<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var (a2, b2, shape) = MatMulOperands(a, b);
        return BatchedProduct(a2, b2).Reshape(shape);
    }

    static void MatMulBackward<T>(NdArray<T> dy, NdArray<T> a, NdArray<T> b, GradSlot<T> da, GradSlot<T> db)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (a2, b2, _) = MatMulOperands(a, b);
        var batch = Shapes.Broadcast(a2.Shape[..^2], b2.Shape[..^2], nameof(MatMul));
        var dy2 = dy.Reshape([.. batch, a2.Shape[^2], b2.Shape[^1]]);
        if (da.IsNeeded)
        {
            var g = BatchedProduct(dy2, b2.Transpose(OpKernels.SwapLastTwo(b2.Rank)));
            da.Accumulate(NdArray.SumToShape(g, a2.Shape).Reshape(a.Shape.ToArray()));
        }
        if (db.IsNeeded)
        {
            var g = BatchedProduct(a2.Transpose(OpKernels.SwapLastTwo(a2.Rank)), dy2);
            db.Accumulate(NdArray.SumToShape(g, b2.Shape).Reshape(b.Shape.ToArray()));
        }
    }

    /// <summary>Both operands as matrices (vectors promoted) and the shape of the product with vector axes dropped.</summary>
    private static (NdArray<T> A, NdArray<T> B, int[] Shape) MatMulOperands<T>(NdArray<T> a, NdArray<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Rank == 0 || b.Rank == 0)
        {
            throw new ArgumentException(
                $"MatMul: shapes {ShapeText.Of(a.Shape)} and {ShapeText.Of(b.Shape)}: an operand is a scalar (rank 0); use Multiply to scale by a scalar.");
        }
        var a2 = a.Rank == 1 ? a.Unsqueeze(0) : a;
        var b2 = b.Rank == 1 ? b.Unsqueeze(1) : b;
        if (a2.Shape[^1] != b2.Shape[^2])
        {
            throw new ArgumentException(
                $"MatMul: shapes {ShapeText.Of(a.Shape)} and {ShapeText.Of(b.Shape)} do not line up: the left operand's last axis ({a2.Shape[^1]}) " +
                $"must equal the right operand's {(b.Rank == 1 ? "only" : "second-to-last")} axis ({b2.Shape[^2]}).");
        }
        var batch = Shapes.Broadcast(a2.Shape[..^2], b2.Shape[..^2], nameof(MatMul));
        var shape = new List<int>(batch);
        if (a.Rank > 1)
            shape.Add(a2.Shape[^2]);
        if (b.Rank > 1)
            shape.Add(b2.Shape[^1]);
        return (a2, b2, [.. shape]);
    }

    /// <summary>The batched product of two arrays of rank ≥ 2 whose inner lengths match and whose batch axes broadcast.</summary>
    private static NdArray<T> BatchedProduct<T>(NdArray<T> a, NdArray<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var batch = Shapes.Broadcast(a.Shape[..^2], b.Shape[..^2], nameof(MatMul));
        int m = a.Shape[^2], k = a.Shape[^1], n = b.Shape[^1];
        var left = a.BroadcastTo([.. batch, m, k]).Clone().Data;
        var right = b.BroadcastTo([.. batch, k, n]).Clone().Data;
        var result = NdArray.Zeros<T>([.. batch, m, n]);
        var output = result.Data;
        var count = Shapes.ElementCount(batch);
        for (var bi = 0; bi < count; bi++)
        {
            int aBase = bi * m * k, bBase = bi * k * n, cBase = bi * m * n;
            for (var i = 0; i < m; i++)
            {
                var row = output.AsSpan(cBase + i * n, n);
                for (var p = 0; p < k; p++)
                {
                    var scale = left[aBase + i * k + p];
                    var column = right.AsSpan(bBase + p * n, n);
                    for (var j = 0; j < n; j++)
                        row[j] += scale * column[j];
                }
            }
        }
        return result;
    }
}
