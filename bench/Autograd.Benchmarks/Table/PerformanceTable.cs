using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Autograd.Benchmarks.Table;

/// <summary>
/// A machine limit: a benchmark (with its parameters, if any) one call of which does <paramref name="Work"/>
/// units (flops, bytes) as fast as the machine can, or a reference case a target is a ratio to.
/// </summary>
internal sealed record Floor(string Name, Type Benchmarks, string Method, double Work, string Unit, string? Parameters = null);

/// <summary>
/// One row of the table: a benchmark (with its parameters, if any) one call of which does
/// <paramref name="Work"/> units of its floor's kind. The floor's time for it is the floor's time
/// per unit × Work; <paramref name="Target"/> is the largest acceptable ours ÷ floor time ratio.
/// A case measured against "the same thing done raw" gives Work = the floor's own Work.
/// </summary>
/// <paramref name="PerOp"/> &gt; 1 prints ours per op of a call that runs that many ops.
internal sealed record Case(
    string Name, Type Benchmarks, string Method, Floor Floor, double Work, double Target, string TargetNote, string? Parameters = null, int PerOp = 1);

/// <summary>
/// <c>--table</c>: runs every case and every floor with BenchmarkDotNet in one process, prints
/// <c>case | ours | floor | ratio | target</c>, and writes the table, the scaling curves (CSV) and
/// their plots (PNG) to <c>bench/results/</c>. <c>--short</c> runs fewer iterations and sizes, to
/// check that it all works.
/// </summary>
internal static class PerformanceTable
{
    public static bool Short { get; private set; }

    private static readonly Floor Peak = new(
        "Vector512 FMA peak, all cores", typeof(FloorBenchmarks), nameof(FloorBenchmarks.PeakFma), FloorBenchmarks.PeakFmaFlops, "GFLOP/s");

    private static readonly Floor Memory = new(
        "TensorPrimitives multiply, 2 threads", typeof(FloorBenchmarks), nameof(FloorBenchmarks.RawMultiply), FloorBenchmarks.RawMultiplyBytes, "GB/s");

    /// <summary>The bytes one 128-float multiply moves; the chain's floor does one per op.</summary>
    private const double ChainOpBytes = 3.0 * RecordingBenchmarks.ChainElements * sizeof(float);

    private static readonly Floor RawChainOp = new(
        "TensorPrimitives multiply of 128 floats, one thread", typeof(RecordingBenchmarks), nameof(RecordingBenchmarks.RawMultiply128), ChainOpBytes, "GB/s");

    private static readonly Floor RawSeed = new(
        "three TensorPrimitives multiplies of 128×128 floats, one thread", typeof(RecordingBenchmarks), nameof(RecordingBenchmarks.SeedFloor),
        3 * 3.0 * RecordingBenchmarks.SeedSide * RecordingBenchmarks.SeedSide * sizeof(float), "GB/s");

    /// <summary>The reference of the depth target: a 1,000-op chain, forward + backward (Work in thousandths of an op, so the rate reads in Mop/s).</summary>
    private static readonly Floor ShallowChain = new(
        "1,000-op chain, forward + backward", typeof(ChainScaling), nameof(ChainScaling.ForwardBackward), 1000 * 1000.0, "Mop/s", "Depth=1000");

    private static readonly Floor[] Floors = [Peak, Memory, RawChainOp, RawSeed, ShallowChain];

    private const double MatMulTarget = 1 / 0.7;
    private const double NewResultTarget = 1 / 0.85;
    private const string MatMulNote = "≥ 70% of peak";

    private static double Flops(double m, double k, double n) => 2 * m * k * n;

    /// <summary>Every row of the table: add one here (and its benchmark method) to have it measured and printed.</summary>
    private static readonly Case[] Cases =
    [
        new("matmul 512×512 forward", typeof(CaseBenchmarks), nameof(CaseBenchmarks.MatMul512), Peak, Flops(512, 512, 512), MatMulTarget, MatMulNote),
        new("matmul 512, forward + backward (3 matmuls)", typeof(CaseBenchmarks), nameof(CaseBenchmarks.MatMul512ForwardBackward), Peak,
            3 * Flops(512, 512, 512), MatMulTarget, MatMulNote),
        new("matmul 1024 forward", typeof(CaseBenchmarks), nameof(CaseBenchmarks.MatMul1024), Peak, Flops(1024, 1024, 1024), MatMulTarget, MatMulNote),
        .. new[] { 256, 512, 1024, 2048 }.Select(n => new Case(
            $"matmul n={n}, into a preallocated result", typeof(MatMulScaling), nameof(MatMulScaling.Square), Peak, Flops(n, n, n), MatMulTarget, MatMulNote, $"N={n}")),
        new("MLP layer 64×784 · 784×256 forward", typeof(CaseBenchmarks), nameof(CaseBenchmarks.MlpLayerForward), Peak,
            Flops(CaseBenchmarks.MlpBatch, CaseBenchmarks.MlpInputs, CaseBenchmarks.MlpHidden), MatMulTarget, MatMulNote),
        new("MLP layer backward (xᵀ·dy and dy·Wᵀ, accumulated)", typeof(CaseBenchmarks), nameof(CaseBenchmarks.MlpLayerBackward), Peak,
            2 * Flops(CaseBenchmarks.MlpBatch, CaseBenchmarks.MlpInputs, CaseBenchmarks.MlpHidden), MatMulTarget, MatMulNote),
        new("MLP 784-256-10 training step (batch 64, ReLU, cross-entropy, SGD)", typeof(CaseBenchmarks), nameof(CaseBenchmarks.MlpTrainingStep), Peak,
            MlpStep.Flops, 2.5, "≤ 2.5× its FLOPs at peak"),
        new("4M-element multiply, forward (new result)", typeof(CaseBenchmarks), nameof(CaseBenchmarks.Multiply4M), Memory,
            FloorBenchmarks.RawMultiplyBytes, NewResultTarget, "≥ 85% of the 2-thread floor"),
        new("same, concurrent GC off (`<ConcurrentGarbageCollection>false</ConcurrentGarbageCollection>`)", typeof(CaseBenchmarks),
            nameof(CaseBenchmarks.Multiply4MConcurrentGcOff), Memory, FloorBenchmarks.RawMultiplyBytes, NewResultTarget, "≥ 85% of the 2-thread floor"),
        new("4M-element multiply into a preallocated result", typeof(CaseBenchmarks), nameof(CaseBenchmarks.Multiply4MInto), Memory,
            FloorBenchmarks.RawMultiplyBytes, NoTarget, "the kernel alone, what a new result costs beyond the collector"),
        new("no library code: the raw multiply into a new array from the runtime", typeof(CaseBenchmarks), nameof(CaseBenchmarks.RawMultiply4MNewResult), Memory,
            FloorBenchmarks.RawMultiplyBytes, NoTarget, "the least a new 4M-element result costs here"),
        new("same, concurrent GC off", typeof(CaseBenchmarks), nameof(CaseBenchmarks.RawMultiply4MNewResultConcurrentGcOff), Memory,
            FloorBenchmarks.RawMultiplyBytes, NoTarget, "the least a new 4M-element result costs here"),
        new("4M-element multiply, forward + backward (dy given)", typeof(CaseBenchmarks), nameof(CaseBenchmarks.Multiply4MForwardBackward), Memory,
            3 * FloorBenchmarks.RawMultiplyBytes, NoTarget, "the issue sets none; three multiplies' traffic"),
        new("seed case 128×128 `x1*x2`, forward + backward", typeof(RecordingBenchmarks), nameof(RecordingBenchmarks.SeedCase), RawSeed,
            RawSeed.Work, 2, "three raw multiplies"),
        new("128-float op chain, forward recorded, per op", typeof(RecordingBenchmarks), nameof(RecordingBenchmarks.ChainForward), RawChainOp,
            ChainOpBytes, 4, "one raw multiply per op"),
        new("same, forward + backward, per op", typeof(RecordingBenchmarks), nameof(RecordingBenchmarks.ChainForwardBackward), RawChainOp,
            ChainOpBytes, 8, "one raw multiply per op"),
        new("128-float chain with no library code: per op the raw multiply into a new array, an array object, a variable and a record in a tape", typeof(RecordingBenchmarks),
            nameof(RecordingBenchmarks.PlainTapeChainForward), RawChainOp, ChainOpBytes, NoTarget, "the least an op returning them costs here"),
        new("same, forward + backward: then per record, walking back, a raw multiply into a warm buffer", typeof(RecordingBenchmarks),
            nameof(RecordingBenchmarks.PlainTapeChainForwardBackward), RawChainOp, ChainOpBytes, NoTarget, "the least a recorded chain's forward + backward costs here"),
        new("1,000,000-op chain of recorded 128-float multiplies, forward + backward, per op", typeof(ChainScaling), nameof(ChainScaling.ForwardBackward), ShallowChain,
            1_000_000 * 1000.0, 2, "the 1,000-op chain per op", "Depth=1000000", PerOp: 1_000_000),
    ];

    /// <summary>A row reported for comparison, with no ratio it must meet.</summary>
    private const double NoTarget = double.PositiveInfinity;

    public static void Run(bool quick)
    {
        Short = quick;
        var results = ResultsDirectory();
        Directory.CreateDirectory(results);
        var machine = Machine();
        var job = (quick ? Job.ShortRun.WithWarmupCount(1).WithIterationCount(3) : Job.Default.WithWarmupCount(4).WithIterationCount(12))
            .WithLaunchCount(1)
            .WithToolchain(InProcessEmitToolchain.Instance);
        var config = ManualConfig.Create(DefaultConfig.Instance)
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithArtifactsPath(Path.Combine(results, "BenchmarkDotNet"));
        var reports = BenchmarkRunner
            .Run([typeof(FloorBenchmarks), typeof(CaseBenchmarks), typeof(RecordingBenchmarks), typeof(MatMulScaling), typeof(ElementwiseScaling), typeof(ChainScaling)], config)
            .SelectMany(summary => summary.Reports)
            .ToArray();

        var table = Table(reports, machine + $", load average at the end {LoadAverage()}") + Environment.NewLine +
            DepthWithoutLibrary(reports) + Environment.NewLine + NewResultInterleaved() + Environment.NewLine + "- " + MlpStep.Measure() + Environment.NewLine;
        Console.WriteLine();
        Console.WriteLine(table);
        File.WriteAllText(Path.Combine(results, "table.md"), table);
        Curves.Write(results, reports, Time(reports, Peak), Time(reports, Memory));
        Console.WriteLine($"Table, curves (CSV) and plots (PNG) written to {results}");
    }

    /// <summary>The markdown table: one row per case, floors measured in this run.</summary>
    private static string Table(BenchmarkReport[] reports, string machine)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC{(Short ? " (short run: rough)" : "")} on {machine}.");
        text.AppendLine();
        foreach (var floor in Floors)
        {
            var time = Time(reports, floor);
            text.AppendLine(CultureInfo.InvariantCulture, $"- Floor: {floor.Name}: {Duration(time)}, {Rate(floor.Work, time, floor.Unit)}");
        }
        text.AppendLine();
        text.AppendLine("| case | ours | floor | ratio (time) | target |");
        text.AppendLine("|---|---:|---:|---:|---|");
        foreach (var row in Cases)
        {
            var report = Find(reports, row.Benchmarks, row.Method, row.Parameters);
            var floorTime = Time(reports, row.Floor) / row.Floor.Work * row.Work;
            if (report?.ResultStatistics is not { } statistics)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {row.Name} | not run | {Duration(floorTime / row.PerOp)} | | {TargetText(row, double.NaN)} |");
                continue;
            }
            var ours = statistics.Mean;
            var allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0;
            var ratio = ours / floorTime;
            var each = row.PerOp > 1 ? " per op" : "";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Name} | {Duration(ours / row.PerOp)}{each}, {Rate(row.Work, ours, row.Floor.Unit)}, {Bytes(allocated / row.PerOp)} allocated{each} | " +
                $"{Duration(floorTime / row.PerOp)}{each} | {ratio:0.00}× | {TargetText(row, ratio)} |");
        }
        return text.ToString();
    }

    /// <summary>
    /// Target 4's floor: what the collector adds per op to the chain with no library code at a million
    /// ops, against what the target allows the recorded chain to add (its own time per op at 1,000 ops).
    /// </summary>
    private static string DepthWithoutLibrary(BenchmarkReport[] reports)
    {
        double PerOp(string method, int depth) => Mean(reports, typeof(ChainScaling), method, $"Depth={depth}") / depth;
        var deep = PerOp(nameof(ChainScaling.PlainForward), 1_000_000);
        var shallow = PerOp(nameof(ChainScaling.PlainForward), 1000);
        var allowed = PerOp(nameof(ChainScaling.ForwardBackward), 1000);
        var tapeDeep = PerOp(nameof(ChainScaling.PlainTapeForward), 1_000_000);
        var tapeShallow = PerOp(nameof(ChainScaling.PlainTapeForward), 1000);
        return $"- The chain with no library code (forward; its objects a recorded op's as they were before the tape, a node object per op; the backward allocates nothing): {Duration(deep)} per op " +
            $"at 1,000,000 ops, {Duration(shallow)} at 1,000, so the collector adds {Duration(deep - shallow)} per op at depth. " +
            $"Target 4 allows the recorded chain to add {Duration(allowed)} per op, its own time at 1,000 ops. " +
            $"The same chain with each node a record in a tape (arrays of structs), as recorded ops now keep them: {Duration(tapeDeep)} per op at 1,000,000 ops, " +
            string.Create(CultureInfo.InvariantCulture, $"{Duration(tapeShallow)} at 1,000 ({tapeDeep / tapeShallow:0.00}×; {deep / shallow:0.00}× with node objects).");
    }

    /// <summary>
    /// Target 2 measured a second way (<see cref="FreshResult.Compare()"/>): each case in turn with its
    /// floor, round after round, medians compared. The table's rows for it run after every other case
    /// with all their arrays live, and what a new 16 MB result costs depends on that heap's history.
    /// </summary>
    private static string NewResultInterleaved()
    {
        var (_, medians) = FreshResult.Compare();
        double RatioOf(FreshResult.Compared compared) => medians[(int)compared] / medians[(int)FreshResult.Compared.Floor];
        string Ratio(FreshResult.Compared compared) => string.Create(CultureInfo.InvariantCulture, $"{RatioOf(compared):0.00}×");
        string Met(FreshResult.Compared compared) => RatioOf(compared) <= NewResultTarget ? "met" : "not met";
        return string.Create(CultureInfo.InvariantCulture,
            $"- 4M-element multiply with a new result, measured interleaved with its floor (medians of {FreshResult.Rounds} rounds; floor {Duration(medians[(int)FreshResult.Compared.Floor] * 1e3)}): " +
            $"{Ratio(FreshResult.Compared.NewResult)} with the default collector ({Met(FreshResult.Compared.NewResult)}), " +
            $"{Ratio(FreshResult.Compared.NewResultConcurrentGcOff)} with concurrent GC off ({Met(FreshResult.Compared.NewResultConcurrentGcOff)}), target ≤ {NewResultTarget:0.##}×; " +
            $"no library code (the raw multiply into a new array from the runtime) {Ratio(FreshResult.Compared.RawNewArray)} and {Ratio(FreshResult.Compared.RawNewArrayConcurrentGcOff)}; " +
            $"ours into a warm array {Ratio(FreshResult.Compared.Into)}.");
    }

    /// <summary>The target and whether <paramref name="ratio"/> (NaN: not measured) meets it.</summary>
    private static string TargetText(Case row, double ratio) =>
        row.Target == NoTarget ? $"— ({row.TargetNote})"
        : double.IsNaN(ratio) ? string.Create(CultureInfo.InvariantCulture, $"≤ {row.Target:0.##}× ({row.TargetNote})")
        : string.Create(CultureInfo.InvariantCulture, $"≤ {row.Target:0.##}× ({row.TargetNote}): {(ratio <= row.Target ? "met" : "not met")}");

    /// <summary>The mean time of a floor's benchmark, in nanoseconds (NaN if it did not run).</summary>
    private static double Time(BenchmarkReport[] reports, Floor floor) => Mean(reports, floor.Benchmarks, floor.Method, floor.Parameters);

    /// <summary>The mean time of a benchmark (with its parameters, if any), in nanoseconds (NaN if it did not run).</summary>
    public static double Mean(BenchmarkReport[] reports, Type benchmarks, string method, string? parameters) =>
        Find(reports, benchmarks, method, parameters)?.ResultStatistics?.Mean ?? double.NaN;

    public static BenchmarkReport? Find(BenchmarkReport[] reports, Type benchmarks, string method, string? parameters) =>
        reports.FirstOrDefault(report =>
            report.BenchmarkCase.Descriptor.Type == benchmarks
            && report.BenchmarkCase.Descriptor.WorkloadMethod.Name == method
            && (parameters is null || report.BenchmarkCase.Parameters.Items.Any(parameter => $"{parameter.Name}={parameter.Value}" == parameters)));

    private static string Duration(double nanoseconds) => nanoseconds switch
    {
        double.NaN => "—",
        >= 1e6 => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1e6:0.00} ms"),
        >= 1e3 => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1e3:0.0} µs"),
        < 10 => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds:0.0} ns"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds:0} ns"),
    };

    /// <summary>Work per nanosecond is giga-units per second.</summary>
    private static string Rate(double work, double nanoseconds, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{work / nanoseconds:0.#} {unit}");

    private static string Bytes(long bytes) => bytes switch
    {
        >= 1 << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1 << 20):0.0} MB"),
        >= 1 << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };

    private static string Machine()
    {
        var model = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(line => line.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim()
            : null;
        return $"{model ?? RuntimeInformation.ProcessArchitecture.ToString()}, {Environment.ProcessorCount} cores, " +
            $"Vector512 {(Vector512.IsHardwareAccelerated ? "accelerated" : "not accelerated")}, {RuntimeInformation.FrameworkDescription}, " +
            $"load average at the start {LoadAverage()}";
    }

    /// <summary>
    /// The load average over the last minute (and the last 5 and 15 with <paramref name="figures"/> 3): the
    /// machine may be shared, and the numbers only mean something next to it.
    /// </summary>
    internal static string LoadAverage(int figures = 1) =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(figures)) : "unknown";

    /// <summary>bench/results under the repository root (found by Autograd.sln), or under the current directory.</summary>
    private static string ResultsDirectory()
    {
        for (var directory = new DirectoryInfo(Directory.GetCurrentDirectory()); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Autograd.sln")))
                return Path.Combine(directory.FullName, "bench", "results");
        }
        return Path.Combine(Directory.GetCurrentDirectory(), "bench", "results");
    }
}
