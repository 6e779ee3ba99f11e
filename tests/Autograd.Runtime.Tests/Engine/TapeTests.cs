using System.Runtime.CompilerServices;
using Autograd.Engine;
using AutogradOps = Autograd.Ops;

namespace Autograd.Runtime.Tests.Engine;

/// <summary>
/// Generated ops with at most two array inputs and two saved arrays record their vertices as records
/// in tape chunks (issue 8, target 4): an op after the last record of a chunk goes after it, anything
/// else starts a chunk; a record's node object is made when first asked for, once.
/// </summary>
public class TapeTests
{
    private static Variable<double> Chain(Variable<double> x, int length)
    {
        var y = x;
        for (var i = 0; i < length; i++)
            y = i % 2 == 0 ? AutogradOps.Sin(y) : y * 1.5;
        return y;
    }

    private static int ChunkCount(IEnumerable<Variable<double>> variables) =>
        variables.Select(v => v.GraphVertex.Store).Distinct(ReferenceEqualityComparer.Instance).Count();

    [Test]
    public void A_line_of_ops_fills_chunks_that_double_and_its_nodes_keep_their_identity()
    {
        var x = NdArray.RandomNormal<double>(1, 3).ToVariable("x");
        var line = new List<Variable<double>>();
        var y = x;
        for (var i = 0; i < 40; i++)
            line.Add(y = Chain(y, 1 + i % 2));

        // 20 × 1 op + 20 × 2 ops: 60 records, in chunks of 1, 2, 4, 8, 16 and 32.
        Assert.That(ChunkCount(line), Is.EqualTo(6));
        Assert.That(line[^1].GraphVertex.Index, Is.EqualTo(60 - 1 - (1 + 2 + 4 + 8 + 16)), "the last record's place in the sixth chunk");
        var node = line[5].Node;
        Assert.That(line[5].Node, Is.SameAs(node), "made once");
        Assert.That(line[6].Node!.GetInput(0), Is.SameAs(line[5].Node), "the record before, through the chain's own op");
        Assert.That(line[0].Node!.GetInput(0), Is.SameAs(x.GraphNode), "a leaf's node");
        GradCheck.Assert(v => AutogradOps.Sum(Chain(v[0], 60)), x.Value);
    }

    [Test]
    public void An_op_on_a_value_with_a_later_record_starts_a_chunk_and_every_branch_gets_its_gradient()
    {
        var x = NdArray.RandomNormal<double>(2, 2, 3).ToVariable("x");
        var y = AutogradOps.Sin(AutogradOps.Cos(x)); // the first record of a chunk of two (the first chunk holds one)
        var a = y * 2.0;
        var b = AutogradOps.Exp(y);
        Assert.That(a.GraphVertex.Store, Is.SameAs(y.GraphVertex.Store), "after the last record: the same chunk");
        Assert.That(b.GraphVertex.Store, Is.Not.SameAs(y.GraphVertex.Store), "after a record with a later one: a chunk of its own");

        GradCheck.Assert(v =>
        {
            var sin = AutogradOps.Sin(v[0]);
            return AutogradOps.Sum(sin * 2.0 + AutogradOps.Exp(sin) * sin);
        }, x.Value);
    }

    [Test]
    public void Ops_recorded_at_once_on_two_threads_after_the_same_last_record_each_keep_their_own()
    {
        var x = NdArray.RandomNormal<double>(3, 4).ToVariable("x");
        var wrong = 0;
        for (var round = 0; round < 1000; round++)
        {
            var y = AutogradOps.Sin(AutogradOps.Sin(x)); // the first record of a chunk of two: both threads race for the second place
            using var start = new Barrier(2);
            Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, k =>
            {
                var factor = k + 2.0;
                start.SignalAndWait();
                var z = y * factor;
                var gradient = Variable.Gradients(AutogradOps.Sum(z), [y])[0];
                if (gradient.Value.ToArray().Any(g => g != factor) || !ReferenceEquals(z.Node!.GetInput(0), y.Node))
                    Interlocked.Increment(ref wrong);
            });
        }
        Assert.That(wrong, Is.Zero);
    }

    [Test]
    public void A_pass_run_inside_another_over_the_same_records_keeps_its_own_entries_for_them()
    {
        // The outer pass claims every record first, so the inner one (from a hook) finds each through its own
        // table, two of them in one chunk (the multiplies).
        var x = NdArray.Create([0.5, 1.0]).ToVariable("x");
        var h = AutogradOps.Sin(x) * 4.0 * 0.5;
        var y = AutogradOps.Exp(h) * 3.0;
        double[]? inner = null;
        y.RegisterHook(g =>
        {
            inner = Variable.Gradients(AutogradOps.Sum(h * h), [x])[0].Value.ToArray();
            return null;
        });

        AutogradOps.Sum(y).Backward();

        var values = x.Value.ToArray();
        Assert.That(inner, Is.EqualTo(values.Select(v => 8 * Math.Sin(v) * Math.Cos(v))).Within(1e-12), "d/dx Σ(2 sin x)²");
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(values.Select(v => 6 * Math.Exp(2 * Math.Sin(v)) * Math.Cos(v))).Within(1e-12), "d/dx Σ 3 exp(2 sin x)");
    }

    [Test]
    public void A_records_node_made_after_recording_carries_its_name_hooks_and_retained_gradient()
    {
        var x = NdArray.Create([1.0, 2.0]).ToVariable("x");
        var y = x * 3.0;
        var z = AutogradOps.Sum(y * y);
        y.Name = "y";
        y.RetainGrad();
        y.RegisterHook(g => NdArray.Multiply(g, 10.0));

        z.Backward();

        Assert.That(y.Grad!.ToArray(), Is.EqualTo(new[] { 60.0, 120.0 }), "retained, as its hook replaced it");
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 180.0, 360.0 }), "dz/dy × 10 × 3");
        Assert.That(y.Node!.OutputName, Is.EqualTo("y"));
        Assert.That(z.ToDot(), Does.Contain("y\\n[2]"));
    }

    [Test]
    public void Records_after_node_objects_and_node_objects_after_records_form_one_graph()
    {
        var x = NdArray.RandomNormal<double>(4, 3).ToVariable("x");
        var w = NdArray.RandomNormal<double>(5, 3).ToVariable("w");
        GradCheck.Assert(v =>
        {
            var hidden = TestOps.Mul(AutogradOps.Tanh(v[0]), v[1]); // a node object after a record
            return TestOps.Sum(AutogradOps.Exp(hidden) * v[0]);     // records after it
        }, x.Value, w.Value);
    }

    [Test]
    public void Chunks_and_what_their_records_saved_are_freed_with_the_last_variable_that_reaches_them()
    {
        var x = NdArray.Create([1.0, 2.0]).ToVariable("x");
        var weak = DroppedExpChain(x, 40);
        Collect();
        Assert.That(weak.Count(w => w.TryGetTarget(out _)), Is.Zero, "no tape keeps a chunk or a saved output once nothing refers into it");
    }

    [Test]
    public void Backward_without_retaining_the_graph_lets_go_of_what_records_saved_while_the_graph_lives()
    {
        var x = NdArray.Create([1.0, 2.0]).ToVariable("x");
        var (y, weak) = ExpChain(x, 40);
        var savedOutputs = weak.Where(w => w.TryGetTarget(out var target) && target is NdArray<double>).ToList();
        Collect();
        Assert.That(savedOutputs.Count(w => w.TryGetTarget(out _)), Is.EqualTo(39), "Exp saves its output: every intermediate value lives in the records");

        y!.Backward(retainGraph: false);
        Collect();
        Assert.That(savedOutputs.Count(w => w.TryGetTarget(out _)), Is.Zero, "released records hold nothing");
        Assert.That(x.Grad, Is.Not.Null);
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    // Not inlined, so no local of the caller's frame keeps an intermediate alive. Weak references to the
    // chunks the chain filled and to the intermediate values Exp saved (every one but the last).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (Variable<double>? Result, List<WeakReference<object>> Weak) ExpChain(Variable<double> x, int depth)
    {
        var weak = new List<WeakReference<object>>();
        var y = x;
        for (var i = 0; i < depth; i++)
        {
            y = AutogradOps.Exp(AutogradOps.Multiply(y, NdArray.Scalar(0.01)));
            if (i < depth - 1)
                weak.Add(new WeakReference<object>(y.Value));
        }
        weak.AddRange(ChunksOf(y).Select(chunk => new WeakReference<object>(chunk)));
        return (y, weak);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<WeakReference<object>> DroppedExpChain(Variable<double> x, int depth) => ExpChain(x, depth).Weak;

    private static IEnumerable<object> ChunksOf(Variable<double> y)
    {
        var chunks = new HashSet<object>(ReferenceEqualityComparer.Instance);
        for (var node = y.Node; node is { Leaf: null }; node = node.GetInput(0))
            chunks.Add(node.Vertex.Store!);
        return chunks.Where(chunk => chunk is TapeChunk<double>);
    }

    [Test]
    public void Backward_without_retaining_the_graph_releases_records_and_a_second_one_names_the_op()
    {
        var x = NdArray.Create([1.0, 2.0]).ToVariable("x");
        var exp = AutogradOps.Exp(x);
        var doubled = exp * 2.0;

        AutogradOps.Sum(doubled).Backward(retainGraph: false);

        Assert.That(exp.Node!.IsReleased && doubled.Node!.IsReleased, Is.True);
        Assert.That(() => doubled.Backward(), Throws.InvalidOperationException.With.Message.Contains("op '*'").And.Message.Contains("freed"));
    }
}
