using AutogradOps = Autograd.Ops;

namespace Autograd.Runtime.Tests.Engine;

/// <summary><see cref="Variable.Gradients{T}"/>: gradients returned, no <c>Grad</c> touched, only the needed ops run.</summary>
public class GradientsTests
{
    private static Variable<double> Vector(string name, params double[] values) => NdArray.Create(values).ToVariable(name);

    [Test]
    public void Returns_what_Backward_would_accumulate_and_touches_no_Grad()
    {
        var x = Vector("x", 1, 2);
        var w = Vector("w", 3, 4);
        var h = TestOps.Mul(x, w);
        h.RetainGrad();
        var y = TestOps.Add(h, x);

        var gradients = Variable.Gradients(y, [x, w]);

        Assert.That(gradients[0].Value.ToArray(), Is.EqualTo(new[] { 4.0, 5.0 }));
        Assert.That(gradients[1].Value.ToArray(), Is.EqualTo(new[] { 1.0, 2.0 }));
        Assert.That(new[] { x.Grad, w.Grad, h.Grad, y.Grad }, Is.All.Null);
    }

    [Test]
    public void Differentiates_with_respect_to_an_intermediate_variable()
    {
        var x = Vector("x", 1, 2);
        var a = TestOps.Scale(x, 2);
        var y = TestOps.Mul(a, a); // dy/da = 2a

        Assert.That(Variable.Gradients(y, [a])[0].Value.ToArray(), Is.EqualTo(new[] { 4.0, 8.0 }));
        Assert.That(x.Grad, Is.Null);
    }

    [Test]
    public void Runs_only_the_backwards_between_the_output_and_the_inputs()
    {
        var x = Vector("x", 1, 2);
        var w = Vector("w", 3, 4);
        var a = TestOps.Scale(TestOps.Scale(x, 2), 2); // two ops only x needs
        var y = TestOps.Mul(a, w);

        TestOps.BackwardCalls = 0;
        var dw = Variable.Gradients(y, [w])[0].Value;

        Assert.That(TestOps.BackwardCalls, Is.EqualTo(1), "only the multiply runs its backward");
        Assert.That(dw.ToArray(), Is.EqualTo(new[] { 4.0, 8.0 }));
    }

    [Test]
    public void Takes_a_seed_and_returns_arrays_the_caller_owns()
    {
        var x = Vector("x", 1, 2);
        var y = Vector("y", 3, 4);
        var sum = TestOps.Add(x, y); // add hands the same buffer to both inputs

        var gradients = Variable.Gradients(sum, [x, y, x], seed: NdArray.Create([5.0, 6.0]));
        gradients[0].Value[0] = -1;

        Assert.That(gradients[1].Value.ToArray(), Is.EqualTo(new[] { 5.0, 6.0 }));
        Assert.That(gradients[2].Value.ToArray(), Is.EqualTo(new[] { 5.0, 6.0 }), "an input named twice gets two arrays");
    }

    [Test]
    public void An_unused_input_is_an_error_unless_allowed_then_zeros()
    {
        var x = Vector("x", 1, 2);
        var unused = Vector("unused", 1, 2, 3);
        var y = TestOps.Scale(x, 2);

        Assert.That(() => Variable.Gradients(y, [x, unused]),
            Throws.ArgumentException.With.Message.Contain("input 1").And.Message.Contain("'unused'").And.Message.Contain("allowUnused"));
        Assert.That(Variable.Gradients(y, [x, unused], allowUnused: true)[1].Value.ToArray(), Is.EqualTo(new[] { 0.0, 0.0, 0.0 }));
    }

    [Test]
    public void An_input_that_does_not_require_grad_is_refused()
    {
        var x = Vector("x", 1, 2);
        var constant = NdArray.Create([1.0, 2.0]).ToVariable("c", requiresGrad: false);
        var y = TestOps.Mul(x, constant);

        Assert.That(() => Variable.Gradients(y, [constant]), Throws.ArgumentException.With.Message.Contain("'c'").And.Message.Contain("does not require grad"));
    }

    [Test]
    public void Matches_Backward_on_a_network_of_built_in_ops()
    {
        var x = NdArray.RandomNormal<double>(1, 4, 3).ToVariable("x");
        var w = NdArray.RandomNormal<double>(2, 3, 5).ToVariable("w");
        var b = NdArray.RandomNormal<double>(3, 5).ToVariable("b");
        var loss = AutogradOps.CrossEntropy(AutogradOps.MatMul(AutogradOps.Tanh(x), w) + b, [0, 4, 2, 1]);

        var gradients = Variable.Gradients(loss, [w, b]);
        loss.Backward();

        Assert.That(gradients[0].Value.ToArray(), Is.EqualTo(w.Grad!.ToArray()));
        Assert.That(gradients[1].Value.ToArray(), Is.EqualTo(b.Grad!.ToArray()));
    }
}
