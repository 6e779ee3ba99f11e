using System.Diagnostics;
using AutogradOps = Autograd.Ops;

namespace Autograd.Runtime.Tests.Engine;

/// <summary>
/// Random graphs of built-in ops over random broadcast-compatible shapes, with transposed and
/// strided leaves and constants mixed in, each checked against finite differences. Seeded, and
/// bounded in time so CI stays fast; it prints how many graphs it checked.
/// </summary>
public class GraphFuzzTests
{
    private static readonly (string Name, Func<Variable<double>, Variable<double>> Apply)[] Unary =
    [
        ("tanh", AutogradOps.Tanh),
        ("sigmoid", AutogradOps.Sigmoid),
        ("sin", AutogradOps.Sin),
        ("softplus", AutogradOps.Softplus),
        ("exp∘tanh", v => AutogradOps.Exp(AutogradOps.Tanh(v))),
        ("sqrt(v²+1)", v => AutogradOps.Sqrt(v * v + 1.0)),
        ("softmax", v => AutogradOps.Softmax(v, axis: -1)),
        ("log-softmax", v => AutogradOps.LogSoftmax(v, axis: -1)),
        ("sum(axis 0, keep)", v => AutogradOps.Sum(v, [0], keepDims: true)),
        ("mean(axis -1, keep)", v => AutogradOps.Mean(v, [-1], keepDims: true)),
        ("neg", v => -v),
    ];

    private static readonly (string Name, Func<Variable<double>, Variable<double>, Variable<double>> Apply)[] Binary =
    [
        ("+", (a, b) => a + b),
        ("-", (a, b) => a - b),
        ("*", (a, b) => a * b),
        ("/(b²+1)", (a, b) => a / (b * b + 1.0)),
        ("max", AutogradOps.Maximum),
        ("min", AutogradOps.Minimum),
    ];

    [Test]
    public void Random_graphs_of_built_in_ops_match_finite_differences()
    {
        var random = new Random(20261129);
        var clock = Stopwatch.StartNew();
        var checkedGraphs = 0;
        while (checkedGraphs < 1000 && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            var graph = RandomGraph(random);
            try
            {
                GradCheck.Assert(graph.Function, graph.Inputs);
            }
            catch (GradCheckException e)
            {
                Assert.Fail($"graph {checkedGraphs}: {graph.Description}\n{e.Message}");
            }
            checkedGraphs++;
        }
        TestContext.Out.WriteLine($"{checkedGraphs} random graphs checked in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.That(checkedGraphs, Is.GreaterThanOrEqualTo(25), "too few graphs checked to mean anything");
    }

    private sealed record Graph(string Description, Func<Variable<double>[], Variable<double>> Function, NdArray<double>[] Inputs);

    /// <summary>
    /// Everything lives at a base shape [rows, cols] or one that broadcasts to it. Leaves come as
    /// given, as the transpose of a [cols, rows] input, or as every other column of a [rows, 2·cols]
    /// input; constants are strided views of random arrays.
    /// </summary>
    private static Graph RandomGraph(Random random)
    {
        int rows = random.Next(1, 5), cols = random.Next(1, 5);
        var inputs = new List<NdArray<double>>();
        var leaves = new List<(string Description, Func<Variable<double>[], Variable<double>> Make)>();
        for (var i = random.Next(1, 4); i > 0; i--)
        {
            var index = inputs.Count;
            var seed = random.Next();
            switch (random.Next(5))
            {
                case 0:
                    inputs.Add(NdArray.RandomNormal<double>(seed, rows, cols));
                    leaves.Add(($"x{index}[{rows},{cols}]", v => v[index]));
                    break;
                case 1:
                    inputs.Add(NdArray.RandomNormal<double>(seed, cols));
                    leaves.Add(($"x{index}[{cols}]", v => v[index]));
                    break;
                case 2:
                    inputs.Add(NdArray.RandomNormal<double>(seed, rows, 1));
                    leaves.Add(($"x{index}[{rows},1]", v => v[index]));
                    break;
                case 3:
                    inputs.Add(NdArray.RandomNormal<double>(seed, cols, rows));
                    leaves.Add(($"transpose(x{index}[{cols},{rows}])", v => AutogradOps.Transpose(v[index])));
                    break;
                default:
                    inputs.Add(NdArray.RandomNormal<double>(seed, rows, 2 * cols));
                    leaves.Add(($"x{index}[:, ::2]", v => AutogradOps.Slice(v[index], axis: 1, start: 0, stop: 2 * cols, step: 2)));
                    break;
            }
        }
        if (random.Next(2) == 0)
        {
            var constant = NdArray.RandomNormal<double>(random.Next(), 2 * rows, cols).Slice(0, 0, 2 * rows, 2);
            leaves.Add(("constant[::2, :]", _ => constant.ToVariable(requiresGrad: false)));
        }

        // A program: each step applies an op to earlier values (leaves first); the last value is the output.
        var steps = new List<(string Description, Func<List<Variable<double>>, Variable<double>> Apply)>();
        var count = leaves.Count;
        for (var step = random.Next(2, 7); step > 0; step--)
        {
            int a = random.Next(count), b = random.Next(count);
            if (random.Next(2) == 0)
            {
                var (name, apply) = Unary[random.Next(Unary.Length)];
                steps.Add(($"v{count} = {name}(v{a})", values => apply(values[a])));
            }
            else
            {
                var (name, apply) = Binary[random.Next(Binary.Length)];
                steps.Add(($"v{count} = v{a} {name} v{b}", values => apply(values[a], values[b])));
            }
            count++;
        }
        var description = string.Join("; ", leaves.Select((l, i) => $"v{i} = {l.Description}").Concat(steps.Select(s => s.Description)));
        return new Graph(description, v =>
        {
            var values = leaves.Select(l => l.Make(v)).ToList();
            foreach (var (_, apply) in steps)
                values.Add(apply(values));
            // Constants alone make an untracked result; adding the leaves in keeps every graph differentiable.
            return values[^1] + AutogradOps.Sum(values[0]);
        }, [.. inputs]);
    }
}
