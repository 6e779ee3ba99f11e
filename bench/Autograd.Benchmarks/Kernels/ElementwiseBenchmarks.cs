using BenchmarkDotNet.Attributes;

namespace Autograd.Benchmarks.Kernels;

/// <summary>
/// Add on 512×512 floats in the layouts kernels meet: contiguous (one SIMD pass), a broadcast row,
/// a transposed operand (scalar strided path), into a preallocated destination, and many short
/// rows (a [65536, 4] array, where per-row overhead dominates unless axes are merged).
/// </summary>
[MemoryDiagnoser]
public class ElementwiseBenchmarks
{
    private readonly NdArray<float> _a = NdArray.RandomNormal<float>(1, 512, 512);
    private readonly NdArray<float> _b = NdArray.RandomNormal<float>(2, 512, 512);
    private readonly NdArray<float> _row = NdArray.RandomNormal<float>(3, 512);
    private readonly NdArray<float> _into = NdArray.Zeros<float>(512, 512);
    private readonly NdArray<float> _narrowA = NdArray.RandomNormal<float>(4, 65536, 4);
    private readonly NdArray<float> _narrowB = NdArray.RandomNormal<float>(5, 65536, 4);
    private NdArray<float> _transposed = null!;

    [GlobalSetup]
    public void Setup() => _transposed = _b.Transpose();

    [Benchmark(Baseline = true)]
    public NdArray<float> Contiguous() => NdArray.Add(_a, _b);

    [Benchmark]
    public NdArray<float> ContiguousInto() => NdArray.Add(_a, _b, _into);

    [Benchmark]
    public NdArray<float> BroadcastRow() => NdArray.Add(_a, _row);

    [Benchmark]
    public NdArray<float> Transposed() => NdArray.Add(_a, _transposed);

    [Benchmark]
    public NdArray<float> ShortRows() => NdArray.Add(_narrowA, _narrowB);
}
