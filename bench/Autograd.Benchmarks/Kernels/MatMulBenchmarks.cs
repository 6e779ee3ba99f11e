using Autograd.Benchmarks.Table;
using Autograd.Kernels;
using BenchmarkDotNet.Attributes;

namespace Autograd.Benchmarks.Kernels;

/// <summary>
/// Small float products (m×k·k×n, contiguous, into a preallocated result) against the kernel before
/// the packed GEMM (<see cref="UnpackedMatMul"/>, the baseline): the kernel called directly, and
/// the public <see cref="NdArray.MatMul{T}"/> with its checks. Squares n = 2 … 128, then the
/// shapes of an MLP 784-256-10 with batch 1 and 64, and a matrix times a vector.
/// </summary>
[MemoryDiagnoser, MinColumn]
public class MatMulBenchmarks
{
    private float[] _a = null!, _b = null!, _c = null!;
    private NdArray<float> _left = null!, _right = null!, _product = null!;
    private int _m, _k, _n;

    public static IEnumerable<string> Shapes =>
        ["2×2×2", "4×4×4", "8×8×8", "16×16×16", "32×32×32", "64×64×64", "128×128×128", "1×784×256", "1×256×10", "64×256×10", "64×784×256", "64×784×1"];

    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var lengths = Shape.Split('×').Select(int.Parse).ToArray();
        (_m, _k, _n) = (lengths[0], lengths[1], lengths[2]);
        _left = NdArray.RandomNormal<float>(1, _m, _k);
        _right = NdArray.RandomNormal<float>(2, _k, _n);
        _product = NdArray.Zeros<float>(_m, _n);
        (_a, _b, _c) = (_left.ToArray(), _right.ToArray(), new float[_m * _n]);
    }

    [Benchmark(Baseline = true)]
    public float[] Unpacked()
    {
        UnpackedMatMul.Multiply<float>(_a, _b, _c, _m, _k, _n);
        return _c;
    }

    [Benchmark]
    public float[] Kernel()
    {
        MatMulKernel.Multiply(_m, _n, _k, new Matrix<float>(_a, 0, _k, 1), new Matrix<float>(_b, 0, _n, 1), new Matrix<float>(_c, 0, _n, 1), accumulate: false);
        return _c;
    }

    [Benchmark]
    public NdArray<float> Public() => NdArray.MatMul(_left, _right, into: _product);
}

/// <summary>
/// The MLP layer's input gradient dx = dy·Wᵀ (64×256 · (784×256)ᵀ, W read in place through a
/// transposed view, so B is packed from columns) against the Vector512 FMA peak measured in the
/// same run, on one thread and on every core. 2·64·256·784 = 25.7 Mflop.
/// </summary>
[MemoryDiagnoser, MinColumn]
public class TransposedMatMulBenchmarks
{
    /// <summary>Steps of the FMA loop; each step is 12 independent Vector512 FMAs (16 lanes × 2 flops).</summary>
    private const int FmaSteps = 1 << 18;

    /// <summary>Flops of one <see cref="Peak"/> call per thread.</summary>
    public const double PeakFlops = FmaSteps * 12.0 * 16 * 2;

    /// <summary>Flops of one dy·Wᵀ.</summary>
    public const double ProductFlops = 2.0 * 64 * 256 * 784;

    private NdArray<float> _dy = null!, _wTransposed = null!, _dx = null!;

    [Params(false, true)]
    public bool Threading { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dy = NdArray.RandomNormal<float>(1, 64, 256);
        _wTransposed = NdArray.RandomNormal<float>(2, 784, 256).Transpose();
        _dx = NdArray.Zeros<float>(64, 784);
        KernelOptions.Threading = Threading;
    }

    [GlobalCleanup]
    public void Cleanup() => KernelOptions.Threading = true;

    [Benchmark]
    public NdArray<float> InputGradient() => NdArray.MatMul(_dy, _wTransposed, into: _dx);

    /// <summary>Twelve independent Vector512 FMA chains on every core the product may use.</summary>
    [Benchmark]
    public float Peak()
    {
        var sums = new float[KernelOptions.Threads];
        Parallel.For(0, sums.Length, thread => sums[thread] = FloorBenchmarks.FmaLoop(FmaSteps));
        return sums.Sum();
    }
}
