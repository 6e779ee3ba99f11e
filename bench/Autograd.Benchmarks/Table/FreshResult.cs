using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;

namespace Autograd.Benchmarks.Table;

/// <summary>
/// <c>fresh-4m</c>: where the time of a 4M-element float multiply with a new result goes. Each part
/// runs many times in a row and prints, per op: wall time, CPU time split into user and kernel
/// (page faults are kernel time), minor page faults (<c>/proc/self/stat</c>), collections per
/// generation and the collector's pause time. Run it under different <c>DOTNET_GC…</c> settings to
/// compare them; <c>--batch</c> turns background collections off at run time
/// (<see cref="GCLatencyMode.Batch"/>, as the table's row does), like <c>DOTNET_gcConcurrent=0</c> at start.
/// Linux only: it reads <c>/proc</c> and calls <c>madvise</c>.
/// </summary>
internal static partial class FreshResult
{
    private const int Elements = FloorBenchmarks.MultiplyElements;
    private const int Half = Elements / 2;
    private const int Ops = 500;

    /// <summary>Ops run before measuring: enough for the collector to settle on the regions it cycles through (each first write to a new one faults in 4,096 pages).</summary>
    private const int Warmup = 60;

    internal const int Rounds = 40, RoundOps = 30;

    /// <summary>
    /// Runs the parts whose numbers (1-based) are given, and the interleaved comparison if
    /// <c>interleaved</c> is, or all of them; <c>--batch</c> first sets <see cref="GCLatencyMode.Batch"/>.
    /// </summary>
    public static int Run(string[] args)
    {
        if (args.Contains("--batch"))
            GCSettings.LatencyMode = GCLatencyMode.Batch;
        var parts = args.Where(arg => arg != "--batch").ToArray();
        var x = NdArray.RandomNormal<float>(1, Elements);
        var y = NdArray.RandomNormal<float>(2, Elements);
        var warm = NdArray.Zeros<float>(Elements);
        var cold = NdArray.Zeros<float>(Elements);
        float[] xs = x.Data, ys = y.Data, ws = warm.Data;
        NdArray<float>? kept = null;
        float[]? buffer = null;

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"4M-element float multiply, {Ops} ops per part; server GC {GCSettings.IsServerGC}, latency mode {GCSettings.LatencyMode}, " +
            $"load average {PerformanceTable.LoadAverage()}"));
        Console.WriteLine("part | wall per op | user CPU | kernel CPU | minor faults | gen0/1/2 collections | GC pause");
        var part = 0;
        void Measure(string name, Action op, Action? before = null)
        {
            part++;
            if (parts.Length == 0 || parts.Contains(part.ToString(CultureInfo.InvariantCulture)))
                MeasurePart(name, op, before);
        }
        Measure("raw TensorPrimitives, 2 threads, warm destination", () => FloorBenchmarks.RawMultiply(xs, ys, ws));
        Measure("NdArray.Multiply into a warm destination", () => NdArray.Multiply(x, y, into: warm));
        Measure("NdArray.Multiply into a never-touched destination", () => NdArray.Multiply(x, y, into: cold), () => Discard(cold.Data));
        Measure("GC.AllocateUninitializedArray alone", () => buffer = GC.AllocateUninitializedArray<float>(Elements));
        Measure("GC.AllocateUninitializedArray, then written once", () => buffer = Written(GC.AllocateUninitializedArray<float>(Elements)));
        Measure("the same on the pinned heap", () => buffer = Written(GC.AllocateUninitializedArray<float>(Elements, pinned: true)));
        Measure("new float[], then written once", () => buffer = Written(new float[Elements]));
        Measure("NdArray.Multiply, new result", () => kept = NdArray.Multiply(x, y));
        if (parts.Length == 0 || parts.Contains("interleaved"))
        {
            var (cases, medians) = Compare(x, y, warm);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"interleaved, {Rounds} rounds of {RoundOps} ops, median wall per op (load average now {PerformanceTable.LoadAverage()}):"));
            for (var i = 0; i < cases.Length; i++)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{cases[i]} | {medians[i]:0} µs | {medians[i] / medians[(int)Compared.Floor]:0.00}×"));
        }
        GC.KeepAlive(kept);
        GC.KeepAlive(buffer);
        return 0;
    }

    /// <summary>The cases of <see cref="Compare(NdArray{float}, NdArray{float}, NdArray{float})"/>, which runs them in this order: a case's median is at its <c>(int)</c> value.</summary>
    public enum Compared { Floor, Into, NewResult, NewResultConcurrentGcOff, RawNewArray, RawNewArrayConcurrentGcOff }

    /// <summary>
    /// A new 4M-element result against the floor (the raw 2-thread multiply into a warm array), measured
    /// interleaved: ours into a warm array, ours with a new result and the raw multiply into a new array
    /// from the runtime (no library code), each under the default collector and with concurrent
    /// collection off. Returns each case's name and median µs per op, in <see cref="Compared"/> order.
    /// </summary>
    public static (string[] Names, double[] Medians) Compare(NdArray<float> x, NdArray<float> y, NdArray<float> warm)
    {
        float[] xs = x.Data, ys = y.Data;
        object? kept = null;
        float[] RawInto(float[] product) => FloorBenchmarks.RawMultiply(xs, ys, product);
        (string Name, Action Op, GCLatencyMode? Mode) Case(Compared compared) => compared switch
        {
            Compared.Floor => ("raw TensorPrimitives, 2 threads, warm destination (the floor)", () => RawInto(warm.Data), null),
            Compared.Into => ("NdArray.Multiply into a warm destination", () => NdArray.Multiply(x, y, into: warm), null),
            Compared.NewResult => ("NdArray.Multiply, new result, default collector", () => kept = NdArray.Multiply(x, y), GCLatencyMode.Interactive),
            Compared.NewResultConcurrentGcOff => ("NdArray.Multiply, new result, concurrent collection off", () => kept = NdArray.Multiply(x, y), GCLatencyMode.Batch),
            Compared.RawNewArray => ("no library code: raw multiply into a new array, default collector", () => kept = RawInto(GC.AllocateUninitializedArray<float>(Elements)), GCLatencyMode.Interactive),
            Compared.RawNewArrayConcurrentGcOff => ("no library code: raw multiply into a new array, concurrent collection off", () => kept = RawInto(GC.AllocateUninitializedArray<float>(Elements)), GCLatencyMode.Batch),
            _ => throw new ArgumentOutOfRangeException(nameof(compared)),
        };
        var cases = Enum.GetValues<Compared>().Select(Case).ToArray();
        var medians = Interleaved(cases);
        GC.KeepAlive(kept);
        return ([.. cases.Select(c => c.Name)], medians);
    }

    /// <summary>
    /// <see cref="Compare(NdArray{float}, NdArray{float}, NdArray{float})"/> on fresh operands, from the table.
    /// </summary>
    public static (string[] Names, double[] Medians) Compare() =>
        Compare(NdArray.RandomNormal<float>(1, Elements), NdArray.RandomNormal<float>(2, Elements), NdArray.Zeros<float>(Elements));

    /// <summary>
    /// Wall time, which the table compares, drifts from one second to the next on a shared machine. So
    /// the cases a ratio rests on run in turn, <see cref="RoundOps"/> ops each (after a few to settle),
    /// for <see cref="Rounds"/> rounds, each under its collector mode (null: as the process started),
    /// and each case's median per-op time (µs) is returned: drift hits them alike.
    /// </summary>
    private static double[] Interleaved(params (string Name, Action Op, GCLatencyMode? Mode)[] cases)
    {
        var started = GCSettings.LatencyMode;
        var times = cases.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < Rounds; round++)
        {
            for (var i = 0; i < cases.Length; i++)
            {
                GCSettings.LatencyMode = cases[i].Mode ?? started;
                for (var op = 0; op < 10; op++)
                    cases[i].Op();
                var start = Stopwatch.GetTimestamp();
                for (var op = 0; op < RoundOps; op++)
                    cases[i].Op();
                times[i].Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds / RoundOps);
            }
        }
        GCSettings.LatencyMode = started;
        return [.. times.Select(list => list.Order().ElementAt(list.Count / 2))];
    }

    /// <summary>Fills <paramref name="buffer"/> with ones, one half per thread, as a two-thread kernel writes its result.</summary>
    private static float[] Written(float[] buffer)
    {
        Parallel.For(0, 2, half => buffer.AsSpan(half * Half, Half).Fill(1));
        return buffer;
    }

    /// <summary>Runs <paramref name="op"/> <see cref="Warmup"/> times, then <see cref="Ops"/> times, and prints one line of per-op averages; <paramref name="before"/> runs untimed before each op.</summary>
    private static void MeasurePart(string name, Action op, Action? before = null)
    {
        for (var i = 0; i < Warmup; i++)
        {
            before?.Invoke();
            op();
        }
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var (user, kernel) = (process.UserProcessorTime, process.PrivilegedProcessorTime);
        var faults = MinorFaults();
        var collections = Enumerable.Range(0, 3).Select(GC.CollectionCount).ToArray();
        var pause = GC.GetTotalPauseDuration();
        var wall = TimeSpan.Zero;
        var untimedKernel = TimeSpan.Zero;
        var untimedFaults = 0L;
        for (var i = 0; i < Ops; i++)
        {
            if (before is not null)
            {
                // What the untimed step costs in kernel time and faults is taken out below.
                process.Refresh();
                var (k, f) = (process.PrivilegedProcessorTime, MinorFaults());
                before();
                process.Refresh();
                untimedKernel += process.PrivilegedProcessorTime - k;
                untimedFaults += MinorFaults() - f;
            }
            var start = Stopwatch.GetTimestamp();
            op();
            wall += Stopwatch.GetElapsedTime(start);
        }
        process.Refresh();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name} | {wall.TotalMicroseconds / Ops:0} µs | {(process.UserProcessorTime - user).TotalMicroseconds / Ops:0} µs | " +
            $"{(process.PrivilegedProcessorTime - kernel - untimedKernel).TotalMicroseconds / Ops:0} µs | " +
            $"{(MinorFaults() - faults - untimedFaults) / (double)Ops:0} | " +
            $"{string.Join("/", Enumerable.Range(0, 3).Select(g => ((GC.CollectionCount(g) - collections[g]) / (double)Ops).ToString("0.00", CultureInfo.InvariantCulture)))} | " +
            $"{(GC.GetTotalPauseDuration() - pause).TotalMicroseconds / Ops:0} µs"));
    }

    /// <summary>The process's minor page faults so far: field 10 of <c>/proc/self/stat</c>.</summary>
    private static long MinorFaults()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], CultureInfo.InvariantCulture);
    }

    /// <summary>Gives the pages of <paramref name="data"/> back to the OS (MADV_DONTNEED), so the next write to each faults in a zeroed page, as memory fresh from the OS does.</summary>
    private static unsafe void Discard(float[] data)
    {
        const int dontNeed = 4;
        const long page = 4096;
        fixed (float* start = data)
        {
            var first = ((long)start + page - 1) & ~(page - 1);
            var end = ((long)start + (long)data.Length * sizeof(float)) & ~(page - 1);
            if (Madvise((nint)first, (nuint)(end - first), dontNeed) != 0)
                throw new InvalidOperationException($"madvise failed: {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static partial int Madvise(nint address, nuint length, int advice);
}
