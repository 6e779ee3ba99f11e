using System.Numerics;

namespace Autograd.Kernels;

/// <summary>
/// The loops behind every elementwise kernel. Operands are already broadcast to the destination's
/// shape (stride 0 on stretched axes). Rows along the last axis go through an operator's span form
/// when their elements are adjacent, and through its scalar form otherwise; nothing is allocated
/// per element.
/// </summary>
internal static class Strided
{
    /// <summary>d = op(a, b) over <paramref name="shape"/>.</summary>
    public static void Binary<T, TOp>(
        ReadOnlySpan<int> shape,
        T[] a, int offsetA, ReadOnlySpan<int> stridesA,
        T[] b, int offsetB, ReadOnlySpan<int> stridesB,
        T[] d, int offsetD, ReadOnlySpan<int> stridesD)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : IBinaryOperator<T>
    {
        var length = Shapes.ElementCount(shape);
        if (length == 0)
            return;
        var rank = shape.Length;
        if (rank == 0)
        {
            d[offsetD] = TOp.Invoke(a[offsetA], b[offsetB]);
            return;
        }

        var n = shape[rank - 1];
        int sa = stridesA[rank - 1], sb = stridesB[rank - 1], sd = stridesD[rank - 1];
        Span<int> counter = stackalloc int[rank];
        for (var row = length / n; row > 0; row--)
        {
            BinaryRow<T, TOp>(n, a, offsetA, sa, b, offsetB, sb, d, offsetD, sd);
            for (var axis = rank - 2; axis >= 0; axis--)
            {
                offsetA += stridesA[axis];
                offsetB += stridesB[axis];
                offsetD += stridesD[axis];
                if (++counter[axis] < shape[axis])
                    break;
                offsetA -= stridesA[axis] * shape[axis];
                offsetB -= stridesB[axis] * shape[axis];
                offsetD -= stridesD[axis] * shape[axis];
                counter[axis] = 0;
            }
        }
    }

    /// <summary>d = op(a) over <paramref name="shape"/>.</summary>
    public static void Unary<T, TOp>(
        ReadOnlySpan<int> shape,
        T[] a, int offsetA, ReadOnlySpan<int> stridesA,
        T[] d, int offsetD, ReadOnlySpan<int> stridesD)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : IUnaryOperator<T>
    {
        var length = Shapes.ElementCount(shape);
        if (length == 0)
            return;
        var rank = shape.Length;
        if (rank == 0)
        {
            d[offsetD] = TOp.Invoke(a[offsetA]);
            return;
        }

        var n = shape[rank - 1];
        int sa = stridesA[rank - 1], sd = stridesD[rank - 1];
        Span<int> counter = stackalloc int[rank];
        for (var row = length / n; row > 0; row--)
        {
            if (sa == 1 && sd == 1)
            {
                TOp.Invoke(a.AsSpan(offsetA, n), d.AsSpan(offsetD, n));
            }
            else
            {
                for (int i = 0, ia = offsetA, id = offsetD; i < n; i++, ia += sa, id += sd)
                    d[id] = TOp.Invoke(a[ia]);
            }
            for (var axis = rank - 2; axis >= 0; axis--)
            {
                offsetA += stridesA[axis];
                offsetD += stridesD[axis];
                if (++counter[axis] < shape[axis])
                    break;
                offsetA -= stridesA[axis] * shape[axis];
                offsetD -= stridesD[axis] * shape[axis];
                counter[axis] = 0;
            }
        }
    }

    private static void BinaryRow<T, TOp>(int n, T[] a, int oa, int sa, T[] b, int ob, int sb, T[] d, int od, int sd)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : IBinaryOperator<T>
    {
        if (sd == 1)
        {
            if (sa == 1 && sb == 1)
            {
                TOp.Invoke(a.AsSpan(oa, n), b.AsSpan(ob, n), d.AsSpan(od, n));
                return;
            }
            if (sa == 1 && sb == 0)
            {
                TOp.Invoke(a.AsSpan(oa, n), b[ob], d.AsSpan(od, n));
                return;
            }
            if (sa == 0 && sb == 1)
            {
                TOp.Invoke(a[oa], b.AsSpan(ob, n), d.AsSpan(od, n));
                return;
            }
        }
        // A destination of stride 0 is a running reduction: each step reads what the last one wrote.
        for (int i = 0, ia = oa, ib = ob, id = od; i < n; i++, ia += sa, ib += sb, id += sd)
            d[id] = TOp.Invoke(a[ia], b[ib]);
    }
}
