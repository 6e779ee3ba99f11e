using BenchmarkDotNet.Attributes;

namespace Autograd.Benchmarks.Kernels;

/// <summary>
/// Copy of a 1024×1024 float array (4 MB, bigger than L2) into a preallocated destination:
/// contiguous, and transposed (what Clone does for MatMul's transposed operands).
/// </summary>
[MemoryDiagnoser]
public class CopyBenchmarks
{
    private readonly NdArray<float> _x = NdArray.RandomNormal<float>(1, 1024, 1024);
    private readonly NdArray<float> _destination = NdArray.Zeros<float>(1024, 1024);
    private NdArray<float> _transposed = null!;

    [GlobalSetup]
    public void Setup() => _transposed = _x.Transpose();

    [Benchmark(Baseline = true)]
    public NdArray<float> Contiguous() => NdArray.Copy(_x, _destination);

    [Benchmark]
    public NdArray<float> Transposed() => NdArray.Copy(_transposed, _destination);
}
