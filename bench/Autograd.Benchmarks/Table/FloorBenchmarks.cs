using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;

namespace Autograd.Benchmarks.Table;

/// <summary>
/// The machine's own limits, measured in the same run as the cases they judge: the Vector512 FMA
/// peak on every core, and a raw <see cref="TensorPrimitives"/> multiply of 4M floats into a
/// preallocated buffer, split across two threads.
/// </summary>
[MemoryDiagnoser]
public class FloorBenchmarks
{
    /// <summary>Steps of the FMA loop per thread; each step is 12 independent Vector512 FMAs.</summary>
    private const int FmaSteps = 1 << 20;

    /// <summary>The float operations one <see cref="PeakFma"/> call performs: every core, 12 FMAs × 16 lanes × 2 per step.</summary>
    public static double PeakFmaFlops => Environment.ProcessorCount * (double)FmaSteps * 12 * 16 * 2;

    public const int MultiplyElements = 4 << 20;

    /// <summary>The bytes one <see cref="RawMultiply"/> call moves: two operands read and one result written.</summary>
    public static double RawMultiplyBytes => 3.0 * MultiplyElements * sizeof(float);

    private float[] _x = null!, _y = null!, _product = null!;

    [GlobalSetup]
    public void Setup()
    {
        _x = new float[MultiplyElements];
        _y = new float[MultiplyElements];
        _product = new float[MultiplyElements];
        Array.Fill(_x, 1.5f);
        Array.Fill(_y, 0.5f);
    }

    [Benchmark]
    public float PeakFma()
    {
        var sums = new float[Environment.ProcessorCount];
        Parallel.For(0, sums.Length, thread => sums[thread] = FmaLoop(FmaSteps));
        return sums.Sum();
    }

    [Benchmark]
    public float[] RawMultiply() => RawMultiply(_x, _y, _product);

    /// <summary>product = x * y, one half per thread; returns <paramref name="product"/>.</summary>
    public static float[] RawMultiply(float[] x, float[] y, float[] product)
    {
        var half = product.Length / 2;
        Parallel.For(0, 2, part => TensorPrimitives.Multiply(
            x.AsSpan(part * half, half), y.AsSpan(part * half, half), product.AsSpan(part * half, half)));
        return product;
    }

    /// <summary>Twelve independent FMA chains, enough to cover the FMA latency on every pipe: 12·16·2 flops per step.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static float FmaLoop(int steps)
    {
        var scale = Vector512.Create(0.999999f);
        var shift = Vector512.Create(1e-7f);
        Vector512<float> a0 = Vector512<float>.One, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        Vector512<float> a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (var step = 0; step < steps; step++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, scale, shift);
            a1 = Vector512.FusedMultiplyAdd(a1, scale, shift);
            a2 = Vector512.FusedMultiplyAdd(a2, scale, shift);
            a3 = Vector512.FusedMultiplyAdd(a3, scale, shift);
            a4 = Vector512.FusedMultiplyAdd(a4, scale, shift);
            a5 = Vector512.FusedMultiplyAdd(a5, scale, shift);
            a6 = Vector512.FusedMultiplyAdd(a6, scale, shift);
            a7 = Vector512.FusedMultiplyAdd(a7, scale, shift);
            a8 = Vector512.FusedMultiplyAdd(a8, scale, shift);
            a9 = Vector512.FusedMultiplyAdd(a9, scale, shift);
            a10 = Vector512.FusedMultiplyAdd(a10, scale, shift);
            a11 = Vector512.FusedMultiplyAdd(a11, scale, shift);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}
