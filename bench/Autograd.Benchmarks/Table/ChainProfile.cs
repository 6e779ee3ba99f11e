using System.Diagnostics;
using System.Globalization;

namespace Autograd.Benchmarks.Table;

/// <summary>
/// <c>chain-profile [depth …]</c>: where the time of a deep chain goes (issue 8, target 4). For each
/// depth, records the table's chain of 128-float multiplies (<see cref="RecordingBenchmarks.Chain"/>)
/// and backpropagates through it a few times, printing per op for the forward and the backward
/// apart: wall and CPU time (CPU includes the collector's background threads), the collector's
/// pauses, collections per generation and bytes allocated; and, measured once per depth with a full
/// collection on each side, the bytes the recorded graph keeps alive per op.
/// </summary>
internal static class ChainProfile
{
    public static int Run(string[] depths)
    {
        var list = depths.Length > 0 ? depths.Select(d => int.Parse(d, CultureInfo.InvariantCulture)).ToArray() : [1_000, 1_000_000];
        var start = NdArray.RandomNormal<float>(3, RecordingBenchmarks.ChainElements).ToVariable("x");
        var ones = NdArray.Ones<float>(RecordingBenchmarks.ChainElements);
        var (plainStart, plainFactor) = (start.Value.ToArray(), ones.ToArray());
        Console.WriteLine($"GC: {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}, {System.Runtime.GCSettings.LatencyMode}; load average {PerformanceTable.LoadAverage(figures: 3)}");
        for (var warmup = Stopwatch.StartNew(); warmup.Elapsed < TimeSpan.FromSeconds(3);) // until the JIT's optimized code runs
        {
            start.ZeroGrad();
            RecordingBenchmarks.Chain(start, ones, 1000).Backward();
            GC.KeepAlive(RecordingBenchmarks.PlainChain(plainStart, plainFactor, 1000));
        }
        foreach (var depth in list)
        {
            Console.WriteLine($"depth {depth:N0}: {LiveBytesPerOp(start, ones, depth):0} B kept alive per op by the recorded graph");
            var passes = Math.Max(5, Math.Min(1000, 5_000_000 / depth));
            Phase forward = default, backward = default;
            for (var i = 0; i < passes; i++)
            {
                start.ZeroGrad();
                Variable<float>? y = null;
                forward += Phase.Measure(() => y = RecordingBenchmarks.Chain(start, ones, depth));
                backward += Phase.Measure(() => y!.Backward());
            }
            Console.WriteLine($"  forward  {forward.PerOp(depth, passes)}");
            Console.WriteLine($"  backward {backward.PerOp(depth, passes)}");
            Console.WriteLine($"  both     {(forward + backward).PerOp(depth, passes)}");
            var batch = Phase.Measure(() =>
            {
                for (var i = 0; i < passes; i++)
                {
                    start.ZeroGrad();
                    RecordingBenchmarks.Chain(start, ones, depth).Backward();
                }
            });
            Console.WriteLine($"  batched  {batch.PerOp(depth, passes)}");
            Phase plain = default;
            for (var i = 0; i < passes; i++)
                plain += Phase.Measure(() => GC.KeepAlive(RecordingBenchmarks.PlainChain(plainStart, plainFactor, depth)));
            Console.WriteLine($"  plain    {plain.PerOp(depth, passes)}");
        }
        Console.WriteLine($"load average {PerformanceTable.LoadAverage(figures: 3)}");
        return 0;
    }

    private static double LiveBytesPerOp(Variable<float> start, NdArray<float> ones, int depth)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var y = RecordingBenchmarks.Chain(start, ones, depth);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(y);
        return (after - before) / (double)depth;
    }

    /// <summary>What one phase cost, summed over passes.</summary>
    private readonly record struct Phase(TimeSpan Wall, TimeSpan Cpu, TimeSpan Pause, long Bytes, int Gen0, int Gen1, int Gen2)
    {
        public static Phase Measure(Action action)
        {
            var (cpu, pause, bytes) = (Environment.CpuUsage.TotalTime, GC.GetTotalPauseDuration(), GC.GetAllocatedBytesForCurrentThread());
            var (gen0, gen1, gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
            var clock = Stopwatch.StartNew();
            action();
            var wall = clock.Elapsed;
            return new(wall, Environment.CpuUsage.TotalTime - cpu, GC.GetTotalPauseDuration() - pause, GC.GetAllocatedBytesForCurrentThread() - bytes,
                GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2);
        }

        public static Phase operator +(Phase a, Phase b) =>
            new(a.Wall + b.Wall, a.Cpu + b.Cpu, a.Pause + b.Pause, a.Bytes + b.Bytes, a.Gen0 + b.Gen0, a.Gen1 + b.Gen1, a.Gen2 + b.Gen2);

        public string PerOp(int depth, int passes)
        {
            double ops = (double)depth * passes;
            return string.Create(CultureInfo.InvariantCulture,
                $"wall {Wall.TotalNanoseconds / ops,7:0} ns/op, CPU {Cpu.TotalNanoseconds / ops,7:0} ns/op, GC pauses {Pause.TotalNanoseconds / ops,6:0} ns/op, " +
                $"{Bytes / ops,6:0} B/op, collections per pass gen0 {Gen0 / (double)passes:0.#} gen1 {Gen1 / (double)passes:0.#} gen2 {Gen2 / (double)passes:0.#} ({passes} passes)");
        }
    }
}
