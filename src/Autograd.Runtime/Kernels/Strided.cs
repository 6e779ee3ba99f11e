using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Autograd.Kernels;

/// <summary>
/// The loops behind every elementwise kernel and reduction. Operands are already broadcast to the
/// iteration shape (stride 0 on stretched axes). Each loop first simplifies the layout: axes are
/// ordered so that the innermost one is where a key operand moves fastest, and neighbouring axes
/// that every operand walks as one are merged (a contiguous array becomes a single row). Rows along
/// the last axis go through an operator's span form (SIMD) when their elements are adjacent, and
/// through its scalar form otherwise. When another operand runs across the key (a transpose), the
/// last two axes are visited in square tiles so that both stay in cache. A layout of at least
/// <see cref="ParallelElements"/> elements is cut along one axis into a range per core, each
/// walked on its own thread; below that nothing is allocated (the layout copies live on the stack).
/// </summary>
internal static class Strided
{
    private const int StackRank = 16;
    private const int Tile = 16;
    internal const int ParallelElements = 1 << 17;
    private const int ChunkAlignment = 16;
    private const int AccumulateChunk = 256;

    /// <summary>
    /// d = op(a, b) over <paramref name="shape"/>, or d += op(a, b) when <paramref name="accumulate"/>;
    /// axes are ordered by the destination's strides.
    /// </summary>
    public static void Binary<T, TOp>(
        ReadOnlySpan<int> shape,
        T[] a, int offsetA, ReadOnlySpan<int> stridesA,
        T[] b, int offsetB, ReadOnlySpan<int> stridesB,
        T[] d, int offsetD, ReadOnlySpan<int> stridesD,
        bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : IBinaryOperator<T>
    {
        if (SmallRow(shape, stridesA, stridesB, stridesD) is var n and > 0)
        {
            BinaryContiguous<T, TOp>(n, a, offsetA, b, offsetB, d, offsetD, accumulate);
            return;
        }
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
            d[offsetD] = accumulate ? d[offsetD] + TOp.Invoke(a[offsetA], b[offsetB]) : TOp.Invoke(a[offsetA], b[offsetB]);
            return;
        }
        var row = new BinaryRow<T, TOp>(a, sa[rank - 1], b, sb[rank - 1], d, sd[rank - 1], accumulate);
        var axis = SplitAxis(dims[..rank], sd);
        if (axis >= 0)
            ParallelWalk(axis, dims[..rank], sd, offsetD, sa, offsetA, sb, offsetB, row);
        else
            Walk(dims[..rank], sd, offsetD, sa, offsetA, sb, offsetB, ref row);
    }

    /// <summary>
    /// d = op(a, b), or d += op(a, b) when <paramref name="accumulate"/>, over <paramref name="n"/>
    /// adjacent elements of each from its offset, on this thread: for a caller that already knows its
    /// operands lie so, without the layout work of <see cref="Binary"/>.
    /// </summary>
    public static void BinaryContiguous<T, TOp>(int n, T[] a, int offsetA, T[] b, int offsetB, T[] d, int offsetD, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : IBinaryOperator<T>
    {
        if (accumulate)
            new BinaryRow<T, TOp>(a, 1, b, 1, d, 1, accumulate).Run(n, offsetD, offsetA, offsetB);
        else
            TOp.Invoke(a.AsSpan(offsetA, n), b.AsSpan(offsetB, n), d.AsSpan(offsetD, n));
    }

    /// <summary>d = op(a) over <paramref name="shape"/>; axes are ordered by the destination's strides.</summary>
    public static void Unary<T, TOp>(
        ReadOnlySpan<int> shape,
        T[] a, int offsetA, ReadOnlySpan<int> stridesA,
        T[] d, int offsetD, ReadOnlySpan<int> stridesD)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : IUnaryOperator<T>
    {
        if (SmallRow(shape, stridesA, stridesA, stridesD) is var n and > 0)
        {
            TOp.Invoke(a.AsSpan(offsetA, n), d.AsSpan(offsetD, n));
            return;
        }
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
        var row = new UnaryRow<T, TOp>(a, sa[rank - 1], d, sd[rank - 1]);
        var axis = SplitAxis(dims[..rank], sd);
        if (axis >= 0)
            ParallelWalk(axis, dims[..rank], sd, offsetD, sa, offsetA, sa, offsetA, row);
        else
            Walk(dims[..rank], sd, offsetD, sa, offsetA, sa, offsetA, ref row);
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
        var row = new ReduceRow<T, TOp>(x, sx[rank - 1], r, sr[rank - 1]);
        var axis = SplitAxis(dims[..rank], sr);
        if (axis >= 0)
            ParallelWalk(axis, dims[..rank], sx, offsetX, sr, offsetR, sr, offsetR, row);
        else if (SplitAxis(dims[..rank], sx) == 0 && !sr[..rank].ContainsAnyExcept(0))
            ParallelFold<T, TOp>(dims[..rank], x, offsetX, sx, r, offsetR);
        else
            Walk(dims[..rank], sx, offsetX, sr, offsetR, sr, offsetR, ref row);
    }

    /// <summary>
    /// The element count of <paramref name="shape"/> when every operand lies row-major and gap-free
    /// over it (so one span call covers it) and the kernel is too small to split across threads; else
    /// 0 or -1. The common small case then skips the layout work altogether.
    /// </summary>
    private static int SmallRow(ReadOnlySpan<int> shape, ReadOnlySpan<int> strides0, ReadOnlySpan<int> strides1, ReadOnlySpan<int> strides2)
    {
        var count = 1;
        for (var axis = shape.Length - 1; axis >= 0; axis--)
        {
            var length = shape[axis];
            if (length != 1 && (strides0[axis] != count || strides1[axis] != count || strides2[axis] != count))
                return -1;
            count *= length;
            if (count >= ParallelElements)
                return -1;
        }
        return count;
    }

    /// <summary>
    /// The axis to cut into one range per thread, or -1 to stay on this thread: the outermost axis
    /// that the written operand moves along (so that the ranges write apart) and that has a range
    /// for every thread, when the whole layout has at least <see cref="ParallelElements"/> elements.
    /// A lone axis is cut only at multiples of <see cref="ChunkAlignment"/>, so every range but the
    /// last runs whole vectors.
    /// </summary>
    private static int SplitAxis(ReadOnlySpan<int> shape, ReadOnlySpan<int> written)
    {
        var threads = KernelOptions.Threads;
        if (threads == 1 || Shapes.ElementCount(shape) < ParallelElements)
            return -1;
        var least = shape.Length == 1 ? threads * ChunkAlignment : threads;
        for (var axis = 0; axis < shape.Length; axis++)
        {
            if (written[axis] != 0 && shape[axis] >= least)
                return axis;
        }
        return -1;
    }

    /// <summary>How an axis of <paramref name="length"/> is cut: the length of every range but the last, and the number of ranges.</summary>
    private static (int Chunk, int Parts) Ranges(int length, int rank)
    {
        var threads = KernelOptions.Threads;
        var chunk = (length + threads - 1) / threads;
        if (rank == 1)
            chunk = (chunk + ChunkAlignment - 1) / ChunkAlignment * ChunkAlignment;
        return (chunk, (length + chunk - 1) / chunk);
    }

    /// <summary><see cref="Walk"/> with <paramref name="axis"/> cut into one range per thread; each range is walked on its own.</summary>
    private static void ParallelWalk<TRow>(
        int axis,
        ReadOnlySpan<int> shape,
        ReadOnlySpan<int> strides0, int offset0,
        ReadOnlySpan<int> strides1, int offset1,
        ReadOnlySpan<int> strides2, int offset2,
        TRow row)
        where TRow : struct, IRow
    {
        int[] dims = shape.ToArray(), s0 = strides0.ToArray(), s1 = strides1.ToArray(), s2 = strides2.ToArray();
        var (chunk, parts) = Ranges(dims[axis], dims.Length);
        Parallel.For(0, parts, part =>
        {
            var start = part * chunk;
            Span<int> range = stackalloc int[dims.Length];
            dims.CopyTo(range);
            range[axis] = Math.Min(chunk, dims[axis] - start);
            var own = row;
            Walk(range, s0, offset0 + start * s0[axis], s1, offset1 + start * s1[axis], s2, offset2 + start * s2[axis], ref own);
        });
    }

    /// <summary>
    /// A reduction of every element to one: axis 0 cut into one range per thread, each folded into a
    /// partial result of its own, and the partials folded into r in order.
    /// </summary>
    private static void ParallelFold<T, TOp>(ReadOnlySpan<int> shape, T[] x, int offsetX, ReadOnlySpan<int> stridesX, T[] r, int offsetR)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : IReduceOperator<T>
    {
        int[] dims = shape.ToArray(), sx = stridesX.ToArray(), none = new int[dims.Length];
        var (chunk, parts) = Ranges(dims[0], dims.Length);
        var partials = new T[parts];
        Parallel.For(0, parts, part =>
        {
            var start = part * chunk;
            Span<int> range = stackalloc int[dims.Length];
            dims.CopyTo(range);
            range[0] = Math.Min(chunk, dims[0] - start);
            partials[part] = TOp.Identity;
            var row = new ReduceRow<T, TOp>(x, sx[^1], partials, 0);
            Walk(range, sx, offsetX + start * sx[0], none, part, none, part, ref row);
        });
        foreach (var partial in partials)
            r[offsetR] = TOp.Invoke(r[offsetR], partial);
    }

    /// <summary>One row of a kernel: <c>n</c> elements from three offsets; the strides along the row are the kernel's own.</summary>
    private interface IRow
    {
        void Run(int n, int key, int first, int second);
    }

    /// <summary>
    /// Runs <paramref name="row"/> over every row of <paramref name="shape"/> (rank ≥ 1), moving three
    /// offsets by their strides. The key operand's strides shrink towards the last axis (see
    /// <see cref="Simplify"/>); when another operand's last stride outgrows its second-to-last one,
    /// the last two axes go in <see cref="Tile"/>×<see cref="Tile"/> blocks of short rows instead.
    /// </summary>
    private static void Walk<TRow>(
        ReadOnlySpan<int> shape,
        ReadOnlySpan<int> strides0, int offset0,
        ReadOnlySpan<int> strides1, int offset1,
        ReadOnlySpan<int> strides2, int offset2,
        ref TRow row)
        where TRow : struct, IRow
    {
        var rank = shape.Length;
        var n = shape[rank - 1];
        var tiled = rank >= 2 && n > Tile && shape[rank - 2] > Tile
            && (Crosses(strides1, rank) || Crosses(strides2, rank));
        Span<int> counter = stackalloc int[rank];
        if (!tiled)
        {
            for (var count = RowCount(shape); count > 0; count--)
            {
                row.Run(n, offset0, offset1, offset2);
                NextRow(shape, counter, strides0, ref offset0, strides1, ref offset1, strides2, ref offset2);
            }
            return;
        }

        var rows = shape[rank - 2];
        int r0 = strides0[rank - 2], r1 = strides1[rank - 2], r2 = strides2[rank - 2];
        int c0 = strides0[rank - 1], c1 = strides1[rank - 1], c2 = strides2[rank - 1];
        var outer = shape[..(rank - 1)];
        for (var count = RowCount(outer); count > 0; count--)
        {
            for (var top = 0; top < rows; top += Tile)
            {
                for (var left = 0; left < n; left += Tile)
                {
                    var width = Math.Min(Tile, n - left);
                    for (int i = top, end = Math.Min(top + Tile, rows); i < end; i++)
                        row.Run(width, offset0 + i * r0 + left * c0, offset1 + i * r1 + left * c1, offset2 + i * r2 + left * c2);
                }
            }
            NextRow(outer, counter, strides0, ref offset0, strides1, ref offset1, strides2, ref offset2);
        }
    }

    /// <summary>True when an operand moves further along the last axis than along the one before it (and is not broadcast there).</summary>
    private static bool Crosses(ReadOnlySpan<int> strides, int rank) =>
        strides[rank - 2] != 0 && Math.Abs(strides[rank - 1]) > Math.Abs(strides[rank - 2]);

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

    /// <summary>The number of rows: the product of every length but the last.</summary>
    private static int RowCount(ReadOnlySpan<int> shape)
    {
        var rows = 1;
        for (var axis = 0; axis < shape.Length - 1; axis++)
            rows *= shape[axis];
        return rows;
    }

    /// <summary>Moves three offsets to the next row: the axes before the last count like an odometer.</summary>
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

    /// <summary>
    /// d = op(a, b) along a row, or d += op(a, b) when accumulating; offsets in the order destination,
    /// a, b. A contiguous row is accumulated <see cref="AccumulateChunk"/> elements at a time: op into
    /// a chunk on the stack (in L1), then one SIMD add, so accumulating reads and writes memory no
    /// more than writing does.
    /// </summary>
    private readonly struct BinaryRow<T, TOp> : IRow
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : IBinaryOperator<T>
    {
        private readonly T[] _a, _b, _d;
        private readonly int _sa, _sb, _sd;
        private readonly bool _accumulate;

        public BinaryRow(T[] a, int sa, T[] b, int sb, T[] d, int sd, bool accumulate) =>
            (_a, _sa, _b, _sb, _d, _sd, _accumulate) = (a, sa, b, sb, d, sd, accumulate);

        [SkipLocalsInit]
        public void Run(int n, int od, int oa, int ob)
        {
            if (_sd != 1)
            {
                for (int i = 0, ia = oa, ib = ob, id = od; i < n; i++, ia += _sa, ib += _sb, id += _sd)
                    _d[id] = _accumulate ? _d[id] + TOp.Invoke(_a[ia], _b[ib]) : TOp.Invoke(_a[ia], _b[ib]);
                return;
            }
            if (!_accumulate)
            {
                Write(oa, ob, _d.AsSpan(od, n));
                return;
            }
            Span<T> chunk = stackalloc T[AccumulateChunk];
            for (var done = 0; done < n; done += AccumulateChunk)
            {
                var length = Math.Min(AccumulateChunk, n - done);
                var sum = _d.AsSpan(od + done, length);
                Write(oa + done * _sa, ob + done * _sb, chunk[..length]);
                TensorPrimitives.Add(sum, chunk[..length], sum);
            }
        }

        /// <summary>destination = op(a, b) for as many elements as <paramref name="destination"/> has.</summary>
        private void Write(int oa, int ob, Span<T> destination)
        {
            var n = destination.Length;
            if (_sa == 1 && _sb == 1)
                TOp.Invoke(_a.AsSpan(oa, n), _b.AsSpan(ob, n), destination);
            else if (_sa == 1 && _sb == 0)
                TOp.Invoke(_a.AsSpan(oa, n), _b[ob], destination);
            else if (_sa == 0 && _sb == 1)
                TOp.Invoke(_a[oa], _b.AsSpan(ob, n), destination);
            else
            {
                for (int i = 0, ia = oa, ib = ob; i < n; i++, ia += _sa, ib += _sb)
                    destination[i] = TOp.Invoke(_a[ia], _b[ib]);
            }
        }
    }

    /// <summary>d = op(a) along a row; offsets in the order destination, a, (a again).</summary>
    private readonly struct UnaryRow<T, TOp> : IRow
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : IUnaryOperator<T>
    {
        private readonly T[] _a, _d;
        private readonly int _sa, _sd;

        public UnaryRow(T[] a, int sa, T[] d, int sd) => (_a, _sa, _d, _sd) = (a, sa, d, sd);

        public void Run(int n, int od, int oa, int unused)
        {
            if (_sa == 1 && _sd == 1)
            {
                TOp.Invoke(_a.AsSpan(oa, n), _d.AsSpan(od, n));
                return;
            }
            for (int i = 0, ia = oa, id = od; i < n; i++, ia += _sa, id += _sd)
                _d[id] = TOp.Invoke(_a[ia]);
        }
    }

    /// <summary>r = op(r, x) along a row; offsets in the order x, r, (r again).</summary>
    private readonly struct ReduceRow<T, TOp> : IRow
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : IReduceOperator<T>
    {
        private readonly T[] _x, _r;
        private readonly int _sx, _sr;

        public ReduceRow(T[] x, int sx, T[] r, int sr) => (_x, _sx, _r, _sr) = (x, sx, r, sr);

        public void Run(int n, int ox, int oR, int unused)
        {
            if (_sr == 0)
            {
                T folded;
                if (_sx == 1)
                {
                    folded = TOp.Aggregate(_x.AsSpan(ox, n));
                }
                else
                {
                    folded = TOp.Identity;
                    for (int i = 0, ix = ox; i < n; i++, ix += _sx)
                        folded = TOp.Invoke(folded, _x[ix]);
                }
                _r[oR] = TOp.Invoke(_r[oR], folded);
            }
            else if (_sr == 1 && _sx == 1)
            {
                var slots = _r.AsSpan(oR, n);
                TOp.Invoke(slots, _x.AsSpan(ox, n), slots);
            }
            else
            {
                for (int i = 0, ix = ox, ir = oR; i < n; i++, ix += _sx, ir += _sr)
                    _r[ir] = TOp.Invoke(_r[ir], _x[ix]);
            }
        }
    }
}
