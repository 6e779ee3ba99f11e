using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;

namespace Autograd.Benchmarks.Kernels;

/// <summary>
/// Square matrix products, contiguous and with a transposed right operand (copied to a contiguous
/// temporary first). 2·n³ flops: 64 → 0.52 Mflop, 256 → 33.5 Mflop.
/// </summary>
[MemoryDiagnoser]
public class MatMulBenchmarks
{
    private NdArray<float> _a = null!;
    private NdArray<float> _b = null!;
    private NdArray<float> _bTransposed = null!;
    private NdArray<float> _c = null!;
    private NdArray<double> _aDouble = null!;
    private NdArray<double> _bDouble = null!;
    private NdArray<float> _batch = null!;

    [Params(64, 256)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _a = NdArray.RandomNormal<float>(1, Size, Size);
        _b = NdArray.RandomNormal<float>(2, Size, Size);
        _bTransposed = _b.Transpose();
        _c = NdArray.Zeros<float>(Size, Size);
        _aDouble = NdArray.RandomNormal<double>(1, Size, Size);
        _bDouble = NdArray.RandomNormal<double>(2, Size, Size);
        _batch = NdArray.RandomNormal<float>(3, 16, Size / 16, Size);
    }

    [Benchmark(Baseline = true)]
    public NdArray<float> Float() => NdArray.MatMul(_a, _b, _c);

    [Benchmark]
    public NdArray<float> FloatTransposedRight() => NdArray.MatMul(_a, _bTransposed, _c);

    /// <summary>The simple alternative the kernel must beat: i-k-j with one TensorPrimitives axpy per (i, k).</summary>
    [Benchmark]
    public NdArray<float> FloatRowAxpy()
    {
        ReadOnlySpan<float> a = _a.AsSpan(), b = _b.AsSpan();
        var c = _c.AsSpan();
        c.Clear();
        for (var i = 0; i < Size; i++)
        {
            var row = c.Slice(i * Size, Size);
            for (var p = 0; p < Size; p++)
                TensorPrimitives.MultiplyAdd(b.Slice(p * Size, Size), a[i * Size + p], row, row);
        }
        return _c;
    }

    /// <summary>[16, n/16, n]·[n, n]: the same flops as the square product, split over a batch.</summary>
    [Benchmark]
    public NdArray<float> FloatBatchedSharedRight() => NdArray.MatMul(_batch, _b);

    [Benchmark]
    public NdArray<double> Double() => NdArray.MatMul(_aDouble, _bDouble);
}
