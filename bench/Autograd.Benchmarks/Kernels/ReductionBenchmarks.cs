using BenchmarkDotNet.Attributes;

namespace Autograd.Benchmarks.Kernels;

/// <summary>
/// Sum and Max of 512×512 floats over all elements, over the last (contiguous) axis, over the first
/// axis, and over the last axis of a transposed view.
/// </summary>
[MemoryDiagnoser]
public class ReductionBenchmarks
{
    private readonly NdArray<float> _x = NdArray.RandomNormal<float>(1, 512, 512);
    private NdArray<float> _transposed = null!;

    [GlobalSetup]
    public void Setup() => _transposed = _x.Transpose();

    [Benchmark(Baseline = true)]
    public NdArray<float> SumAll() => NdArray.Sum(_x);

    [Benchmark]
    public NdArray<float> SumLastAxis() => NdArray.Sum(_x, [1]);

    [Benchmark]
    public NdArray<float> SumFirstAxis() => NdArray.Sum(_x, [0]);

    [Benchmark]
    public NdArray<float> SumLastAxisTransposed() => NdArray.Sum(_transposed, [1]);

    [Benchmark]
    public NdArray<float> MaxLastAxis() => NdArray.Max(_x, [-1]);
}
