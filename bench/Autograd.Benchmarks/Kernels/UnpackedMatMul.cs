using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Autograd.Benchmarks.Kernels;

/// <summary>
/// The baseline for <see cref="MatMulBenchmarks"/>: the runtime's matmul kernel as it was before
/// the packed GEMM (commit ac91b5a^), kept here unchanged so that every size can be compared with
/// it. C = A·B for contiguous row-major matrices. Columns go in panels two vectors wide; each panel is
/// computed four rows at a time by a register-blocked micro-kernel (eight accumulators, one load of
/// B per step shared by four rows), so the B panel stays in L1 while A streams. Columns left over
/// after the last full panel take a row-axpy loop through <see cref="TensorPrimitives"/>.
/// </summary>
internal static class UnpackedMatMul
{
    private const int RowBlock = 4;

    /// <summary>Overwrites <paramref name="c"/> (m×n) with <paramref name="a"/> (m×k) times <paramref name="b"/> (k×n).</summary>
    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0)
            return;
        if (k == 0)
        {
            c[..(m * n)].Clear();
            return;
        }
        if (n == 1)
        {
            // Matrix × vector: one dot product per row.
            for (var i = 0; i < m; i++)
                c[i] = TensorPrimitives.Dot(a.Slice(i * k, k), b[..k]);
            return;
        }

        var panel = 2 * Vector<T>.Count;
        var panelEnd = Vector.IsHardwareAccelerated ? n - n % panel : 0;
        for (var j = 0; j < panelEnd; j += panel)
        {
            var i = 0;
            for (; i + RowBlock <= m; i += RowBlock)
                Panel4(a, b, c, i, j, k, n);
            for (; i < m; i++)
                Panel1(a, b, c, i, j, k, n);
        }

        if (panelEnd == n)
            return;
        var width = n - panelEnd;
        for (var i = 0; i < m; i++)
        {
            var row = c.Slice(i * n + panelEnd, width);
            row.Clear();
            for (var p = 0; p < k; p++)
                TensorPrimitives.MultiplyAdd(b.Slice(p * n + panelEnd, width), a[i * k + p], row, row);
        }
    }

    /// <summary>C[i..i+4, j..j+2w] = A[i..i+4, :] · B[:, j..j+2w], accumulated in registers.</summary>
    private static void Panel4<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int i, int j, int k, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref var a0 = ref Unsafe.AsRef(in a[i * k]);
        ref var a1 = ref Unsafe.Add(ref a0, k);
        ref var a2 = ref Unsafe.Add(ref a1, k);
        ref var a3 = ref Unsafe.Add(ref a2, k);
        ref var bRef = ref MemoryMarshal.GetReference(b);
        var w = (nuint)Vector<T>.Count;
        Vector<T> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector<T> c20 = default, c21 = default, c30 = default, c31 = default;
        var bp = (nuint)j;
        for (nuint p = 0; p < (nuint)k; p++, bp += (nuint)n)
        {
            var b0 = Vector.LoadUnsafe(ref bRef, bp);
            var b1 = Vector.LoadUnsafe(ref bRef, bp + w);
            var x = new Vector<T>(Unsafe.Add(ref a0, p));
            c00 = MultiplyAdd(x, b0, c00);
            c01 = MultiplyAdd(x, b1, c01);
            x = new Vector<T>(Unsafe.Add(ref a1, p));
            c10 = MultiplyAdd(x, b0, c10);
            c11 = MultiplyAdd(x, b1, c11);
            x = new Vector<T>(Unsafe.Add(ref a2, p));
            c20 = MultiplyAdd(x, b0, c20);
            c21 = MultiplyAdd(x, b1, c21);
            x = new Vector<T>(Unsafe.Add(ref a3, p));
            c30 = MultiplyAdd(x, b0, c30);
            c31 = MultiplyAdd(x, b1, c31);
        }
        ref var cRef = ref MemoryMarshal.GetReference(c);
        var row = (nuint)(i * n + j);
        c00.StoreUnsafe(ref cRef, row);
        c01.StoreUnsafe(ref cRef, row + w);
        row += (nuint)n;
        c10.StoreUnsafe(ref cRef, row);
        c11.StoreUnsafe(ref cRef, row + w);
        row += (nuint)n;
        c20.StoreUnsafe(ref cRef, row);
        c21.StoreUnsafe(ref cRef, row + w);
        row += (nuint)n;
        c30.StoreUnsafe(ref cRef, row);
        c31.StoreUnsafe(ref cRef, row + w);
    }

    /// <summary>C[i, j..j+2w] = A[i, :] · B[:, j..j+2w]: the leftover rows of a panel.</summary>
    private static void Panel1<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int i, int j, int k, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref var a0 = ref Unsafe.AsRef(in a[i * k]);
        ref var bRef = ref MemoryMarshal.GetReference(b);
        var w = (nuint)Vector<T>.Count;
        Vector<T> c00 = default, c01 = default;
        var bp = (nuint)j;
        for (nuint p = 0; p < (nuint)k; p++, bp += (nuint)n)
        {
            var x = new Vector<T>(Unsafe.Add(ref a0, p));
            c00 = MultiplyAdd(x, Vector.LoadUnsafe(ref bRef, bp), c00);
            c01 = MultiplyAdd(x, Vector.LoadUnsafe(ref bRef, bp + w), c01);
        }
        ref var cRef = ref MemoryMarshal.GetReference(c);
        c00.StoreUnsafe(ref cRef, (nuint)(i * n + j));
        c01.StoreUnsafe(ref cRef, (nuint)(i * n + j) + w);
    }

    /// <summary>x·y + addend, fused where the hardware has FMA; the type tests fold away at JIT time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> MultiplyAdd<T>(Vector<T> x, Vector<T> y, Vector<T> addend)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return Vector.MultiplyAddEstimate(x.As<T, float>(), y.As<T, float>(), addend.As<T, float>()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector.MultiplyAddEstimate(x.As<T, double>(), y.As<T, double>(), addend.As<T, double>()).As<double, T>();
        return x * y + addend;
    }
}
