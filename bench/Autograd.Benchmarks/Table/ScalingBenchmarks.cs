using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;

namespace Autograd.Benchmarks.Table;

/// <summary>Time against size for an elementwise multiply: a fresh result, into a preallocated one, and raw TensorPrimitives on one thread.</summary>
[MemoryDiagnoser]
public class ElementwiseScaling
{
    /// <summary>16 … 16M elements in steps of 4 (3 sizes in the short mode).</summary>
    public static IEnumerable<int> Sizes() => PerformanceTable.Short
        ? [16, 16 << 10, 16 << 20]
        : Enumerable.Range(0, 11).Select(step => 16 << (2 * step));

    [ParamsSource(nameof(Sizes))]
    public int Elements { get; set; }

    private NdArray<float> _x = null!, _y = null!, _product = null!;

    [GlobalSetup]
    public void Setup()
    {
        _x = NdArray.RandomNormal<float>(1, Elements);
        _y = NdArray.RandomNormal<float>(2, Elements);
        _product = NdArray.Zeros<float>(Elements);
    }

    [Benchmark]
    public NdArray<float> Fresh() => NdArray.Multiply(_x, _y);

    [Benchmark]
    public NdArray<float> Into() => NdArray.Multiply(_x, _y, into: _product);

    [Benchmark]
    public void RawOneThread() => TensorPrimitives.Multiply(_x.AsSpan(), _y.AsSpan(), _product.AsSpan());
}

/// <summary>Square float products n = 32 … 2048 into a preallocated result.</summary>
[MemoryDiagnoser]
public class MatMulScaling
{
    public static IEnumerable<int> Sizes() => PerformanceTable.Short ? [32, 256] : Enumerable.Range(0, 7).Select(step => 32 << step);

    [ParamsSource(nameof(Sizes))]
    public int N { get; set; }

    private NdArray<float> _a = null!, _b = null!, _c = null!;

    [GlobalSetup]
    public void Setup()
    {
        _a = NdArray.RandomNormal<float>(1, N, N);
        _b = NdArray.RandomNormal<float>(2, N, N);
        _c = NdArray.Zeros<float>(N, N);
    }

    [Benchmark]
    public NdArray<float> Square() => NdArray.MatMul(_a, _b, into: _c);
}
