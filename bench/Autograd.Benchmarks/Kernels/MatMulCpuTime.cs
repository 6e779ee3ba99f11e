using System.Runtime.InteropServices;
using Autograd.Benchmarks.Table;
using Autograd.Kernels;

namespace Autograd.Benchmarks.Kernels;

/// <summary>
/// The cases of <see cref="MatMulBenchmarks"/> and <see cref="TransposedMatMulBenchmarks"/> timed
/// by the calling thread's CPU time instead of the wall clock (`-- matmul-cpu`), all on one
/// thread. On a shared machine the wall clock counts the time other processes held the core; the
/// thread's CPU time does not, so the ratios stay readable under load. The variants are
/// interleaved, round after round, and each keeps its fastest round.
/// </summary>
internal static class MatMulCpuTime
{
    private const int Rounds = 15;
    private const double RoundSeconds = 0.01;
    private const int PeakSteps = 1 << 14;

    /// <summary>Runs every shape and dy·Wᵀ, or only the shapes given after <c>matmul-cpu</c>.</summary>
    public static int Run(string[] shapes)
    {
        KernelOptions.Threading = false;
        Console.WriteLine($"Load average at the start: {LoadAverage()}");
        Console.WriteLine("| m×k×n | unpacked (before the GEMM) | kernel | ratio | NdArray.MatMul into | ratio |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        var cases = new MatMulBenchmarks();
        foreach (var shape in shapes.Length > 0 ? shapes : MatMulBenchmarks.Shapes)
        {
            cases.Shape = shape;
            cases.Setup();
            var times = Fastest([() => cases.Unpacked(), () => cases.Kernel(), () => cases.Public()]);
            Console.WriteLine($"| {shape} | {Format(times[0])} | {Format(times[1])} | {times[1] / times[0]:F2} | {Format(times[2])} | {times[2] / times[0]:F2} |");
        }

        if (shapes.Length > 0)
            return 0;
        var transposed = new TransposedMatMulBenchmarks { Threading = false };
        transposed.Setup();
        var seconds = Fastest([() => transposed.InputGradient(), () => FloorBenchmarks.FmaLoop(PeakSteps)]);
        var productFlops = TransposedMatMulBenchmarks.ProductFlops / seconds[0];
        var peakFlops = PeakSteps * 12.0 * 16 * 2 / seconds[1];
        Console.WriteLine();
        Console.WriteLine($"dy·Wᵀ (64×256 · (784×256)ᵀ), one thread: {Format(seconds[0])}, {productFlops / 1e9:F1} GFLOP/s per CPU-second; " +
            $"Vector512 FMA peak {peakFlops / 1e9:F1}: {100 * productFlops / peakFlops:F0}% of peak");
        Console.WriteLine($"Load average at the end: {LoadAverage()}");
        transposed.Cleanup();
        return 0;
    }

    /// <summary>Per call, the fastest round of each variant, in CPU seconds.</summary>
    private static double[] Fastest(Func<object>[] variants)
    {
        var calls = variants.Select(variant => Calibrate(variant)).ToArray();
        var best = variants.Select(_ => double.MaxValue).ToArray();
        for (var round = 0; round < Rounds; round++)
        {
            for (var v = 0; v < variants.Length; v++)
                best[v] = Math.Min(best[v], Time(variants[v], calls[v]) / calls[v]);
        }
        return best;
    }

    /// <summary>
    /// How many calls fill about <see cref="RoundSeconds"/> of CPU time, once the variant's code is
    /// at its final tier: calls for a while, then pauses so that the JIT's background thread (slow
    /// to get a core on a loaded machine) can install the optimized code, three times over.
    /// </summary>
    private static int Calibrate(Func<object> variant)
    {
        for (var warm = 0; warm < 3; warm++)
        {
            var start = ThreadCpuSeconds();
            while (ThreadCpuSeconds() - start < 5 * RoundSeconds)
                GC.KeepAlive(variant());
            Thread.Sleep(300);
        }
        for (var calls = 1; ; calls *= 2)
        {
            if (Time(variant, calls) >= RoundSeconds / 4)
                return calls * 4;
        }
    }

    private static double Time(Func<object> variant, int calls)
    {
        var start = ThreadCpuSeconds();
        for (var i = 0; i < calls; i++)
            GC.KeepAlive(variant());
        return ThreadCpuSeconds() - start;
    }

    private static string Format(double seconds) => seconds < 1e-6 ? $"{seconds * 1e9:F0} ns" : $"{seconds * 1e6:F2} µs";

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown";

    private static double ThreadCpuSeconds()
    {
        if (!OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException("matmul-cpu reads the thread's CPU clock through clock_gettime, which needs Linux.");
        ClockGetTime(ThreadCpuClock, out var time);
        return time.Seconds + time.Nanoseconds * 1e-9;
    }

    private const int ThreadCpuClock = 3; // CLOCK_THREAD_CPUTIME_ID

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);
}
