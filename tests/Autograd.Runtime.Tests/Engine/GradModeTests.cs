namespace Autograd.Runtime.Tests.Engine;

public class GradModeTests
{
    [Test]
    public void Ops_inside_NoGrad_record_nothing_and_recording_resumes_after()
    {
        var x = NdArray.Create([1.0, 2.0]).ToVariable("x");
        Variable<double> inside;
        using (Variable.NoGrad())
        {
            Assert.That(GradMode.IsEnabled, Is.False);
            inside = TestOps.Mul(x, x);
        }
        var after = TestOps.Mul(x, x);

        Assert.That(inside.Node, Is.Null);
        Assert.That(inside.RequiresGrad, Is.False);
        Assert.That(inside.Value.ToArray(), Is.EqualTo(new[] { 1.0, 4.0 }));
        Assert.That(after.Node, Is.Not.Null);
        Assert.That(GradMode.IsEnabled, Is.True);
    }

    [Test]
    public void Nested_scopes_restore_the_outer_setting()
    {
        using (Variable.NoGrad())
        {
            using (Variable.NoGrad())
                Assert.That(GradMode.IsEnabled, Is.False);
            Assert.That(GradMode.IsEnabled, Is.False, "leaving the inner scope must not re-enable recording");
        }
        Assert.That(GradMode.IsEnabled, Is.True);
    }

    [Test]
    public void A_scope_on_one_thread_leaves_another_thread_recording()
    {
        var x = NdArray.Create([3.0]).ToVariable("x");
        using var bothInside = new Barrier(2);
        Variable<double>? fromNoGradThread = null, fromRecordingThread = null;

        var noGrad = new Thread(() =>
        {
            using (Variable.NoGrad())
            {
                bothInside.SignalAndWait();
                fromNoGradThread = TestOps.Mul(x, x);
                bothInside.SignalAndWait();
            }
        });
        var recording = new Thread(() =>
        {
            bothInside.SignalAndWait();
            fromRecordingThread = TestOps.Mul(x, x);
            bothInside.SignalAndWait();
        });
        noGrad.Start();
        recording.Start();
        noGrad.Join();
        recording.Join();

        Assert.That(fromNoGradThread!.Node, Is.Null);
        Assert.That(fromRecordingThread!.Node, Is.Not.Null);
    }

    [Test]
    public async Task Work_started_inside_a_scope_keeps_it_after_the_scope_ends_and_other_work_on_the_same_threads_does_not()
    {
        var x = NdArray.Create([3.0]).ToVariable("x");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<Variable<double>> started;
        using (Variable.NoGrad())
            started = Task.Run(async () => { await release.Task; return TestOps.Mul(x, x); });
        Assert.That(GradMode.IsEnabled, Is.True, "the scope ended on this flow");

        // Work queued after the scope ended runs on the same pool threads and records.
        var others = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => TestOps.Mul(x, x))));
        release.SetResult();
        var late = await started;

        Assert.That(others.Select(v => v.Node), Has.All.Not.Null);
        Assert.That(late.Node, Is.Null, "the work started inside the scope still runs without recording");
        Assert.That(GradMode.IsEnabled, Is.True);
    }

    [Test]
    public async Task A_scope_flows_into_awaited_async_code()
    {
        var x = NdArray.Create([3.0]).ToVariable("x");
        using (Variable.NoGrad())
        {
            await Task.Yield();
            var result = await Task.Run(() => TestOps.Mul(x, x));
            Assert.That(result.Node, Is.Null);
        }
    }
}
