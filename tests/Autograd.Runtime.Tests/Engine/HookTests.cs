using Autograd.Engine;

namespace Autograd.Runtime.Tests.Engine;

public class HookTests
{
    private static Variable<double> Vector(string name, params double[] values) => NdArray.Create(values).ToVariable(name);

    [Test]
    public void A_hook_on_an_intermediate_sees_its_complete_gradient_once_and_can_replace_it()
    {
        // a = 2x is used twice: y = a * a + a, so dy/da = 2a + 1 arrives in two parts.
        var x = Vector("x", 1, 2);
        var a = TestOps.Scale(x, 2);
        var y = TestOps.Add(TestOps.Mul(a, a), a);
        var seen = new List<double[]>();
        using (a.RegisterHook(g => { seen.Add(g.ToArray()); return NdArray.Multiply(g, 10.0); }))
            y.Backward();

        Assert.That(seen, Has.Count.EqualTo(1));
        Assert.That(seen[0], Is.EqualTo(new[] { 5.0, 9.0 }));
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 100.0, 180.0 }), "the replaced gradient flows on: 10 * (2a + 1) * 2");
    }

    [Test]
    public void A_hook_on_a_leaf_sees_this_passs_gradient_before_it_is_added_to_Grad()
    {
        var x = Vector("x", 1, 2);
        TestOps.Scale(x, 3).Backward();
        var seen = new List<(double[] Gradient, double[]? GradBefore)>();
        using (x.RegisterHook(g => { seen.Add((g.ToArray(), x.Grad?.ToArray())); return null; }))
            TestOps.Scale(x, 5).Backward();

        Assert.That(seen.Single().Gradient, Is.EqualTo(new[] { 5.0, 5.0 }));
        Assert.That(seen.Single().GradBefore, Is.EqualTo(new[] { 3.0, 3.0 }));
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 8.0, 8.0 }));
    }

    [Test]
    public void Disposing_the_registration_removes_only_that_hook()
    {
        var x = Vector("x", 1);
        var calls = new List<string>();
        var first = x.RegisterHook(_ => { calls.Add("first"); return null; });
        using var second = x.RegisterHook(_ => { calls.Add("second"); return null; });
        TestOps.Scale(x, 2).Backward();

        first.Dispose();
        first.Dispose(); // twice is harmless
        TestOps.Scale(x, 2).Backward();

        Assert.That(calls, Is.EqualTo(new[] { "first", "second", "second" }));
    }

    [Test]
    public void A_hook_returning_the_wrong_shape_fails_the_pass_naming_both_shapes()
    {
        var x = Vector("x", 1, 2);
        using var hook = x.RegisterHook(_ => NdArray.Ones<double>(3));

        Assert.That(() => TestOps.Scale(x, 2).Backward(),
            Throws.InvalidOperationException.With.Message.Contain("'x'").And.Message.Contain("[2]").And.Message.Contain("[3]"));
        Assert.That(x.Grad, Is.Null);
    }

    [Test]
    public void Queued_callbacks_run_after_every_gradient_and_before_any_leaf_is_committed()
    {
        var x = Vector("x", 1, 2);
        var w = Vector("w", 3, 4);
        var log = new List<string>();
        using var hook = x.RegisterHook(g =>
        {
            BackwardPass.QueueCallback(() => log.Add($"callback: x.Grad {(x.Grad is null ? "null" : "set")}, w.Grad {(w.Grad is null ? "null" : "set")}"));
            return null;
        });
        using var other = w.RegisterHook(_ => { log.Add("w hook"); return null; });

        TestOps.Mul(x, w).Backward();

        Assert.That(log, Is.EqualTo(new[] { "w hook", "callback: x.Grad null, w.Grad null" }));
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 3.0, 4.0 }));
    }

    [Test]
    public void A_callback_queued_by_a_callback_runs_last_in_the_same_pass()
    {
        var x = Vector("x", 1, 2);
        var log = new List<string>();
        using var hook = x.RegisterHook(_ =>
        {
            BackwardPass.QueueCallback(() => { log.Add("first"); BackwardPass.QueueCallback(() => log.Add($"queued by first, x.Grad {(x.Grad is null ? "null" : "set")}")); });
            BackwardPass.QueueCallback(() => log.Add("second"));
            return null;
        });

        TestOps.Scale(x, 2).Backward();

        Assert.That(log, Is.EqualTo(new[] { "first", "second", "queued by first, x.Grad null" }));
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 2.0, 2.0 }));
    }

    [Test]
    public void A_failing_callback_fails_the_pass_and_commits_nothing()
    {
        var x = Vector("x", 1, 2);
        using var hook = x.RegisterHook(_ => { BackwardPass.QueueCallback(() => throw new TimeoutException("all-reduce timed out")); return null; });

        Assert.That(() => TestOps.Scale(x, 2).Backward(), Throws.TypeOf<TimeoutException>());
        Assert.That(x.Grad, Is.Null);
    }

    [Test]
    public void QueueCallback_outside_a_pass_says_where_to_call_it()
    {
        Assert.That(() => BackwardPass.QueueCallback(() => { }),
            Throws.InvalidOperationException.With.Message.Contain("no backward pass is running on this thread"));
    }
}
