using System.Diagnostics;
using System.Globalization;
using Autograd.Optimizers;

namespace Autograd.Benchmarks.Table;

/// <summary>
/// The training step of issue 8's target 3: an MLP 784-256-10 (float), batch 64, ReLU, cross-entropy
/// and SGD: <c>ZeroGrad</c>, forward, <c>Backward</c>, <c>Step</c>. Used by the table's row and by
/// <c>mlp-steps</c>, which runs it 1,000 times and prints what it allocates and collects.
/// </summary>
internal sealed class MlpStep
{
    public const int Batch = 64, Inputs = 784, Hidden = 256, Classes = 10;

    /// <summary>The multiply-adds of one step, ×2: the two forward products, the two weight gradients and the hidden layer's gradient (the input needs none).</summary>
    public const double Flops = 2.0 * Batch * Inputs * Hidden * 2 + 2.0 * Batch * Hidden * Classes * 3;

    private readonly NdArray<float> _x = NdArray.RandomNormal<float>(1, Batch, Inputs);
    private readonly int[] _labels = Enumerable.Range(0, Batch).Select(i => i * 7 % Classes).ToArray();
    private readonly Variable<float> _w1, _b1, _w2, _b2;
    private readonly Sgd<float> _optimizer;

    public MlpStep()
    {
        var random = new Random(2);
        _w1 = NdArray.Multiply(NdArray.RandomNormal<float>(random, Inputs, Hidden), 0.05f).ToVariable("w1");
        _b1 = NdArray.Zeros<float>(Hidden).ToVariable("b1");
        _w2 = NdArray.Multiply(NdArray.RandomNormal<float>(random, Hidden, Classes), 0.05f).ToVariable("w2");
        _b2 = NdArray.Zeros<float>(Classes).ToVariable("b2");
        _optimizer = new Sgd<float>([_w1, _b1, _w2, _b2], learningRate: 0.01);
    }

    /// <summary>One step; returns the loss before it.</summary>
    public float Run()
    {
        _optimizer.ZeroGrad();
        var hidden = Ops.Relu(Ops.MatMul(_x, _w1) + _b1);
        var loss = Ops.CrossEntropy(Ops.MatMul(hidden, _w2) + _b2, _labels);
        loss.Backward();
        _optimizer.Step();
        return loss.Value.ToScalar();
    }

    /// <summary><c>mlp-steps</c>: prints <see cref="Measure"/>.</summary>
    public static int RunSteps()
    {
        Console.WriteLine(Measure());
        return 0;
    }

    /// <summary>1,000 steps after 100 of warm-up: time, bytes allocated (all threads) and collections per generation, as one line.</summary>
    public static string Measure()
    {
        const int warmup = 100, steps = 1000;
        var step = new MlpStep();
        for (var i = 0; i < warmup; i++)
            step.Run();
        var collections = Enumerable.Range(0, 3).Select(GC.CollectionCount).ToArray();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var loss = 0f;
        for (var i = 0; i < steps; i++)
            loss = step.Run();
        clock.Stop();
        var bytes = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)steps;
        return string.Create(CultureInfo.InvariantCulture,
            $"MLP {Inputs}-{Hidden}-{Classes} SGD step, batch {Batch}, {steps} steps after {warmup} of warm-up: " +
            $"{clock.Elapsed.TotalMicroseconds / steps:0.0} µs/step, {bytes / 1024:0.0} KB allocated/step, " +
            $"collections gen0 {GC.CollectionCount(0) - collections[0]}, gen1 {GC.CollectionCount(1) - collections[1]}, gen2 {GC.CollectionCount(2) - collections[2]} " +
            $"(targets: ≤ 300 KB/step, no gen2; final loss {loss:0.000})");
    }
}
