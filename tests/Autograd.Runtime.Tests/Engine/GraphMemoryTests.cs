using System.Runtime.CompilerServices;

namespace Autograd.Runtime.Tests.Engine;

/// <summary>
/// A recorded graph keeps its nodes and what their backwards saved, not the variables it was built
/// from: an intermediate nobody references and no backward reads is freed while the graph lives, and
/// what the user attached to it (a hook, a name, a retained gradient) still works.
/// </summary>
public class GraphMemoryTests
{
    private const int Depth = 50;

    [Test]
    public void An_intermediate_no_backward_reads_is_freed_while_the_graph_lives()
    {
        var x = NdArray.Create([1.0, 2.0, 3.0]).ToVariable("x");
        var (y, intermediates) = AddChain(x, Depth);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.That(intermediates.Count(w => w.TryGetTarget(out _)), Is.Zero, "every intermediate variable and its value were collected");
        y.Backward();
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 1.0, 1.0, 1.0 }), "y = x + 50c: the graph still reaches x");
    }

    [Test]
    public void A_hook_and_a_name_on_a_dropped_intermediate_live_on_its_node()
    {
        var x = NdArray.Create([1.0, 2.0]).ToVariable("x");
        var seen = new List<double[]>();
        var (y, hook) = HookedChain(x, seen);
        GC.Collect();

        y.Backward();
        Assert.That(seen.Single(), Is.EqualTo(new[] { 1.0, 1.0 }), "the hook of the dropped intermediate ran");
        Assert.That(y.ToDot(), Does.Contain("label=\"hidden\\n[2]\""), "its name is drawn");
        hook.Dispose();
        seen.Clear();
        y.Backward();
        Assert.That(seen, Is.Empty, "disposing the registration removed the hook from the node");
    }

    [Test]
    public void A_retained_intermediate_gets_its_gradient_though_nothing_but_the_graph_references_its_node()
    {
        var x = NdArray.Create([1.0, 2.0]).ToVariable("x");
        var h = global::Autograd.Ops.Add(x, NdArray.Create([1.0, 1.0]));
        h.RetainGrad();
        var y = global::Autograd.Ops.Multiply(h, NdArray.Create([3.0, 4.0]));

        y.Backward();
        Assert.That(h.Grad!.ToArray(), Is.EqualTo(new[] { 3.0, 4.0 }));
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 3.0, 4.0 }));
    }

    [Test]
    public void A_hook_on_a_variable_that_does_not_require_grad_is_refused()
    {
        var constant = NdArray.Create([1.0]).ToVariable("c", requiresGrad: false);
        var error = Assert.Throws<InvalidOperationException>(() => constant.RegisterHook(_ => null))!;
        Assert.That(error.Message, Does.Contain("RegisterHook").And.Contain("variable 'c'").And.Contain("does not require grad"));
    }

    // Not inlined, so no local of the caller's frame keeps an intermediate alive.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (Variable<double> Result, List<WeakReference<object>> Intermediates) AddChain(Variable<double> x, int depth)
    {
        var step = NdArray.Create([0.5, 0.5, 0.5]);
        var intermediates = new List<WeakReference<object>>();
        var y = x;
        for (var i = 0; i < depth; i++)
        {
            y = global::Autograd.Ops.Add(y, step); // Add's backward reads no input
            if (i < depth - 1)
            {
                intermediates.Add(new WeakReference<object>(y));
                intermediates.Add(new WeakReference<object>(y.Value));
            }
        }
        return (y, intermediates);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (Variable<double> Result, IDisposable Hook) HookedChain(Variable<double> x, List<double[]> seen)
    {
        var hidden = global::Autograd.Ops.Add(x, NdArray.Create([1.0, 1.0]));
        hidden.Name = "hidden";
        var hook = hidden.RegisterHook(g => { seen.Add(g.ToArray()); return null; });
        return (global::Autograd.Ops.Add(hidden, NdArray.Create([2.0, 2.0])), hook);
    }
}
