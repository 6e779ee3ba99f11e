using System.Globalization;
using System.Text;
using BenchmarkDotNet.Reports;
using ScottPlot;

namespace Autograd.Benchmarks.Table;

/// <summary>
/// The scaling curves, as CSV and PNG: time against elements for a multiply, GFLOP/s against n for a
/// square product, and time per op against the depth of a recorded chain.
/// </summary>
internal static class Curves
{
    public static void Write(string directory, BenchmarkReport[] reports, double peakTime, double memoryTime)
    {
        var peak = FloorBenchmarks.PeakFmaFlops / peakTime;
        var bytesPerNanosecond = FloorBenchmarks.RawMultiplyBytes / memoryTime;

        var elements = ElementwiseScaling.Sizes().ToArray();
        string[] methods = [nameof(ElementwiseScaling.Fresh), nameof(ElementwiseScaling.Into), nameof(ElementwiseScaling.RawOneThread)];
        var times = methods.Select(method => elements.Select(size => PerformanceTable.Mean(reports, typeof(ElementwiseScaling), method, $"Elements={size}")).ToArray()).ToArray();
        var floor = elements.Select(size => 3.0 * size * sizeof(float) / bytesPerNanosecond).ToArray();
        var csv = new StringBuilder("elements,new_result_ns,into_ns,raw_one_thread_ns,two_thread_floor_ns\n");
        for (var i = 0; i < elements.Length; i++)
            csv.AppendLine(Line(elements[i], times[0][i], times[1][i], times[2][i], floor[i]));
        File.WriteAllText(Path.Combine(directory, "scaling-elements.csv"), csv.ToString());

        var plot = new Plot();
        var x = elements.Select(size => Math.Log10(size)).ToArray();
        string[] labels = ["new result", "into a preallocated result", "raw TensorPrimitives, one thread"];
        for (var series = 0; series < methods.Length; series++)
            plot.Add.Scatter(x, times[series].Select(Math.Log10).ToArray()).LegendText = labels[series];
        plot.Add.Scatter(x, floor.Select(Math.Log10).ToArray()).LegendText = "two-thread floor (bytes ÷ measured GB/s)";
        LogAxes(plot, "elements (float32 multiply)", "time per call (ns)");
        plot.SavePng(Path.Combine(directory, "scaling-elements.png"), 900, 550);

        var sizes = MatMulScaling.Sizes().ToArray();
        var gflops = sizes.Select(n => 2.0 * n * n * n / PerformanceTable.Mean(reports, typeof(MatMulScaling), nameof(MatMulScaling.Square), $"N={n}")).ToArray();
        csv = new StringBuilder("n,gflops,peak_gflops\n");
        for (var i = 0; i < sizes.Length; i++)
            csv.AppendLine(Line(sizes[i], gflops[i], peak));
        File.WriteAllText(Path.Combine(directory, "scaling-matmul.csv"), csv.ToString());

        plot = new Plot();
        var log2 = sizes.Select(n => Math.Log2(n)).ToArray();
        plot.Add.Scatter(log2, gflops).LegendText = "ours, float32 n×n·n×n";
        plot.Add.HorizontalLine(peak).LegendText = "Vector512 FMA peak, all cores (measured)";
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = value => Math.Pow(2, value).ToString("0", CultureInfo.InvariantCulture) };
        plot.Axes.Bottom.Label.Text = "n";
        plot.Axes.Left.Label.Text = "GFLOP/s";
        plot.ShowLegend();
        plot.SavePng(Path.Combine(directory, "scaling-matmul.png"), 900, 550);

        WriteDepth(directory, reports);
    }

    /// <summary>Time and bytes per op of a chain of 128-float multiplies, forward + backward, against its depth.</summary>
    private static void WriteDepth(string directory, BenchmarkReport[] reports)
    {
        var depths = ChainScaling.Depths().ToArray();
        var chains = depths.Select(depth => PerformanceTable.Find(reports, typeof(ChainScaling), nameof(ChainScaling.ForwardBackward), $"Depth={depth}")).ToArray();
        var perOp = depths.Select((depth, i) => (chains[i]?.ResultStatistics?.Mean ?? double.NaN) / depth).ToArray();
        var bytesPerOp = depths.Select((depth, i) => (chains[i]?.GcStats.GetBytesAllocatedPerOperation(chains[i]!.BenchmarkCase) ?? double.NaN) / depth).ToArray();
        var csv = new StringBuilder("depth,ns_per_op,bytes_per_op\n");
        for (var i = 0; i < depths.Length; i++)
            csv.AppendLine(CultureInfo.InvariantCulture, $"{depths[i]},{Line(perOp[i], bytesPerOp[i])}");
        File.WriteAllText(Path.Combine(directory, "scaling-depth.csv"), csv.ToString());

        var plot = new Plot();
        var x = depths.Select(depth => Math.Log10(depth)).ToArray();
        plot.Add.Scatter(x, perOp.Select(Math.Log10).ToArray()).LegendText = "forward + backward, per op";
        var shallow = perOp[Array.IndexOf(depths, 1000)];
        plot.Add.HorizontalLine(Math.Log10(2 * shallow)).LegendText = "target: 2× the 1,000-op chain";
        LogAxes(plot, "chain depth (128-float multiplies)", "time per op (ns)");
        plot.SavePng(Path.Combine(directory, "scaling-depth.png"), 900, 550);
    }

    private static string Line(params double[] values) => string.Join(',', values.Select(value => value.ToString("G6", CultureInfo.InvariantCulture)));

    private static void LogAxes(Plot plot, string xLabel, string yLabel)
    {
        static string Power(double value) => Math.Pow(10, value).ToString("G3", CultureInfo.InvariantCulture);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = Power };
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = Power };
        plot.Axes.Bottom.Label.Text = xLabel;
        plot.Axes.Left.Label.Text = yLabel;
        plot.ShowLegend();
    }
}
