using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Autograd.Kernels;

/// <summary>A matrix read in place: element (i, j) is <c>Data[Offset + i·RowStride + j·ColumnStride]</c>, any strides.</summary>
internal readonly record struct Matrix<T>(T[] Data, int Offset, int RowStride, int ColumnStride)
{
    /// <summary>The same matrix with element (row, column) as its origin.</summary>
    public Matrix<T> From(int row, int column) => this with { Offset = Offset + row * RowStride + column * ColumnStride };
}

/// <summary>
/// C = A·B or C += A·B in the BLIS/Goto style. Five loops surround one register-blocked micro-kernel:
/// columns of B in blocks of <see cref="ColumnBlock"/>, the inner axis in blocks of
/// <see cref="DepthBlock"/>, rows of A in blocks of <see cref="RowBlock"/> (a packed A block stays
/// in L2), then micro-tiles of <see cref="TileRows"/> rows × two vectors, each reading one packed
/// sliver of A and one of B. The block sizes were tuned on a Zen 4 core (32 KB L1, 1 MB L2): a
/// 512-deep sliver of B (64 KB) streams from L2 at two loads per twelve multiply-adds.
/// Operands are copied into contiguous panels by one packing routine that reads any strides
/// (transposing blocks in registers when B is a transposed view), so a transposed view costs
/// little more than a contiguous one; rows that are already contiguous are read in place: always
/// A's, and B's in products of at most <see cref="InPlaceRows"/> rows or
/// <see cref="InPlaceWork"/> multiply-adds, where the copy would not pay back. The micro-kernel
/// is compiled for each tile height, so a short last tile (or a one-row product) does only its own
/// work. Products of at most <see cref="DotWork"/> multiply-adds skip all of it: one dot product per
/// element, as does a matrix times a contiguous column vector. The vector width (512, 256, 128 bits or scalar) is chosen at run time, narrower when
/// a wide tile would mostly pad a narrow product; above <see cref="ParallelWork"/> multiply-adds
/// the longer of the two outer axes is split across cores, each part with its own pack buffers.
/// Every vector width and thread count adds the same products in the same order with fused
/// multiply-adds, so gives the same bits (a matrix times a contiguous vector takes
/// TensorPrimitives.Dot whatever the width).
/// </summary>
internal static class MatMulKernel
{
    private const int TileRows = 6;
    private const int MaxTileColumns = 32; // two Vector512<float>
    private const int RowBlock = 144;
    private const int ColumnBlock = 4096;
    private const int DepthBlock = 512;
    private const long ParallelWork = 1L << 21;
    private const long DotWork = 64;
    private const int InPlaceRows = 2 * TileRows;
    private const long InPlaceWork = 1L << 18;

    /// <summary>
    /// c = a·b (m×k times k×n), or c += a·b when <paramref name="accumulate"/>. k ≥ 1; c must not
    /// share memory with a or b.
    /// </summary>
    public static void Multiply<T>(int m, int n, int k, Matrix<T> a, Matrix<T> b, Matrix<T> c, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Debug.Assert(m > 0 && n > 0 && k > 0);
        var work = (long)m * n * k;
        if (n == 1 && a.ColumnStride == 1 && b.RowStride == 1)
            MatrixVector(m, k, a, b, c, accumulate);
        else if (work <= DotWork)
            Dot(m, n, k, a, b, c, accumulate);
        else if (work < ParallelWork || KernelOptions.Threads == 1)
            Sequential(m, n, k, a, b, c, accumulate);
        else
            Split(m, n, k, a, b, c, accumulate);
    }

    /// <summary>Splits the longer of the two outer axes into one part per thread, in whole tiles.</summary>
    private static void Split<T>(int m, int n, int k, Matrix<T> a, Matrix<T> b, Matrix<T> c, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var threads = KernelOptions.Threads;
        var byColumns = n >= m;
        var length = byColumns ? n : m;
        var unit = byColumns ? MaxTileColumns : TileRows;
        var chunk = (length + threads - 1) / threads;
        chunk = (chunk + unit - 1) / unit * unit;
        if (chunk >= length)
        {
            Sequential(m, n, k, a, b, c, accumulate);
            return;
        }
        Parallel.For(0, (length + chunk - 1) / chunk, part =>
        {
            var start = part * chunk;
            var count = Math.Min(chunk, length - start);
            if (byColumns)
                Sequential(m, count, k, a, b.From(0, start), c.From(0, start), accumulate);
            else
                Sequential(count, n, k, a.From(start, 0), b, c.From(start, 0), accumulate);
        });
    }

    /// <summary>
    /// A matrix times a column vector, both contiguous along k: one <see cref="TensorPrimitives.Dot{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/>
    /// per row (a micro-kernel tile would use one column of its two vectors).
    /// </summary>
    private static void MatrixVector<T>(int m, int k, Matrix<T> a, Matrix<T> b, Matrix<T> c, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var vector = b.Data.AsSpan(b.Offset, k);
        for (var i = 0; i < m; i++)
        {
            var sum = TensorPrimitives.Dot<T>(a.Data.AsSpan(a.Offset + i * a.RowStride, k), vector);
            ref var element = ref c.Data[c.Offset + i * c.RowStride];
            element = accumulate ? element + sum : sum;
        }
    }

    /// <summary>
    /// Products too small for the micro-kernel's setup to pay back: each element as one chain of
    /// fused multiply-adds over p, the micro-kernel's own order, so the bits are the same.
    /// </summary>
    private static void Dot<T>(int m, int n, int k, Matrix<T> a, Matrix<T> b, Matrix<T> c, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var sum = T.Zero;
                for (int p = 0, x = a.Offset + i * a.RowStride, y = b.Offset + j * b.ColumnStride; p < k; p++, x += a.ColumnStride, y += b.RowStride)
                    sum = T.FusedMultiplyAdd(a.Data[x], b.Data[y], sum);
                ref var element = ref c.Data[c.Offset + i * c.RowStride + j * c.ColumnStride];
                element = accumulate ? element + sum : sum;
            }
        }
    }

    private static void Sequential<T>(int m, int n, int k, Matrix<T> a, Matrix<T> b, Matrix<T> c, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (VectorBits<T>(n))
        {
            case 512:
                Blocked<T, Simd512<T>, Vector512<T>>(m, n, k, a, b, c, accumulate);
                break;
            case 256:
                Blocked<T, Simd256<T>, Vector256<T>>(m, n, k, a, b, c, accumulate);
                break;
            case 128:
                Blocked<T, Simd128<T>, Vector128<T>>(m, n, k, a, b, c, accumulate);
                break;
            default:
                Blocked<T, Scalar<T>, T>(m, n, k, a, b, c, accumulate);
                break;
        }
    }

    /// <summary>
    /// The widest accelerated vector (in bits, 0 for scalar) not above <see cref="KernelOptions.MaxVectorBits"/>
    /// whose tile, two vectors wide, pads n columns by at most an eighth; else the narrowest accelerated one.
    /// </summary>
    private static int VectorBits<T>(int n)
        where T : unmanaged
    {
        var chosen = 0;
        foreach (var (bits, accelerated) in (ReadOnlySpan<(int, bool)>)
            [(128, Vector128.IsHardwareAccelerated), (256, Vector256.IsHardwareAccelerated), (512, Vector512.IsHardwareAccelerated)])
        {
            var tile = 2 * bits / 8 / Unsafe.SizeOf<T>();
            if (!accelerated || bits > KernelOptions.MaxVectorBits || (chosen > 0 && (tile - n % tile) % tile > n / 8))
                break;
            chosen = bits;
        }
        return chosen;
    }

    [SkipLocalsInit]
    private static void Blocked<T, TOps, TV>(int m, int n, int k, Matrix<T> a, Matrix<T> b, Matrix<T> c, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOps : ISimd<T, TV>
        where TV : struct
    {
        var nr = 2 * TOps.Count;
        var kcMax = DepthBlock;
        var ncMax = ColumnBlock / nr * nr;
        // Operands whose lines are already contiguous are read in place: rows of A always, rows of B
        // when the product is too small for a packed B to pay back its copy. A last, partial sliver
        // of B is still packed, with zero columns, so the kernel never reads past B.
        var inPlaceA = a.ColumnStride == 1;
        var inPlaceB = b.ColumnStride == 1 && (m <= InPlaceRows || (long)m * n * k <= InPlaceWork);
        var packedA = inPlaceA ? default : PackBuffers<T>.A(RowBlock * Math.Min(kcMax, k));
        var packedB = inPlaceB && n % nr == 0 ? default : PackBuffers<T>.B(Math.Min(kcMax, k) * (inPlaceB ? nr : (Math.Min(ncMax, n) + nr - 1) / nr * nr));
        Span<T> edge = stackalloc T[TileRows * MaxTileColumns];
        for (var jc = 0; jc < n; jc += ncMax)
        {
            var nc = Math.Min(ncMax, n - jc);
            var firstPacked = inPlaceB ? nc / nr * nr : 0;
            for (var pc = 0; pc < k; pc += kcMax)
            {
                var kc = Math.Min(kcMax, k - pc);
                var add = accumulate || pc > 0;
                var blockB = b.From(pc, jc);
                if (firstPacked < nc)
                {
                    var packed = blockB.From(0, firstPacked);
                    Pack(packed.Data, packed.Offset, b.ColumnStride, b.RowStride, nc - firstPacked, kc, nr, packedB);
                }
                for (var ic = 0; ic < m; ic += RowBlock)
                {
                    var mc = Math.Min(RowBlock, m - ic);
                    var blockA = a.From(ic, pc);
                    if (!inPlaceA)
                        Pack(blockA.Data, blockA.Offset, a.RowStride, a.ColumnStride, mc, kc, TileRows, packedA);
                    for (var jr = 0; jr < nc; jr += nr)
                    {
                        var inPlaceColumns = jr < firstPacked;
                        ref var sliverB = ref inPlaceColumns ? ref blockB.Data[blockB.Offset + jr] : ref packedB[(jr - firstPacked) * kc];
                        nint stepB = inPlaceColumns ? b.RowStride : nr;
                        var columns = Math.Min(nr, nc - jr);
                        for (var ir = 0; ir < mc; ir += TileRows)
                        {
                            ref var sliverA = ref inPlaceA ? ref blockA.Data[blockA.Offset + ir * a.RowStride] : ref packedA[ir * kc];
                            var sliver = inPlaceA ? new Sliver<T>(ref sliverA, a.RowStride, 1) : new Sliver<T>(ref sliverA, 1, TileRows);
                            var rows = Math.Min(TileRows, mc - ir);
                            var target = c.From(ic + ir, jc + jr);
                            if (columns == nr && c.ColumnStride == 1)
                            {
                                Tile<T, TOps, TV>(rows, kc, sliver, ref sliverB, stepB, ref target.Data[target.Offset], target.RowStride, add);
                            }
                            else
                            {
                                Tile<T, TOps, TV>(rows, kc, sliver, ref sliverB, stepB, ref edge[0], nr, add: false);
                                StoreEdge(edge, nr, rows, columns, target, add);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>The micro-kernel for a tile of 1 to <see cref="TileRows"/> rows, each row count compiled on its own.</summary>
    private static void Tile<T, TOps, TV>(int rows, int kc, Sliver<T> a, ref T b, nint stepB, ref T c, int ldc, bool add)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOps : ISimd<T, TV>
        where TV : struct
    {
        switch (rows)
        {
            case 6:
                Tile<T, TOps, TV, Rows6>(kc, a, ref b, stepB, ref c, ldc, add);
                break;
            case 5:
                Tile<T, TOps, TV, Rows5>(kc, a, ref b, stepB, ref c, ldc, add);
                break;
            case 4:
                Tile<T, TOps, TV, Rows4>(kc, a, ref b, stepB, ref c, ldc, add);
                break;
            case 3:
                Tile<T, TOps, TV, Rows3>(kc, a, ref b, stepB, ref c, ldc, add);
                break;
            case 2:
                Tile<T, TOps, TV, Rows2>(kc, a, ref b, stepB, ref c, ldc, add);
                break;
            default:
                Tile<T, TOps, TV, Rows1>(kc, a, ref b, stepB, ref c, ldc, add);
                break;
        }
    }

    /// <summary>
    /// The micro-kernel: a <typeparamref name="TRows"/> × (2 vectors) tile of C from as many rows of
    /// A (a packed sliver or rows in place) and a sliver of B (2 vectors per step, steps
    /// <paramref name="stepB"/> apart: packed, or rows of B in place), kept in up to twelve
    /// accumulators across all kc steps, then written to (or added into) C at rows
    /// <paramref name="ldc"/> apart. The row count is a type so that the unused rows compile away.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<T, TOps, TV, TRows>(int kc, Sliver<T> a, ref T b, nint stepB, ref T c, int ldc, bool add)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOps : ISimd<T, TV>
        where TV : struct
        where TRows : IRows
    {
        var w = TOps.Count;
        TV c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        TV c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        nint r1 = a.RowStride, r2 = 2 * r1, r3 = 3 * r1, r4 = 4 * r1, r5 = 5 * r1, stepA = a.StepStride;
        ref var pa = ref a.First;
        ref var pb = ref b;
        for (var p = 0; p < kc; p++)
        {
            var b0 = TOps.Load(ref pb);
            var b1 = TOps.Load(ref Unsafe.Add(ref pb, w));
            Row<T, TOps, TV>(pa, b0, b1, ref c00, ref c01);
            if (TRows.Count > 1)
                Row<T, TOps, TV>(Unsafe.Add(ref pa, r1), b0, b1, ref c10, ref c11);
            if (TRows.Count > 2)
                Row<T, TOps, TV>(Unsafe.Add(ref pa, r2), b0, b1, ref c20, ref c21);
            if (TRows.Count > 3)
                Row<T, TOps, TV>(Unsafe.Add(ref pa, r3), b0, b1, ref c30, ref c31);
            if (TRows.Count > 4)
                Row<T, TOps, TV>(Unsafe.Add(ref pa, r4), b0, b1, ref c40, ref c41);
            if (TRows.Count > 5)
                Row<T, TOps, TV>(Unsafe.Add(ref pa, r5), b0, b1, ref c50, ref c51);
            pa = ref Unsafe.Add(ref pa, stepA);
            pb = ref Unsafe.Add(ref pb, stepB);
        }
        StoreRow<T, TOps, TV>(ref c, c00, c01, w, add);
        if (TRows.Count > 1)
            StoreRow<T, TOps, TV>(ref Unsafe.Add(ref c, ldc), c10, c11, w, add);
        if (TRows.Count > 2)
            StoreRow<T, TOps, TV>(ref Unsafe.Add(ref c, 2 * ldc), c20, c21, w, add);
        if (TRows.Count > 3)
            StoreRow<T, TOps, TV>(ref Unsafe.Add(ref c, 3 * ldc), c30, c31, w, add);
        if (TRows.Count > 4)
            StoreRow<T, TOps, TV>(ref Unsafe.Add(ref c, 4 * ldc), c40, c41, w, add);
        if (TRows.Count > 5)
            StoreRow<T, TOps, TV>(ref Unsafe.Add(ref c, 5 * ldc), c50, c51, w, add);
    }

    /// <summary>One step of one row of a tile: the row's value of A times both vectors of B, added into its two accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row<T, TOps, TV>(T a, TV b0, TV b1, ref TV low, ref TV high)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOps : ISimd<T, TV>
        where TV : struct
    {
        var x = TOps.Splat(a);
        low = TOps.MultiplyAdd(x, b0, low);
        high = TOps.MultiplyAdd(x, b1, high);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<T, TOps, TV>(ref T c, TV low, TV high, int w, bool add)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOps : ISimd<T, TV>
        where TV : struct
    {
        if (add)
        {
            low = TOps.Add(TOps.Load(ref c), low);
            high = TOps.Add(TOps.Load(ref Unsafe.Add(ref c, w)), high);
        }
        TOps.Store(low, ref c);
        TOps.Store(high, ref Unsafe.Add(ref c, w));
    }

    /// <summary>Writes (or adds) the rows × columns corner of a full tile computed into <paramref name="tile"/> to C, at C's strides.</summary>
    private static void StoreEdge<T>(ReadOnlySpan<T> tile, int ldt, int rows, int columns, Matrix<T> c, bool add)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < columns; j++)
            {
                ref var element = ref c.Data[c.Offset + i * c.RowStride + j * c.ColumnStride];
                element = add ? element + tile[i * ldt + j] : tile[i * ldt + j];
            }
        }
    }

    /// <summary>
    /// Packs <paramref name="count"/> lines of a block into slivers of <paramref name="width"/> lines:
    /// element p of line l is <c>data[offset + l·across + p·along]</c>, and sliver s holds, for each
    /// of the <paramref name="kc"/> steps p, the values of its lines side by side. Lines past
    /// <paramref name="count"/> are zeros. A's rows and B's columns are both lines. Lines that run
    /// along the steps (a transposed B) are transposed in blocks in registers where the machine can.
    /// </summary>
    private static void Pack<T>(T[] data, int offset, int across, int along, int count, int kc, int width, Span<T> packed)
        where T : unmanaged
    {
        for (var first = 0; first < count; first += width)
        {
            var lines = Math.Min(width, count - first);
            var sliver = packed.Slice(first * kc, kc * width);
            var start = offset + first * across;
            if (across == 0)
            {
                // Every line is the same (a broadcast operand, such as the ones Backward() seeds with): one fill per step.
                if (lines < width)
                    sliver.Clear();
                for (var p = 0; p < kc; p++)
                    sliver.Slice(p * width, lines).Fill(data[start + p * along]);
                continue;
            }
            if (lines == width && across == 1)
            {
                for (var p = 0; p < kc; p++)
                    data.AsSpan(start + p * along, width).CopyTo(sliver.Slice(p * width, width));
                continue;
            }
            var done = lines == width && along == 1 ? PackTransposed(data, start, across, kc, width, sliver) : 0;
            if (lines < width)
                sliver.Clear();
            for (var l = 0; l < lines; l++)
            {
                for (int p = done, source = start + l * across + done; p < kc; p++, source += along)
                    sliver[p * width + l] = data[source];
            }
        }
    }

    /// <summary>
    /// Packs the first steps of a full sliver whose lines are contiguous (<c>along</c> = 1) by
    /// transposing blocks of one Vector256 of lines × as many steps with AVX shuffles; returns how
    /// many steps it packed (a multiple of the block; none without AVX or with vectors narrower than
    /// 256 bits forced, so that tests reach the element loop too).
    /// </summary>
    private static int PackTransposed<T>(T[] data, int start, int across, int kc, int width, Span<T> sliver)
        where T : unmanaged
    {
        var block = Vector256<T>.Count;
        if (!Avx.IsSupported || KernelOptions.MaxVectorBits < 256 || width % block != 0 || (typeof(T) != typeof(float) && typeof(T) != typeof(double)))
            return 0;
        var steps = kc / block * block;
        for (var line = 0; line < width; line += block)
        {
            for (var p = 0; p < steps; p += block)
            {
                ref var from = ref data[start + line * across + p];
                ref var to = ref sliver[p * width + line];
                if (typeof(T) == typeof(float))
                    Transpose8(ref Unsafe.As<T, float>(ref from), (nuint)across, ref Unsafe.As<T, float>(ref to), (nuint)width);
                else
                    Transpose4(ref Unsafe.As<T, double>(ref from), (nuint)across, ref Unsafe.As<T, double>(ref to), (nuint)width);
            }
        }
        return steps;
    }

    /// <summary>Writes the transpose of the 8×8 floats at rows <paramref name="across"/> apart to rows <paramref name="width"/> apart.</summary>
    private static void Transpose8(ref float from, nuint across, ref float to, nuint width)
    {
        // Pairs of rows interleaved, then pairs of pairs, then the 128-bit halves swapped between the two groups of four.
        var r0 = Vector256.LoadUnsafe(ref from);
        var r1 = Vector256.LoadUnsafe(ref from, across);
        var r2 = Vector256.LoadUnsafe(ref from, 2 * across);
        var r3 = Vector256.LoadUnsafe(ref from, 3 * across);
        var r4 = Vector256.LoadUnsafe(ref from, 4 * across);
        var r5 = Vector256.LoadUnsafe(ref from, 5 * across);
        var r6 = Vector256.LoadUnsafe(ref from, 6 * across);
        var r7 = Vector256.LoadUnsafe(ref from, 7 * across);
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE), s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE), s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(s0, s4, 0x20).StoreUnsafe(ref to);
        Avx.Permute2x128(s1, s5, 0x20).StoreUnsafe(ref to, width);
        Avx.Permute2x128(s2, s6, 0x20).StoreUnsafe(ref to, 2 * width);
        Avx.Permute2x128(s3, s7, 0x20).StoreUnsafe(ref to, 3 * width);
        Avx.Permute2x128(s0, s4, 0x31).StoreUnsafe(ref to, 4 * width);
        Avx.Permute2x128(s1, s5, 0x31).StoreUnsafe(ref to, 5 * width);
        Avx.Permute2x128(s2, s6, 0x31).StoreUnsafe(ref to, 6 * width);
        Avx.Permute2x128(s3, s7, 0x31).StoreUnsafe(ref to, 7 * width);
    }

    /// <summary>Writes the transpose of the 4×4 doubles at rows <paramref name="across"/> apart to rows <paramref name="width"/> apart.</summary>
    private static void Transpose4(ref double from, nuint across, ref double to, nuint width)
    {
        var r0 = Vector256.LoadUnsafe(ref from);
        var r1 = Vector256.LoadUnsafe(ref from, across);
        var r2 = Vector256.LoadUnsafe(ref from, 2 * across);
        var r3 = Vector256.LoadUnsafe(ref from, 3 * across);
        Vector256<double> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Avx.Permute2x128(t0, t2, 0x20).StoreUnsafe(ref to);
        Avx.Permute2x128(t1, t3, 0x20).StoreUnsafe(ref to, width);
        Avx.Permute2x128(t0, t2, 0x31).StoreUnsafe(ref to, 2 * width);
        Avx.Permute2x128(t1, t3, 0x31).StoreUnsafe(ref to, 3 * width);
    }
}

/// <summary>Up to six rows of A for the micro-kernel: value p of row r at <c>r·RowStride + p·StepStride</c> from <see cref="First"/>.</summary>
internal readonly ref struct Sliver<T>(ref T first, nint rowStride, nint stepStride)
{
    public readonly ref T First = ref first;
    public readonly nint RowStride = rowStride;
    public readonly nint StepStride = stepStride;
}

/// <summary>The row count of a micro-kernel tile, as a type so that each count compiles to its own code.</summary>
internal interface IRows
{
    static abstract int Count { get; }
}

internal readonly struct Rows1 : IRows
{
    public static int Count => 1;
}

internal readonly struct Rows2 : IRows
{
    public static int Count => 2;
}

internal readonly struct Rows3 : IRows
{
    public static int Count => 3;
}

internal readonly struct Rows4 : IRows
{
    public static int Count => 4;
}

internal readonly struct Rows5 : IRows
{
    public static int Count => 5;
}

internal readonly struct Rows6 : IRows
{
    public static int Count => 6;
}

/// <summary>The handful of vector operations the matmul micro-kernel needs, for one width.</summary>
internal interface ISimd<T, TV>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TV : struct
{
    static abstract int Count { get; }
    static abstract TV Load(ref T source);
    static abstract void Store(TV value, ref T destination);
    static abstract TV Splat(T value);
    static abstract TV Add(TV x, TV y);

    /// <summary>x·y + addend, fused (one rounding) on every width, so every path gives the same bits.</summary>
    static abstract TV MultiplyAdd(TV x, TV y, TV addend);
}

internal readonly struct Simd512<T> : ISimd<T, Vector512<T>>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Count => Vector512<T>.Count;
    public static Vector512<T> Load(ref T source) => Vector512.LoadUnsafe(ref source);
    public static void Store(Vector512<T> value, ref T destination) => value.StoreUnsafe(ref destination);
    public static Vector512<T> Splat(T value) => Vector512.Create(value);
    public static Vector512<T> Add(Vector512<T> x, Vector512<T> y) => x + y;

    public static Vector512<T> MultiplyAdd(Vector512<T> x, Vector512<T> y, Vector512<T> addend)
    {
        if (typeof(T) == typeof(float))
            return Vector512.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), addend.AsSingle()).As<float, T>();
        return Vector512.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), addend.AsDouble()).As<double, T>();
    }
}

internal readonly struct Simd256<T> : ISimd<T, Vector256<T>>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Count => Vector256<T>.Count;
    public static Vector256<T> Load(ref T source) => Vector256.LoadUnsafe(ref source);
    public static void Store(Vector256<T> value, ref T destination) => value.StoreUnsafe(ref destination);
    public static Vector256<T> Splat(T value) => Vector256.Create(value);
    public static Vector256<T> Add(Vector256<T> x, Vector256<T> y) => x + y;

    public static Vector256<T> MultiplyAdd(Vector256<T> x, Vector256<T> y, Vector256<T> addend)
    {
        if (typeof(T) == typeof(float))
            return Vector256.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), addend.AsSingle()).As<float, T>();
        return Vector256.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), addend.AsDouble()).As<double, T>();
    }
}

internal readonly struct Simd128<T> : ISimd<T, Vector128<T>>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Count => Vector128<T>.Count;
    public static Vector128<T> Load(ref T source) => Vector128.LoadUnsafe(ref source);
    public static void Store(Vector128<T> value, ref T destination) => value.StoreUnsafe(ref destination);
    public static Vector128<T> Splat(T value) => Vector128.Create(value);
    public static Vector128<T> Add(Vector128<T> x, Vector128<T> y) => x + y;

    public static Vector128<T> MultiplyAdd(Vector128<T> x, Vector128<T> y, Vector128<T> addend)
    {
        if (typeof(T) == typeof(float))
            return Vector128.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), addend.AsSingle()).As<float, T>();
        return Vector128.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), addend.AsDouble()).As<double, T>();
    }
}

internal readonly struct Scalar<T> : ISimd<T, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Count => 1;
    public static T Load(ref T source) => source;
    public static void Store(T value, ref T destination) => destination = value;
    public static T Splat(T value) => value;
    public static T Add(T x, T y) => x + y;
    public static T MultiplyAdd(T x, T y, T addend) => T.FusedMultiplyAdd(x, y, addend);
}

/// <summary>
/// Each thread's pack buffers, kept for its lifetime (pool threads live long), pinned and aligned
/// to 64 bytes so that vector loads from them never straddle a cache line.
/// </summary>
internal static class PackBuffers<T>
    where T : unmanaged
{
    [ThreadStatic]
    private static T[]? _a;

    [ThreadStatic]
    private static T[]? _b;

    public static Span<T> A(int length) => Aligned(ref _a, length);

    public static Span<T> B(int length) => Aligned(ref _b, length);

    private static unsafe Span<T> Aligned(ref T[]? buffer, int length)
    {
        var slack = 64 / sizeof(T);
        if (buffer is null || buffer.Length < length + slack)
            buffer = GC.AllocateUninitializedArray<T>(length + slack, pinned: true);
        var misaligned = (int)((nuint)Unsafe.AsPointer(ref buffer[0]) % 64) / sizeof(T);
        return buffer.AsSpan(misaligned == 0 ? 0 : slack - misaligned, length);
    }
}
