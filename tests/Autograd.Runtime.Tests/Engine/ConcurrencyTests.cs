using Autograd.Engine;
using AutogradOps = Autograd.Ops;

namespace Autograd.Runtime.Tests.Engine;

/// <summary>
/// Backward passes keep their state per pass, so they run at once on many threads: independent
/// graphs give bit-identical results, shared leaves get every contribution, and a backward that
/// waits on other passes never deadlocks.
/// </summary>
public class ConcurrencyTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>A small graph of built-in ops over seeded inputs; returns the gradients of both leaves.</summary>
    private static double[][] Gradients(int seed)
    {
        var x = NdArray.RandomNormal<double>(seed, 3, 4).ToVariable("x");
        var w = NdArray.RandomNormal<double>(seed + 1, 4, 2).ToVariable("w");
        var loss = AutogradOps.Sum(AutogradOps.Tanh(AutogradOps.MatMul(x, w)) * AutogradOps.Exp(AutogradOps.Slice(x, axis: 1, start: 0, stop: 2)));
        loss.Backward();
        return [x.Grad!.ToArray(), w.Grad!.ToArray()];
    }

    [Test]
    public void Eight_threads_of_independent_graphs_equal_the_serial_results_bit_for_bit()
    {
        const int threads = 8, perThread = 1000;
        var serial = Enumerable.Range(0, threads * perThread).Select(Gradients).ToArray();
        var parallel = new double[threads * perThread][][];

        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            for (var i = 0; i < perThread; i++)
                parallel[t * perThread + i] = Gradients(t * perThread + i);
        })).ToArray();
        foreach (var worker in workers)
            worker.Start();
        foreach (var worker in workers)
            Assert.That(worker.Join(Patience), Is.True, "a worker did not finish");

        for (var i = 0; i < serial.Length; i++)
        {
            Assert.That(parallel[i][0], Is.EqualTo(serial[i][0]), $"graph {i}, x");
            Assert.That(parallel[i][1], Is.EqualTo(serial[i][1]), $"graph {i}, w");
        }
    }

    [Test]
    public void Eight_threads_sharing_parameters_sum_every_contribution_exactly()
    {
        // Integer-valued gradients keep every sum exact whatever the order the leaves are added in.
        var w = NdArray.Create([1.0, 2.0, 3.0]).ToVariable("w");
        var b = NdArray.Create([5.0]).ToVariable("b");
        const int threads = 8, perThread = 500;
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < perThread; i++)
                AutogradOps.Sum(w * w + b).Backward(); // d/dw = 2w, d/db = 3
        })).ToArray();
        foreach (var worker in workers)
            worker.Start();
        foreach (var worker in workers)
            Assert.That(worker.Join(Patience), Is.True, "a worker did not finish");

        Assert.That(w.Grad!.ToArray(), Is.EqualTo(new[] { 2.0, 4.0, 6.0 }.Select(g => g * threads * perThread)));
        Assert.That(b.Grad!.ToArray(), Is.EqualTo(new[] { 3.0 * threads * perThread }));
    }

    [Test]
    public void A_backward_that_waits_on_a_backward_on_another_thread_finishes()
    {
        var other = NdArray.Create([1.0, 2.0]).ToVariable("other");
        var x = NdArray.Create([3.0, 4.0]).ToVariable("x");
        var y = TestOps.Hooked(x, () => Task.Run(() => TestOps.Mul(other, other).Backward()).Wait());

        var pass = Task.Run(() => y.Backward());

        Assert.That(pass.Wait(Patience), Is.True, "the outer backward deadlocked");
        Assert.That(other.Grad!.ToArray(), Is.EqualTo(new[] { 2.0, 4.0 }));
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 1.0, 1.0 }));
    }

    [Test]
    public void A_backward_whose_parallel_loop_bodies_call_backward_finishes()
    {
        var shared = NdArray.Create([1.0, 2.0]).ToVariable("shared");
        var x = NdArray.Create([3.0, 4.0]).ToVariable("x");
        var y = TestOps.Hooked(x, () => Parallel.For(0, 16, _ => TestOps.Mul(shared, shared).Backward()));

        var pass = Task.Run(() => y.Backward());

        Assert.That(pass.Wait(Patience), Is.True, "the outer backward deadlocked");
        Assert.That(shared.Grad!.ToArray(), Is.EqualTo(new[] { 32.0, 64.0 }));
    }

    [Test]
    public void A_backward_started_on_the_same_thread_inside_a_backward_runs_as_its_own_pass()
    {
        var inner = NdArray.Create([1.0, 2.0]).ToVariable("inner");
        var x = NdArray.Create([3.0, 4.0]).ToVariable("x");
        var queued = new List<string>();
        var y = TestOps.Hooked(x, () =>
        {
            BackwardPass.QueueCallback(() => queued.Add("outer"));
            var z = TestOps.Mul(inner, inner);
            using (z.RegisterHook(g => { BackwardPass.QueueCallback(() => queued.Add("inner")); return null; }))
                z.Backward();
        });

        y.Backward();

        Assert.That(inner.Grad!.ToArray(), Is.EqualTo(new[] { 2.0, 4.0 }));
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 1.0, 1.0 }));
        Assert.That(queued, Is.EqualTo(new[] { "inner", "outer" }), "each callback runs at the end of its own pass");
    }
}
