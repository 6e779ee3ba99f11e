using AutogradOps = Autograd.Ops;

namespace Autograd.Runtime.Tests.Engine;

/// <summary>
/// Gradients of gradients through the engine, on hand-written nodes whose backward is recorded
/// (<see cref="Autograd.Engine.Node{T}.BackwardGraph"/>), so the engine is tested apart from the generator.
/// </summary>
public class HigherOrderTests
{
    private static Variable<double> Vector(string name, params double[] values) => NdArray.Create(values).ToVariable(name);

    private static Variable<double> Cube(Variable<double> x) => TestOps.Mul(TestOps.Mul(x, x), x);

    [Test]
    public void Third_derivative_of_x_cubed_is_six()
    {
        var x = Vector("x", 2, -3);
        var first = Variable.Gradients(Cube(x), [x], createGraph: true)[0];
        var second = Variable.Gradients(first, [x], createGraph: true)[0];
        var third = Variable.Gradients(second, [x], createGraph: true)[0];

        Assert.That(first.Value.ToArray(), Is.EqualTo(new[] { 12.0, 27.0 }));
        Assert.That(second.Value.ToArray(), Is.EqualTo(new[] { 12.0, -18.0 }));
        Assert.That(third.Value.ToArray(), Is.EqualTo(new[] { 6.0, 6.0 }));
        Assert.That(x.Grad, Is.Null, "Gradients touches no Grad, at any order");
    }

    [Test]
    public void Backward_with_createGraph_leaves_a_recorded_gradient_to_differentiate()
    {
        var x = Vector("x", 2, -3);
        Cube(x).Backward(createGraph: true);
        var gradient = x.GradVariable!;
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(gradient.Value.ToArray()));

        x.ZeroGrad();
        TestOps.Sum(gradient).Backward(); // d/dx Σ 3x² = 6x

        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 12.0, -18.0 }));
        Assert.That(x.GradVariable, Is.Null, "a pass without createGraph records no gradient");
    }

    [Test]
    public void A_gradient_penalty_backpropagates_to_the_weights()
    {
        // D(x) = Σ w·x², ∂D/∂x = 2wx, penalty P = Σ (2wx)², ∂P/∂w = 8wx².
        var w = Vector("w", 0.5, -1.5);
        var x = Vector("x", 2, 3);
        var critic = TestOps.Sum(TestOps.Mul(w, TestOps.Mul(x, x)));
        var slope = Variable.Gradients(critic, [x], createGraph: true)[0];

        TestOps.Sum(TestOps.Mul(slope, slope)).Backward();

        Assert.That(w.Grad!.ToArray(), Is.EqualTo(new[] { 8 * 0.5 * 4, 8 * -1.5 * 9 }));
    }

    [Test]
    public void A_first_order_op_on_the_way_names_itself_when_a_graph_is_created()
    {
        var x = Vector("x", 1, 2);
        var y = AutogradOps.Sum(TestOps.Hooked(x, () => { })); // every built-in is twice differentiable; this test op is not

        Assert.That(() => Variable.Gradients(y, [x], createGraph: true), Throws.TypeOf<NotSupportedException>().With.Message.Contain("op 'hooked' is first-order only"));
        Assert.That(Variable.Gradients(y, [x])[0].Value.ToArray(), Is.EqualTo(new[] { 1.0, 1.0 }), "without a graph it works");
    }

    [Test]
    public void Hessian_vector_products_and_Hessians_match_the_polynomials()
    {
        // f(x) = Σ x³ + Σ c·x²: H = diag(6x + 2c).
        var c = NdArray.Create([1.0, 3.0]).ToVariable(requiresGrad: false);
        Variable<double> F(Variable<double> x) => TestOps.Add(TestOps.Sum(Cube(x)), TestOps.Sum(TestOps.Mul(TestOps.Mul(x, c), x)));
        var x = NdArray.Create([2.0, -1.0]);

        var hessian = Functional.Hessian(F, x);
        var hvp = Functional.Hvp(F, x, NdArray.Create([1.0, 2.0]));

        Assert.That(hessian.Shape.ToArray(), Is.EqualTo(new[] { 2, 2 }));
        Assert.That(hessian.ToArray(), Is.EqualTo(new[] { 14.0, 0.0, 0.0, 0.0 }));
        Assert.That(hvp.ToArray(), Is.EqualTo(new[] { 14.0, 0.0 }));
    }
    [Test]
    public void Jvp_and_Jacobian_of_an_elementwise_cube()
    {
        var x = NdArray.Create([2.0, -1.0, 0.5]);

        var jvp = Functional.Jvp(Cube, x, NdArray.Create([1.0, 0.0, 2.0]));
        var jacobian = Functional.Jacobian(Cube, x);

        Assert.That(jvp.ToArray(), Is.EqualTo(new[] { 12.0, 0.0, 1.5 }));
        Assert.That(jacobian.ToArray(), Is.EqualTo(new[] { 12.0, 0, 0, 0, 3.0, 0, 0, 0, 0.75 }));
    }

    [Test]
    public void Second_order_GradCheck_passes_a_recorded_backward_and_catches_a_wrong_one()
    {
        var x = NdArray.Create([0.7, -1.3]);
        var y = NdArray.Create([1.1, 0.4]);

        var result = GradCheck.AssertSecondOrder(v => TestOps.Mul(Cube(v[0]), TestOps.Add(v[1], v[0])), x, y);

        Assert.That(result.Passed, Is.True);
        Assert.That(() => GradCheck.AssertSecondOrder(v => TestOps.WrongSecondDerivative(v[0]), x), Throws.TypeOf<GradCheckException>());
    }
}
