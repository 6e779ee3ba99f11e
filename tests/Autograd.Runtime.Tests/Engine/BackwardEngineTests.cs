namespace Autograd.Runtime.Tests.Engine;

public class BackwardEngineTests
{
    private static Variable<double> Vector(string name, params double[] values) => NdArray.Create(values).ToVariable(name);

    [Test]
    public void Seed_defaults_to_ones_and_stays_on_the_root()
    {
        var x1 = Vector("x1", 2, 3);
        var x2 = Vector("x2", 4, 5);
        var y = TestOps.Mul(x1, x2);

        y.Backward();

        Assert.That(y.Grad!.ToArray(), Is.EqualTo(new[] { 1.0, 1.0 }));
        Assert.That(x1.Grad!.ToArray(), Is.EqualTo(new[] { 4.0, 5.0 }));
        Assert.That(x2.Grad!.ToArray(), Is.EqualTo(new[] { 2.0, 3.0 }));
    }

    [Test]
    public void External_seed_becomes_the_roots_gradient_and_scales_the_inputs()
    {
        var x1 = Vector("x1", 2, 3);
        var x2 = Vector("x2", 4, 5);
        var y = TestOps.Mul(x1, x2);
        var seed = NdArray.Create([10.0, -1.0]);

        y.Backward(seed);

        Assert.That(y.Grad!.ToArray(), Is.EqualTo(seed.ToArray()));
        Assert.That(y.Grad, Is.Not.SameAs(seed), "the caller's seed must not alias the gradient");
        Assert.That(x1.Grad!.ToArray(), Is.EqualTo(new[] { 40.0, -5.0 }));
    }

    [Test]
    public void A_given_seed_is_only_read_and_no_gradient_aliases_it()
    {
        var x = Vector("x", 1, 2);
        var w = Vector("w", 5, 6);
        var copied = Autograd.Ops.Copy(x); // hands dy on unchanged: x's gradient is the seed itself until committed
        var doubled = w + w;      // hands dy on to both uses of w, whose sum must not be added into the seed
        var seed = NdArray.Create([10.0, -1.0]);

        copied.Backward(seed);
        doubled.Backward(seed);
        w.Backward(seed); // a leaf root: the seed is added into its Grad

        Assert.That(seed.ToArray(), Is.EqualTo(new[] { 10.0, -1.0 }), "the seed was written");
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 10.0, -1.0 }));
        Assert.That(w.Grad!.ToArray(), Is.EqualTo(new[] { 30.0, -3.0 }));
        seed[0] = 100;
        Assert.That(new[] { x.Grad[0], w.Grad[0], copied.Grad![0], doubled.Grad![0] }, Is.EqualTo(new[] { 10.0, 30.0, 10.0, 10.0 }),
            "a gradient shares the seed's array");
    }

    [Test]
    public void A_seed_that_is_the_array_ZeroGrad_kept_is_not_overwritten_while_the_pass_reads_it()
    {
        var x1 = Vector("x1", 2, 3);
        var x2 = Vector("x2", 4, 5);
        TestOps.Mul(x1, x2).Backward();
        var kept = x1.Grad!; // [4, 5]: ZeroGrad keeps this array, and the next pass writes x1's gradient into it
        x1.ZeroGrad();

        TestOps.Mul(x1, x2).Backward(kept);

        Assert.That(x1.Grad!.ToArray(), Is.EqualTo(new[] { 16.0, 25.0 }));
        Assert.That(x2.Grad!.ToArray(), Is.EqualTo(new[] { 2.0 + 8.0, 3.0 + 15.0 }), "x2's gradient read a seed already overwritten");
    }

    [Test]
    public void Seed_of_the_wrong_shape_is_rejected_naming_both_shapes()
    {
        var y = TestOps.Mul(Vector("x1", 2, 3), Vector("x2", 4, 5));
        y.Name = "y";

        var error = Assert.Throws<ArgumentException>(() => y.Backward(NdArray.Ones<double>(3)));

        Assert.That(error!.Message, Does.Contain("[3]").And.Contain("[2]").And.Contain("'y'"));
    }

    [Test]
    public void A_variable_used_twice_gets_both_contributions()
    {
        // y = x * x  =>  dy/dx = 2x
        var x = Vector("x", 3, -2);
        TestOps.Mul(x, x).Backward();
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 6.0, -4.0 }));
    }

    [Test]
    public void Diamond_sums_every_path_and_runs_each_node_once()
    {
        // a = 2x; b = 3x; c = a * b = 6x^2; y = c + a  =>  dy/dx = 12x + 2
        var x = Vector("x", 1, 2);
        var a = TestOps.Scale(x, 2);
        var b = TestOps.Scale(x, 3);
        var y = TestOps.Add(TestOps.Mul(a, b), a);
        TestOps.BackwardCalls = 0;

        y.Backward();

        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 14.0, 26.0 }));
        Assert.That(TestOps.BackwardCalls, Is.EqualTo(4), "each of the four nodes runs its backward exactly once");
    }

    [Test]
    public void Shared_gradient_buffers_are_copied_before_they_are_added_into()
    {
        // Add hands the same buffer to both inputs; x then receives a second contribution.
        var x = Vector("x", 1, 1);
        var w = Vector("w", 5, 7);
        var sum = TestOps.Add(x, w);
        var y = TestOps.Add(sum, x);

        y.Backward();

        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 2.0, 2.0 }));
        Assert.That(w.Grad!.ToArray(), Is.EqualTo(new[] { 1.0, 1.0 }));
        Assert.That(y.Grad!.ToArray(), Is.EqualTo(new[] { 1.0, 1.0 }));
    }

    [Test]
    public void Leaf_gradients_accumulate_across_calls_until_ZeroGrad()
    {
        var x = Vector("x", 1, 2);
        var y = TestOps.Scale(x, 3);

        y.Backward();
        y.Backward();
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 6.0, 6.0 }));
        Assert.That(y.Grad!.ToArray(), Is.EqualTo(new[] { 1.0, 1.0 }), "the root's gradient is the seed, not a sum");

        x.ZeroGrad();
        Assert.That(x.Grad, Is.Null);
        y.Backward();
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 3.0, 3.0 }));
    }

    [Test]
    public void Intermediate_gradients_are_kept_only_when_retained()
    {
        var x = Vector("x", 1, 2);
        var kept = TestOps.Scale(x, 2);
        var dropped = TestOps.Scale(x, 5);
        kept.RetainGrad();
        var y = TestOps.Mul(kept, dropped);

        y.Backward();

        Assert.That(kept.Grad!.ToArray(), Is.EqualTo(dropped.Value.ToArray()));
        Assert.That(dropped.Grad, Is.Null);
        Assert.That(kept.IsLeaf, Is.False);
        Assert.That(x.IsLeaf, Is.True);
    }

    [Test]
    public void Constants_and_detached_variables_receive_no_gradient()
    {
        var x = Vector("x", 1, 2);
        var constant = NdArray.Create([3.0, 4.0]).ToVariable("c", requiresGrad: false);
        var detached = TestOps.Scale(x, 10).Detach();

        TestOps.Mul(TestOps.Mul(x, constant), detached).Backward();

        Assert.That(constant.Grad, Is.Null);
        Assert.That(detached.Grad, Is.Null);
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 30.0, 80.0 }));
    }

    [Test]
    public void An_op_on_untracked_inputs_is_untracked_and_cannot_be_backpropagated()
    {
        var a = NdArray.Create([1.0]).ToVariable(requiresGrad: false);
        var y = TestOps.Mul(a, a);

        Assert.That(y.RequiresGrad, Is.False);
        Assert.That(y.Node, Is.Null);
        var error = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.That(error!.Message, Does.Contain("does not require grad"));
    }

    [Test]
    public void Freed_graph_cannot_be_walked_again_and_says_why()
    {
        var x = Vector("x", 1, 2);
        var y = TestOps.Mul(x, x);

        y.Backward(retainGraph: false);
        Assert.That(y.Node!.IsReleased, Is.True);
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 2.0, 4.0 }));

        var error = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.That(error!.Message, Does.Contain("'mul'").And.Contain("retainGraph"));
    }

    [Test]
    public void Retained_graph_can_be_walked_again()
    {
        var x = Vector("x", 1, 2);
        var y = TestOps.Mul(x, x);

        y.Backward();
        y.Backward();

        Assert.That(y.Node!.IsReleased, Is.False);
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 4.0, 8.0 }));
    }

    [Test]
    public void A_failed_pass_leaves_no_partial_gradient_behind()
    {
        var x = Vector("x", 1, 2);
        var failing = TestOps.Failing(TestOps.Scale(x, 2));

        Assert.Throws<InvalidOperationException>(() => failing.Backward());
        Assert.That(x.Grad, Is.Null);

        TestOps.Scale(x, 3).Backward();
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 3.0, 3.0 }), "nothing of the failed pass may leak into the next");
    }

    [Test]
    public void Backward_on_a_leaf_accumulates_the_seed_into_its_gradient()
    {
        var x = Vector("x", 1, 2);
        x.Backward();
        x.Backward(NdArray.Create([2.0, 3.0]));
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 3.0, 4.0 }));
    }

    [Test]
    public void Threads_backpropagating_into_shared_leaves_at_once_lose_no_contribution()
    {
        // Data-parallel style: each thread builds its own graph on the same parameter and calls
        // Backward; the passes run at once and only their final adds into w.Grad meet.
        var w = Vector("w", 1, 2, 3);
        const int perThread = 3000;
        using var start = new Barrier(2);
        var threads = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < perThread; i++)
                TestOps.Mul(TestOps.Scale(w, 1), TestOps.Scale(w, 1)).Backward(); // d/dw = 2w
        })).ToArray();
        foreach (var thread in threads)
            thread.Start();
        foreach (var thread in threads)
            thread.Join();

        Assert.That(w.Grad!.ToArray(), Is.EqualTo(new[] { 2.0, 4.0, 6.0 }.Select(g => g * perThread * threads.Length)));
    }

    [Test]
    public void A_chain_of_a_million_ops_neither_overflows_the_stack_nor_goes_quadratic()
    {
        // Recursion would overflow long before a million frames; a quadratic walk would not finish.
        const int length = 1_000_000;
        const double factor = 1.0000001;
        var x = Vector("x", 1.0);
        var y = x;
        for (var i = 0; i < length; i++)
            y = TestOps.Scale(y, factor);

        y.Backward(retainGraph: false);

        Assert.That(x.Grad!.ToScalar(), Is.EqualTo(Math.Pow(factor, length)).Within(1e-9));
    }

    [Test]
    public void Passes_over_graphs_bigger_than_a_thread_keeps_start_from_clean_entries()
    {
        // Beyond 65,536 variables a pass takes its entries from a shared pool: each pass here must
        // see nothing the one before left (use counts, gradients, claims). Every y is used twice, so
        // a stale count or sum shows in the result; w's gradient needs only the last 1,000 steps.
        const int length = 100_000, tail = 1_000;
        const double step = 1e-6;
        var x = Vector("x", 1.0);
        for (var pass = 0; pass < 2; pass++)
        {
            x.ZeroGrad();
            var y = x;
            Variable<double>? w = null;
            for (var i = 0; i < length; i++)
            {
                y = TestOps.Add(y, TestOps.Scale(y, step));
                if (i == length - tail - 1)
                    w = y;
            }

            y.Backward();
            var gradients = Variable.Gradients(y, [w!, x]);

            Assert.That(x.Grad!.ToScalar(), Is.EqualTo(Math.Pow(1 + step, length)).Within(1e-9), $"pass {pass}");
            Assert.That(gradients[0].Value.ToScalar(), Is.EqualTo(Math.Pow(1 + step, tail)).Within(1e-12), $"pass {pass}");
            Assert.That(gradients[1].Value.ToScalar(), Is.EqualTo(x.Grad!.ToScalar()).Within(1e-12), $"pass {pass}");
        }
    }

    [Test]
    public void A_pass_hands_back_every_node_it_claimed_whether_it_commits_returns_gradients_or_fails()
    {
        // A claim left behind would send every later pass through the slow shared lookup.
        var x = Vector("x", 1, 2);
        var w = Vector("w", 3, 4);
        var a = TestOps.Mul(x, w);
        var b = TestOps.Add(a, x);
        var y = TestOps.Scale(b, 2);
        Variable<double>[] graph = [x, w, a, b, y];

        y.Backward();
        Assert.That(graph.Select(v => v.GraphVertex.PassId), Is.All.Zero, "after Backward");
        Variable.Gradients(y, [a]);
        Assert.That(graph.Select(v => v.GraphVertex.PassId), Is.All.Zero, "after Gradients");
        Assert.That(() => TestOps.Failing(y).Backward(), Throws.Exception);
        Assert.That(graph.Select(v => v.GraphVertex.PassId), Is.All.Zero, "after a failed Backward");
    }
}
