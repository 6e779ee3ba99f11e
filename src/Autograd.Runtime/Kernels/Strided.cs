using System.Numerics;
using System.Runtime.CompilerServices;

namespace Autograd.Kernels;

/// <summary>
/// The loops behind every elementwise kernel and reduction. Operands are already broadcast to the
/// iteration shape (stride 0 on stretched axes). Each loop first simplifies the layout: axes are
/// ordered so that the innermost one is where a key operand moves fastest, and neighbouring axes
/// that every operand walks as one are merged (a contiguous array becomes a single row). Rows along
/// the last axis go through an operator's span form (SIMD) when their elements are adjacent, and
/// through its scalar form otherwise. Nothing is allocated: the layout copies live on the stack.
/// </summary>
internal static class Strided
{
    private const int StackRank = 16;

    /// <summary>d = op(a, b) over <paramref name="shape"/>; axes are ordered by the destination's strides.</summary>
    public static void Binary<T, TOp>(
        ReadOnlySpan<int> shape,
        T[] a, int offsetA, ReadOnlySpan<int> stridesA,
        T[] b, int offsetB, ReadOnlySpan<int> stridesB,
        T[] d, int offsetD, ReadOnlySpan<int> stridesD)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : IBinaryOperator<T>
    {
        if (Shapes.ElementCount(shape) == 0)
            return;
        var rank = shape.Length;
        Span<int> dims = rank <= StackRank ? stackalloc int[rank] : new int[rank];
        Span<int> sd = rank <= StackRank ? stackalloc int[rank] : new int[rank];
        Span<int> sa = rank <= StackRank ? stackalloc int[rank] : new int[rank];
        Span<int> sb = rank <= StackRank ? stackalloc int[rank] : new int[rank];
        shape.CopyTo(dims);
        stridesD.CopyTo(sd);
        stridesA.CopyTo(sa);
        stridesB.CopyTo(sb);
        rank = Simplify(dims, sd, sa, sb);
        if (rank == 0)
        {
            d[offsetD] = TOp.Invoke(a[offsetA], b[offsetB]);
            return;
        }

        var n = dims[rank - 1];
        Span<int> counter = stackalloc int[rank];
        for (var row = RowCount(dims[..rank]); row > 0; row--)
        {
            BinaryRow<T, TOp>(n, a, offsetA, sa[rank - 1], b, offsetB, sb[rank - 1], d, offsetD, sd[rank - 1]);
            NextRow(dims[..rank], counter, sa, ref offsetA, sb, ref offsetB, sd, ref offsetD);
        }
    }

    /// <summary>d = op(a) over <paramref name="shape"/>; axes are ordered by the destination's strides.</summary>
    public static void Unary<T, TOp>(
        ReadOnlySpan<int> shape,
        T[] a, int offsetA, ReadOnlySpan<int> stridesA,
        T[] d, int offsetD, ReadOnlySpan<int> stridesD)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : IUnaryOperator<T>
    {
        if (Shapes.ElementCount(shape) == 0)
            return;
        var rank = shape.Length;
        Span<int> dims = rank <= StackRank ? stackalloc int[rank] : new int[rank];
        Span<int> sd = rank <= StackRank ? stackalloc int[rank] : new int[rank];
        Span<int> sa = rank <= StackRank ? stackalloc int[rank] : new int[rank];
        shape.CopyTo(dims);
        stridesD.CopyTo(sd);
        stridesA.CopyTo(sa);
        rank = Simplify(dims, sd, sa, sa);
        if (rank == 0)
        {
            d[offsetD] = TOp.Invoke(a[offsetA]);
            return;
        }

        var n = dims[rank - 1];
        int stepA = sa[rank - 1], stepD = sd[rank - 1], unused = 0;
        Span<int> counter = stackalloc int[rank];
        for (var row = RowCount(dims[..rank]); row > 0; row--)
        {
            if (stepA == 1 && stepD == 1)
            {
                TOp.Invoke(a.AsSpan(offsetA, n), d.AsSpan(offsetD, n));
            }
            else
            {
                for (int i = 0, ia = offsetA, id = offsetD; i < n; i++, ia += stepA, id += stepD)
                    d[id] = TOp.Invoke(a[ia]);
            }
            NextRow(dims[..rank], counter, sa, ref offsetA, sd, ref offsetD, sd, ref unused);
        }
    }

    /// <summary>
    /// r = op(r, x) for every element of x, where r is read with stride 0 on the reduced axes so that
    /// each element folds into its slot. Axes are ordered by x's strides, so x is read in memory
    /// order; a reduced contiguous row is folded by the operator's SIMD aggregate, and a kept
    /// contiguous row is combined with the result's row by its SIMD span form.
    /// </summary>
    public static void Reduce<T, TOp>(
        ReadOnlySpan<int> shape,
        T[] x, int offsetX, ReadOnlySpan<int> stridesX,
        T[] r, int offsetR, ReadOnlySpan<int> stridesR)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : IReduceOperator<T>
    {
        if (Shapes.ElementCount(shape) == 0)
            return;
        var rank = shape.Length;
        Span<int> dims = rank <= StackRank ? stackalloc int[rank] : new int[rank];
        Span<int> sx = rank <= StackRank ? stackalloc int[rank] : new int[rank];
        Span<int> sr = rank <= StackRank ? stackalloc int[rank] : new int[rank];
        shape.CopyTo(dims);
        stridesX.CopyTo(sx);
        stridesR.CopyTo(sr);
        rank = Simplify(dims, sx, sr, sr);
        if (rank == 0)
        {
            r[offsetR] = TOp.Invoke(r[offsetR], x[offsetX]);
            return;
        }

        var n = dims[rank - 1];
        int stepX = sx[rank - 1], stepR = sr[rank - 1], unused = 0;
        Span<int> counter = stackalloc int[rank];
        for (var row = RowCount(dims[..rank]); row > 0; row--)
        {
            if (stepR == 0)
            {
                T folded;
                if (stepX == 1)
                {
                    folded = TOp.Aggregate(x.AsSpan(offsetX, n));
                }
                else
                {
                    folded = TOp.Identity;
                    for (int i = 0, ix = offsetX; i < n; i++, ix += stepX)
                        folded = TOp.Invoke(folded, x[ix]);
                }
                r[offsetR] = TOp.Invoke(r[offsetR], folded);
            }
            else if (stepR == 1 && stepX == 1)
            {
                var slots = r.AsSpan(offsetR, n);
                TOp.Invoke(slots, x.AsSpan(offsetX, n), slots);
            }
            else
            {
                for (int i = 0, ix = offsetX, ir = offsetR; i < n; i++, ix += stepX, ir += stepR)
                    r[ir] = TOp.Invoke(r[ir], x[ix]);
            }
            NextRow(dims[..rank], counter, sx, ref offsetX, sr, ref offsetR, sr, ref unused);
        }
    }

    /// <summary>
    /// Reorders axes so that the key operand's strides shrink towards the last axis (stable, by
    /// magnitude), drops axes of length 1, and merges each axis into the next when every operand
    /// steps over the inner one exactly (outer stride = inner stride × inner length). Returns the
    /// new rank; 0 means a single element. <paramref name="second"/> may be the same span as
    /// <paramref name="first"/> when there are only two operands.
    /// </summary>
    private static int Simplify(Span<int> shape, Span<int> key, Span<int> first, Span<int> second)
    {
        for (var i = 1; i < shape.Length; i++)
        {
            for (var j = i; j > 0 && Math.Abs(key[j - 1]) < Math.Abs(key[j]); j--)
            {
                Swap(shape, j);
                Swap(key, j);
                Swap(first, j);
                if (!Unsafe.AreSame(ref first[0], ref second[0]))
                    Swap(second, j);
            }
        }

        var rank = 0;
        for (var axis = 0; axis < shape.Length; axis++)
        {
            if (shape[axis] == 1)
                continue;
            var outer = rank - 1;
            if (rank > 0
                && key[outer] == key[axis] * shape[axis]
                && first[outer] == first[axis] * shape[axis]
                && second[outer] == second[axis] * shape[axis])
            {
                shape[outer] *= shape[axis];
            }
            else
            {
                outer = rank++;
                shape[outer] = shape[axis];
            }
            key[outer] = key[axis];
            first[outer] = first[axis];
            second[outer] = second[axis];
        }
        return rank;
    }

    private static void Swap(Span<int> values, int j) => (values[j - 1], values[j]) = (values[j], values[j - 1]);

    private static int RowCount(ReadOnlySpan<int> shape)
    {
        var rows = 1;
        for (var axis = 0; axis < shape.Length - 1; axis++)
            rows *= shape[axis];
        return rows;
    }

    /// <summary>Moves three offsets to the next row: the outer axes count like an odometer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void NextRow(
        ReadOnlySpan<int> shape, Span<int> counter,
        ReadOnlySpan<int> s0, ref int o0, ReadOnlySpan<int> s1, ref int o1, ReadOnlySpan<int> s2, ref int o2)
    {
        for (var axis = shape.Length - 2; axis >= 0; axis--)
        {
            o0 += s0[axis];
            o1 += s1[axis];
            o2 += s2[axis];
            if (++counter[axis] < shape[axis])
                return;
            o0 -= s0[axis] * shape[axis];
            o1 -= s1[axis] * shape[axis];
            o2 -= s2[axis] * shape[axis];
            counter[axis] = 0;
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
        for (int i = 0, ia = oa, ib = ob, id = od; i < n; i++, ia += sa, ib += sb, id += sd)
            d[id] = TOp.Invoke(a[ia], b[ib]);
    }
}
