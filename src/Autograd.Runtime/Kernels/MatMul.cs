using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
/// B, and A unless its rows are already contiguous (those the micro-kernel reads in place), are
/// copied into contiguous panels by one packing routine that reads any strides, so a transposed
/// view costs no more than a contiguous one. The vector width (512, 256, 128 bits or scalar) is
/// chosen at run time, narrower when a wide tile would mostly pad a narrow product; above
/// <see cref="ParallelWork"/> multiply-adds the longer of the two outer axes is split across
/// cores, each part with its own pack buffers.
/// </summary>
internal static class MatMulKernel
{
    private const int TileRows = 6;
    private const int MaxTileColumns = 32; // two Vector512<float>
    private const int RowBlock = 144;
    private const int ColumnBlock = 4096;
    private const int DepthBlock = 512;
    private const long ParallelWork = 1L << 21;

    /// <summary>
    /// c = a·b (m×k times k×n), or c += a·b when <paramref name="accumulate"/>. k ≥ 1; c must not
    /// share memory with a or b.
    /// </summary>
    public static void Multiply<T>(int m, int n, int k, Matrix<T> a, Matrix<T> b, Matrix<T> c, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Debug.Assert(m > 0 && n > 0 && k > 0);
        var threads = (long)m * n * k >= ParallelWork ? KernelOptions.Threads : 1;
        var byColumns = n >= m;
        var length = byColumns ? n : m;
        var unit = byColumns ? MaxTileColumns : TileRows;
        var chunk = (length + threads - 1) / threads;
        chunk = (chunk + unit - 1) / unit * unit;
        if (threads == 1 || chunk >= length)
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
        var packedA = PackBuffers<T>.A(RowBlock * kcMax);
        var packedB = PackBuffers<T>.B(kcMax * ((Math.Min(ncMax, n) + nr - 1) / nr * nr));
        Span<T> edge = stackalloc T[TileRows * MaxTileColumns];
        var inPlaceA = a.ColumnStride == 1;
        for (var jc = 0; jc < n; jc += ncMax)
        {
            var nc = Math.Min(ncMax, n - jc);
            for (var pc = 0; pc < k; pc += kcMax)
            {
                var kc = Math.Min(kcMax, k - pc);
                var add = accumulate || pc > 0;
                var blockB = b.From(pc, jc);
                Pack(blockB.Data, blockB.Offset, b.ColumnStride, b.RowStride, nc, kc, nr, packedB);
                for (var ic = 0; ic < m; ic += RowBlock)
                {
                    var mc = Math.Min(RowBlock, m - ic);
                    var blockA = a.From(ic, pc);
                    // Rows of A that are already contiguous are read in place (packing them would cost
                    // as much as the product when B is narrow); only a last, partial sliver is packed,
                    // with zero rows, so the kernel never reads past A.
                    var firstPacked = inPlaceA ? mc / TileRows * TileRows : 0;
                    var packed = blockA.From(firstPacked, 0);
                    Pack(packed.Data, packed.Offset, a.RowStride, a.ColumnStride, mc - firstPacked, kc, TileRows, packedA);
                    for (var jr = 0; jr < nc; jr += nr)
                    {
                        ref var sliverB = ref packedB[jr * kc];
                        var columns = Math.Min(nr, nc - jr);
                        for (var ir = 0; ir < mc; ir += TileRows)
                        {
                            var inPlace = ir < firstPacked;
                            ref var sliverA = ref inPlace ? ref blockA.Data[blockA.Offset + ir * a.RowStride] : ref packedA[(ir - firstPacked) * kc];
                            nint rowStride = inPlace ? a.RowStride : 1, stepStride = inPlace ? 1 : TileRows;
                            var rows = Math.Min(TileRows, mc - ir);
                            var target = c.From(ic + ir, jc + jr);
                            if (rows == TileRows && columns == nr && c.ColumnStride == 1)
                            {
                                Tile<T, TOps, TV>(kc, ref sliverA, rowStride, stepStride, ref sliverB, ref target.Data[target.Offset], target.RowStride, add);
                            }
                            else
                            {
                                Tile<T, TOps, TV>(kc, ref sliverA, rowStride, stepStride, ref sliverB, ref edge[0], nr, add: false);
                                StoreEdge(edge, nr, rows, columns, target, add);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The micro-kernel: a 6 × (2 vectors) tile of C from six rows of A (value p of row r at
    /// r·<paramref name="rowStride"/> + p·<paramref name="stepStride"/>: a packed sliver or rows in
    /// place) and a packed B sliver (2 vectors per step), kept in twelve accumulators across all kc
    /// steps, then written to (or added into) C at rows <paramref name="ldc"/> apart.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<T, TOps, TV>(int kc, ref T a, nint rowStride, nint stepStride, ref T b, ref T c, int ldc, bool add)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOps : ISimd<T, TV>
        where TV : struct
    {
        var w = TOps.Count;
        TV c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        TV c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        nint r2 = 2 * rowStride, r3 = 3 * rowStride, r4 = 4 * rowStride, r5 = 5 * rowStride;
        ref var pa = ref a;
        ref var pb = ref b;
        for (var p = 0; p < kc; p++)
        {
            var b0 = TOps.Load(ref pb);
            var b1 = TOps.Load(ref Unsafe.Add(ref pb, w));
            var x = TOps.Splat(pa);
            c00 = TOps.MultiplyAdd(x, b0, c00);
            c01 = TOps.MultiplyAdd(x, b1, c01);
            x = TOps.Splat(Unsafe.Add(ref pa, rowStride));
            c10 = TOps.MultiplyAdd(x, b0, c10);
            c11 = TOps.MultiplyAdd(x, b1, c11);
            x = TOps.Splat(Unsafe.Add(ref pa, r2));
            c20 = TOps.MultiplyAdd(x, b0, c20);
            c21 = TOps.MultiplyAdd(x, b1, c21);
            x = TOps.Splat(Unsafe.Add(ref pa, r3));
            c30 = TOps.MultiplyAdd(x, b0, c30);
            c31 = TOps.MultiplyAdd(x, b1, c31);
            x = TOps.Splat(Unsafe.Add(ref pa, r4));
            c40 = TOps.MultiplyAdd(x, b0, c40);
            c41 = TOps.MultiplyAdd(x, b1, c41);
            x = TOps.Splat(Unsafe.Add(ref pa, r5));
            c50 = TOps.MultiplyAdd(x, b0, c50);
            c51 = TOps.MultiplyAdd(x, b1, c51);
            pa = ref Unsafe.Add(ref pa, stepStride);
            pb = ref Unsafe.Add(ref pb, 2 * w);
        }
        StoreRow<T, TOps, TV>(ref c, c00, c01, w, add);
        StoreRow<T, TOps, TV>(ref Unsafe.Add(ref c, ldc), c10, c11, w, add);
        StoreRow<T, TOps, TV>(ref Unsafe.Add(ref c, 2 * ldc), c20, c21, w, add);
        StoreRow<T, TOps, TV>(ref Unsafe.Add(ref c, 3 * ldc), c30, c31, w, add);
        StoreRow<T, TOps, TV>(ref Unsafe.Add(ref c, 4 * ldc), c40, c41, w, add);
        StoreRow<T, TOps, TV>(ref Unsafe.Add(ref c, 5 * ldc), c50, c51, w, add);
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
    /// <paramref name="count"/> are zeros. A's rows and B's columns are both lines.
    /// </summary>
    private static void Pack<T>(T[] data, int offset, int across, int along, int count, int kc, int width, Span<T> packed)
        where T : unmanaged
    {
        for (var first = 0; first < count; first += width)
        {
            var lines = Math.Min(width, count - first);
            var sliver = packed.Slice(first * kc, kc * width);
            var start = offset + first * across;
            if (lines == width && across == 1)
            {
                for (var p = 0; p < kc; p++)
                    data.AsSpan(start + p * along, width).CopyTo(sliver.Slice(p * width, width));
                continue;
            }
            if (lines < width)
                sliver.Clear();
            for (var l = 0; l < lines; l++)
            {
                for (int p = 0, source = start + l * across; p < kc; p++, source += along)
                    sliver[p * width + l] = data[source];
            }
        }
    }
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
