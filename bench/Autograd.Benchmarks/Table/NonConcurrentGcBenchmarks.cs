using System.Runtime;
using BenchmarkDotNet.Attributes;

namespace Autograd.Benchmarks.Table;

/// <summary>
/// The 4M-element multiply with a new result, with the collector's background (concurrent) gen-2
/// collections off, as <c>&lt;ConcurrentGarbageCollection&gt;false&lt;/ConcurrentGarbageCollection&gt;</c>
/// in a project file sets them. The table runs in one process, so the setting is made the way a
/// program can make it at run time, <see cref="GCLatencyMode.Batch"/>, and undone afterwards; both
/// give the same collections and page faults (<c>fresh-4m</c> measures either).
/// </summary>
[MemoryDiagnoser]
public class NonConcurrentGcBenchmarks
{
    private NdArray<float> _left = null!, _right = null!;
    private GCLatencyMode _mode;

    [GlobalSetup]
    public void Setup()
    {
        _left = NdArray.RandomNormal<float>(8, FloorBenchmarks.MultiplyElements);
        _right = NdArray.RandomNormal<float>(9, FloorBenchmarks.MultiplyElements);
        _mode = GCSettings.LatencyMode;
        GCSettings.LatencyMode = GCLatencyMode.Batch;
    }

    [GlobalCleanup]
    public void Cleanup() => GCSettings.LatencyMode = _mode;

    [Benchmark]
    public NdArray<float> Multiply4M() => NdArray.Multiply(_left, _right);
}
