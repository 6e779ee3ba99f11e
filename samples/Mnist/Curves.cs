using ScottPlot;

/// <summary>Training loss and accuracy per step, held-out accuracy per evaluation, and their plot.</summary>
internal sealed class Curves
{
    private const int Window = 50;
    private readonly List<double> _loss = [];
    private readonly List<double> _accuracy = [];

    public List<(int Step, double Accuracy)> TestAccuracy { get; } = [];

    public double RecentLoss => _loss.TakeLast(Window).Average();

    public double RecentAccuracy => _accuracy.TakeLast(Window).Average();

    public void Add(int step, double loss, double accuracy)
    {
        _loss.Add(loss);
        _accuracy.Add(accuracy);
    }

    public void AddTest(int step, double accuracy) => TestAccuracy.Add((step, accuracy));

    /// <summary>Loss (moving average, left axis) and training and held-out accuracy (right axis) against steps.</summary>
    public void SavePng(string path, string title)
    {
        var plot = new Plot();
        var steps = Enumerable.Range(0, _loss.Count).Select(i => (double)i).ToArray();
        var loss = plot.Add.ScatterLine(steps, Smooth(_loss));
        loss.LegendText = "training loss";
        var train = plot.Add.ScatterLine(steps, Smooth(_accuracy).Select(a => 100 * a).ToArray());
        train.LegendText = "training accuracy %";
        train.Axes.YAxis = plot.Axes.Right;
        var test = plot.Add.Scatter(TestAccuracy.Select(t => (double)t.Step).ToArray(), TestAccuracy.Select(t => 100 * t.Accuracy).ToArray());
        test.LegendText = "held-out accuracy %";
        test.Axes.YAxis = plot.Axes.Right;
        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel("cross-entropy");
        plot.Axes.Right.Label.Text = "accuracy %";
        plot.ShowLegend(Alignment.MiddleRight);
        plot.SavePng(path, 900, 450);
    }

    private static double[] Smooth(List<double> values) =>
        [.. values.Select((_, i) => values.Skip(Math.Max(0, i - Window + 1)).Take(Math.Min(i + 1, Window)).Average())];
}
