using System.Runtime;
using BenchmarkDotNet.Attributes;

namespace Autograd.Benchmarks.Table;

/// <summary>
/// The cases of the performance table (issue 8) that concern the kernels: matrix products at the
/// sizes people train with, the MLP's layer 64×784·784×256 and its two backward products, and a
/// 4M-element multiply, and a whole MLP training step. Each returns a fresh result, as user code gets it, unless it says otherwise.
/// </summary>
[MemoryDiagnoser]
public class CaseBenchmarks
{
    public const int MlpBatch = 64, MlpInputs = 784, MlpHidden = 256;

    private NdArray<float> _a512 = null!, _b512 = null!, _a1024 = null!, _b1024 = null!;
    private NdArray<float> _x = null!, _w = null!, _dy = null!, _dw = null!, _dx = null!;
    private NdArray<float> _left = null!, _right = null!, _product = null!;
    private Variable<float> _va = null!, _vb = null!, _vleft = null!, _vright = null!;
    private NdArray<float> _dproduct = null!;
    private MlpStep _mlp = null!;
    private GCLatencyMode _latencyMode;

    [GlobalSetup]
    public void Setup()
    {
        _a512 = NdArray.RandomNormal<float>(1, 512, 512);
        _b512 = NdArray.RandomNormal<float>(2, 512, 512);
        _a1024 = NdArray.RandomNormal<float>(3, 1024, 1024);
        _b1024 = NdArray.RandomNormal<float>(4, 1024, 1024);
        _x = NdArray.RandomNormal<float>(5, MlpBatch, MlpInputs);
        _w = NdArray.RandomNormal<float>(6, MlpInputs, MlpHidden);
        _dy = NdArray.RandomNormal<float>(7, MlpBatch, MlpHidden);
        _dw = NdArray.Zeros<float>(MlpInputs, MlpHidden);
        _dx = NdArray.Zeros<float>(MlpBatch, MlpInputs);
        _left = NdArray.RandomNormal<float>(8, FloorBenchmarks.MultiplyElements);
        _right = NdArray.RandomNormal<float>(9, FloorBenchmarks.MultiplyElements);
        _product = NdArray.Zeros<float>(FloorBenchmarks.MultiplyElements);
        _va = _a512.ToVariable("a");
        _vb = _b512.ToVariable("b");
        _vleft = _left.ToVariable("left");
        _vright = _right.ToVariable("right");
        _dproduct = NdArray.RandomNormal<float>(10, FloorBenchmarks.MultiplyElements);
        _mlp = new MlpStep();
    }

    /// <summary>
    /// <see cref="Setup"/>, then the collector's background (concurrent) gen-2 collections off, as
    /// <c>&lt;ConcurrentGarbageCollection&gt;false&lt;/ConcurrentGarbageCollection&gt;</c> in a project
    /// file sets them. The table runs in one process, so this is done the way a program can do it at
    /// run time, <see cref="GCLatencyMode.Batch"/>, and undone afterwards; <c>fresh-4m</c> measures
    /// either way with the same collections and page faults.
    /// </summary>
    [GlobalSetup(Targets = [nameof(Multiply4MConcurrentGcOff), nameof(RawMultiply4MNewResultConcurrentGcOff)])]
    public void SetupConcurrentGcOff()
    {
        Setup();
        _latencyMode = GCSettings.LatencyMode;
        GCSettings.LatencyMode = GCLatencyMode.Batch;
    }

    [GlobalCleanup(Targets = [nameof(Multiply4MConcurrentGcOff), nameof(RawMultiply4MNewResultConcurrentGcOff)])]
    public void CleanupConcurrentGcOff() => GCSettings.LatencyMode = _latencyMode;

    [Benchmark]
    public NdArray<float> MatMul512() => NdArray.MatMul(_a512, _b512);

    /// <summary>Forward, then backward's two products (dy·bᵀ and aᵀ·dy) added into the leaf gradients.</summary>
    [Benchmark]
    public NdArray<float>? MatMul512ForwardBackward()
    {
        Ops.MatMul(_va, _vb).Backward();
        return _va.Grad;
    }

    [Benchmark]
    public NdArray<float> MatMul1024() => NdArray.MatMul(_a1024, _b1024);

    [Benchmark]
    public NdArray<float> MlpLayerForward() => NdArray.MatMul(_x, _w);

    /// <summary>The layer's backward: dW += xᵀ·dy and dx += dy·Wᵀ, transposes read in place, added into gradient buffers.</summary>
    [Benchmark]
    public NdArray<float> MlpLayerBackward()
    {
        NdArray.MatMul(_x.Transpose(), _dy, into: _dw, accumulate: true);
        return NdArray.MatMul(_dy, _w.Transpose(), into: _dx, accumulate: true);
    }

    /// <summary>A whole training step of the MLP 784-256-10: ZeroGrad, forward, backward, SGD step.</summary>
    [Benchmark]
    public float MlpTrainingStep() => _mlp.Run();

    [Benchmark]
    public NdArray<float> Multiply4M() => NdArray.Multiply(_left, _right);

    /// <summary><see cref="Multiply4M"/> with the same live heap, background collections off (see <see cref="SetupConcurrentGcOff"/>).</summary>
    [Benchmark]
    public NdArray<float> Multiply4MConcurrentGcOff() => NdArray.Multiply(_left, _right);

    [Benchmark]
    public NdArray<float> Multiply4MInto() => NdArray.Multiply(_left, _right, into: _product);

    /// <summary>
    /// <see cref="Multiply4M"/> with no library code: a new uninitialized array from the runtime, written
    /// by the raw multiply on two threads. What any op returning a new 4M-element result costs here.
    /// </summary>
    [Benchmark]
    public float[] RawMultiply4MNewResult() => FloorBenchmarks.RawMultiply(_left.Data, _right.Data, GC.AllocateUninitializedArray<float>(FloorBenchmarks.MultiplyElements));

    /// <summary><see cref="RawMultiply4MNewResult"/> with background collections off, as <see cref="Multiply4MConcurrentGcOff"/>.</summary>
    [Benchmark]
    public float[] RawMultiply4MNewResultConcurrentGcOff() => FloorBenchmarks.RawMultiply(_left.Data, _right.Data, GC.AllocateUninitializedArray<float>(FloorBenchmarks.MultiplyElements));

    /// <summary>The same multiply recorded, then backward from a given dy: two more multiplies, added into the leaves' gradients.</summary>
    [Benchmark]
    public NdArray<float>? Multiply4MForwardBackward()
    {
        Ops.Multiply(_vleft, _vright).Backward(_dproduct);
        return _vleft.Grad;
    }
}
