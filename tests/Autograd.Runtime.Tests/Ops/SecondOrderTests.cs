using AutogradOps = Autograd.Ops;

namespace Autograd.Runtime.Tests.Ops;

/// <summary>
/// Second derivatives of the built-in ops with a recorded backward, against finite differences of
/// their gradients in double (GradCheck's second-order form), on broadcast and strided inputs;
/// third derivatives of a few; Hessians, HVPs and JVPs of composites; gradient penalties and a
/// MAML-style inner step.
/// </summary>
public class SecondOrderTests
{
    private static NdArray<double> Positive(int seed, params int[] shape) => NdArray.RandomUniform<double>(seed, 0.5, 1.5, shape);

    private static IEnumerable<TestCaseData> Cases()
    {
        TestCaseData Case(string name, Func<Variable<double>[], Variable<double>> f, params int[][] shapes) =>
            new TestCaseData(f, shapes).SetArgDisplayNames(name);
        yield return Case("Add, broadcast", v => v[0] * v[0] + v[1], [2, 3], [3]);
        yield return Case("Subtract, broadcast", v => (v[0] - v[1]) * v[0], [2, 3], [1, 3]);
        yield return Case("Multiply, broadcast", v => AutogradOps.Multiply(v[0], v[1]), [2, 3], [2, 1]);
        yield return Case("Divide, broadcast", v => AutogradOps.Divide(v[0], v[1]), [2, 3], [3]);
        yield return Case("Negate", v => -(v[0] * v[0]), [4]);
        yield return Case("Copy", v => AutogradOps.Copy(v[0]) * v[0], [4]);
        yield return Case("PowScalar", v => AutogradOps.PowScalar(v[0], 3.5), [2, 2]);
        yield return Case("Exp", v => AutogradOps.Exp(v[0]), [3]);
        yield return Case("Log", v => AutogradOps.Log(v[0]), [3]);
        yield return Case("Sqrt", v => AutogradOps.Sqrt(v[0]), [3]);
        yield return Case("Sin", v => AutogradOps.Sin(v[0]), [3]);
        yield return Case("Cos", v => AutogradOps.Cos(v[0]), [3]);
        yield return Case("Tanh", v => AutogradOps.Tanh(v[0]), [3]);
        yield return Case("Sigmoid", v => AutogradOps.Sigmoid(v[0]), [3]);
        yield return Case("Sum over an axis", v => AutogradOps.Sum(v[0] * v[0], [1]), [2, 3]);
        yield return Case("Mean, keepDims", v => AutogradOps.Mean(v[0] * v[0], [0], keepDims: true), [2, 3]);
        yield return Case("Reshape", v => AutogradOps.Reshape(v[0] * v[0], [3, 2]), [2, 3]);
        yield return Case("Transpose (strided view)", v => AutogradOps.Transpose(v[0]) * AutogradOps.Transpose(v[0]), [2, 3]);
        yield return Case("Transposed batch (strided) through MatMul", v => AutogradOps.Sin(AutogradOps.MatMul(AutogradOps.Transpose(v[0], [0, 2, 1]), v[1])), [2, 3, 2], [3, 3]);
        yield return Case("BroadcastTo", v => AutogradOps.BroadcastTo(v[0], [2, 3]) * v[1], [3], [2, 3]);
        yield return Case("Squeeze/Unsqueeze", v => AutogradOps.Squeeze(AutogradOps.Unsqueeze(v[0], 0) * v[0], 0), [3]);
        yield return Case("Concat (variadic)", v => AutogradOps.Sin(AutogradOps.Concat([v[0] * v[0], AutogradOps.Exp(v[1]), v[1] * v[0].Sum([1], keepDims: true)], axis: 1)), [2, 3], [2, 2]);
        yield return Case("Stack (variadic)", v => AutogradOps.Tanh(AutogradOps.Stack([AutogradOps.Sin(v[0]), v[0] * v[1]], axis: -1)), [2, 3], [2, 3]);
        yield return Case("MatMul", v => AutogradOps.MatMul(v[0], v[1]) * AutogradOps.MatMul(v[0], v[1]), [2, 3], [3, 2]);
        yield return Case("MatMul, batched and broadcast", v => AutogradOps.Tanh(AutogradOps.MatMul(v[0], v[1])), [2, 2, 3], [3, 2]);
        yield return Case("MatMul, vector-matrix", v => AutogradOps.Sin(AutogradOps.MatMul(v[0], v[1])), [3], [3, 2]);
        yield return Case("MatMul, matrix-vector", v => AutogradOps.Sin(AutogradOps.MatMul(v[0], v[1])), [2, 3], [3]);
        yield return Case("Softmax", v => AutogradOps.Softmax(v[0], axis: -1), [2, 3]);
        yield return Case("LogSoftmax", v => AutogradOps.LogSoftmax(v[0], axis: 0), [3, 2]);
        yield return Case("MeanSquaredError", v => AutogradOps.MeanSquaredError(v[0] * v[0], v[1]), [2, 3], [2, 3]);
        yield return Case("CrossEntropy", v => AutogradOps.CrossEntropy(v[0] * v[0], [2, 0]), [2, 3]);
        // The piecewise ops: inputs in [0.5, 1.5], shifted by 1 where a kink at 0 should be crossed.
        yield return Case("Pow, broadcast", v => AutogradOps.Pow(v[0], v[1]), [2, 3], [3]);
        yield return Case("Pow, strided base", v => AutogradOps.Pow(AutogradOps.Transpose(v[0]), v[1]), [2, 3], [3, 1]);
        yield return Case("Maximum, broadcast", v => AutogradOps.Maximum(v[0] * v[0], v[1]), [2, 3], [3]);
        yield return Case("Minimum, broadcast and strided", v => AutogradOps.Minimum(AutogradOps.Transpose(v[0]) * v[1], v[1] * v[1]), [2, 3], [3, 1]);
        yield return Case("Abs across 0", v => AutogradOps.Abs(v[0] - 1.0) * v[0], [2, 3]);
        yield return Case("Relu across 0, strided", v => AutogradOps.Relu(AutogradOps.Transpose(v[0]) - 1.0) * AutogradOps.Transpose(v[0]), [2, 3]);
        yield return Case("LeakyRelu across 0, broadcast", v => AutogradOps.LeakyRelu(v[0] - v[1], 0.2) * v[0], [2, 3], [3]);
        yield return Case("Softplus", v => AutogradOps.Softplus(v[0] * v[1]), [2, 3], [3]);
        yield return Case("Max over an axis, strided and broadcast", v => AutogradOps.Max(AutogradOps.Transpose(v[0]) * v[1], [0]), [2, 3], [3, 1]);
        yield return Case("Min over all, keepDims", v => AutogradOps.Min(v[0] * v[0], keepDims: true), [2, 3]);
        yield return Case("Slice with a step", v => AutogradOps.Slice(v[0] * v[0], 1, 0, 3, 2), [2, 3]);
        yield return Case("Slice of a strided view", v => AutogradOps.Slice(AutogradOps.Transpose(v[0]), 0, 1, 3) * v[1], [2, 3], [1, 2]);
        yield return Case("SliceAdd, broadcast source", v => AutogradOps.SliceAdd(v[0] * v[0], AutogradOps.BroadcastTo(v[1], [2, 2]) * v[1], 1, 1, 3), [2, 3], [2]);
        yield return Case("IndexSelect with repeats", v => AutogradOps.IndexSelect(v[0] * v[0], 1, [2, 0, 2]), [2, 3]);
        yield return Case("IndexSelect of a strided view", v => AutogradOps.IndexSelect(AutogradOps.Transpose(v[0]), 0, [1, 1]) * v[1], [2, 3], [2]);
        yield return Case("IndexAdd with repeats", v => AutogradOps.IndexAdd(v[0] * v[0], v[1] * v[1], 0, [1, 1]), [2, 3], [2, 3]);
        yield return Case("Dropout", v => AutogradOps.Dropout(v[0] * v[1], 0.5, seed: 1), [2, 3], [3]);
        yield return Case("Gate, broadcast", v => AutogradOps.Gate(v[0] * v[0], v[1] * v[1]), [2, 3], [3]);
    }

    [TestCaseSource(nameof(Cases))]
    public void Second_derivatives_match_finite_differences_of_the_gradient(Func<Variable<double>[], Variable<double>> function, int[][] shapes)
    {
        var inputs = shapes.Select((shape, i) => Positive(10 + i, shape)).ToArray();

        GradCheck.AssertSecondOrder(function, new GradCheckOptions { RelativeTolerance = 1e-4, AbsoluteTolerance = 1e-6 }, inputs);
    }

    private static IEnumerable<TestCaseData> EdgeCases()
    {
        TestCaseData Case(string name, Func<Variable<double>[], Variable<double>> f, params NdArray<double>[] inputs) =>
            new TestCaseData(f, inputs).SetArgDisplayNames(name);
        // Each sends an infinite gradient (√ at 0) into a branch not taken, whose gradient is exactly 0.
        yield return Case("Sqrt(Relu(x)) at x ≤ 0", v => AutogradOps.Sqrt(AutogradOps.Relu(v[0])), NdArray.Create([-1.0, 0.0, 4.0]));
        yield return Case("Sqrt(Abs(x)) at 0", v => AutogradOps.Sqrt(AutogradOps.Abs(v[0])), NdArray.Create([0.0, -4.0]));
        yield return Case("Sqrt(Maximum(x, 0)) below 0", v => AutogradOps.Maximum(v[0], NdArray.Create([0.0])).Sqrt(), NdArray.Create([-1.0, 4.0]));
        yield return Case("Sqrt(Dropout(x)) where dropped", v => AutogradOps.Sqrt(AutogradOps.Dropout(v[0] * v[0], 0.5, seed: 3)), NdArray.Create([1.0, 2.0, 3.0, 4.0]));
        yield return Case("Pow(x, y) at 0⁰", v => AutogradOps.Pow(v[0], v[1]), NdArray.Create([0.0, 2.0]), NdArray.Create([0.0, 3.0]));
    }

    [TestCaseSource(nameof(EdgeCases))]
    public void A_recorded_backward_gives_the_array_backwards_gradient_with_its_exact_zeros(Func<Variable<double>[], Variable<double>> function, NdArray<double>[] inputs)
    {
        var x = inputs.Select(i => i.ToVariable()).ToArray();
        var output = AutogradOps.Sum(function(x));

        var plain = Variable.Gradients(output, x);
        var recorded = Variable.Gradients(output, x, createGraph: true);

        for (var i = 0; i < x.Length; i++)
        {
            Assert.That(recorded[i].Value.ToArray().Any(double.IsNaN), Is.False, $"input {i}: {recorded[i].Value}");
            Assert.That(recorded[i].Value.ToArray(), Is.EqualTo(plain[i].Value.ToArray()), $"input {i}");
        }
    }

    private static double Third(Func<Variable<double>, Variable<double>> f, double at)
    {
        var x = NdArray.Create([at]).ToVariable("x");
        var first = Variable.Gradients(AutogradOps.Sum(f(x)), [x], createGraph: true)[0];
        var second = Variable.Gradients(AutogradOps.Sum(first), [x], createGraph: true)[0];
        return Variable.Gradients(AutogradOps.Sum(second), [x])[0].Value[0];
    }

    [Test]
    public void Third_derivatives_of_cube_sin_exp_and_tanh()
    {
        const double at = 0.7;
        var t = Math.Tanh(at);

        Assert.That(Third(x => AutogradOps.PowScalar(x, 3.0), at), Is.EqualTo(6.0).Within(1e-12));
        Assert.That(Third(x => x * x * x, at), Is.EqualTo(6.0).Within(1e-12));
        Assert.That(Third(AutogradOps.Sin, at), Is.EqualTo(-Math.Cos(at)).Within(1e-12));
        Assert.That(Third(AutogradOps.Exp, at), Is.EqualTo(Math.Exp(at)).Within(1e-12));
        Assert.That(Third(AutogradOps.Tanh, at), Is.EqualTo(-2 * (1 - t * t) * (1 - 3 * t * t)).Within(1e-12));
    }

    [Test]
    public void Third_derivatives_of_softplus_pow_and_relu()
    {
        const double at = 0.7;
        var s = 1 / (1 + Math.Exp(-at));
        var power = NdArray.Create([2.5]);

        Assert.That(Third(AutogradOps.Softplus, at), Is.EqualTo(s * (1 - s) * (1 - 2 * s)).Within(1e-12), "the third derivative of softplus is σ(1 - σ)(1 - 2σ)");
        Assert.That(Third(x => AutogradOps.Pow(x, power), at), Is.EqualTo(2.5 * 1.5 * 0.5 * Math.Pow(at, -0.5)).Within(1e-12), "d³/dx³ x^2.5");
        Assert.That(Third(x => AutogradOps.Pow(power, x), at), Is.EqualTo(Math.Pow(2.5, at) * Math.Pow(Math.Log(2.5), 3)).Within(1e-12), "d³/dx³ 2.5^x");
        Assert.That(Third(x => AutogradOps.Relu(x) * x * x * x, at), Is.EqualTo(24 * at).Within(1e-12), "d³/dx³ x⁴ where x > 0");
    }

    [Test]
    public void The_Hessian_of_a_quadratic_form_is_A_plus_A_transposed()
    {
        var a = NdArray.RandomNormal<double>(3, 3, 3);
        var hessian = Functional.Hessian(x => AutogradOps.Sum(x * AutogradOps.MatMul(a, x)), NdArray.RandomNormal<double>(4, 3));

        var expected = NdArray.Add(a, a.Transpose());
        Assert.That(hessian.ToArray(), Is.EqualTo(expected.ToArray()).Within(1e-12));
    }

    private static readonly NdArray<double> OutputLayer = NdArray.RandomNormal<double>(17, 3, 2);

    private static Variable<double> MlpLoss(Variable<double> hiddenLayer, NdArray<double> x) =>
        AutogradOps.CrossEntropy(AutogradOps.MatMul(AutogradOps.Tanh(AutogradOps.MatMul(x, hiddenLayer)), OutputLayer), [1, 0, 1]);

    [Test]
    public void Hessian_vector_products_of_an_MLP_loss_match_finite_differences_of_its_gradient()
    {
        var x = NdArray.RandomNormal<double>(5, 3, 4);
        var weights = NdArray.RandomNormal<double>(6, 4, 3);
        var direction = NdArray.RandomNormal<double>(7, 4, 3);
        NdArray<double> Gradient(NdArray<double> at)
        {
            var w = at.ToVariable("w");
            return Variable.Gradients(MlpLoss(w, x), [w])[0].Value;
        }
        const double h = 1e-5;

        var hvp = Functional.Hvp(w => MlpLoss(w, x), weights, direction);

        var numeric = NdArray.Divide(
            NdArray.Subtract(Gradient(NdArray.Add(weights, NdArray.Multiply(direction, h))), Gradient(NdArray.Subtract(weights, NdArray.Multiply(direction, h)))),
            2 * h);
        Assert.That(hvp.ToArray(), Is.EqualTo(numeric.ToArray()).Within(1e-6));
    }

    [Test]
    public void Jacobian_vector_products_match_finite_differences_of_the_function()
    {
        var w = NdArray.RandomNormal<double>(8, 3, 2);
        Variable<double> F(Variable<double> x) => AutogradOps.Softmax(AutogradOps.MatMul(AutogradOps.Tanh(x), w), axis: -1);
        var x = NdArray.RandomNormal<double>(9, 4, 3);
        var direction = NdArray.RandomNormal<double>(10, 4, 3);
        NdArray<double> Value(NdArray<double> at)
        {
            using (Variable.NoGrad())
                return F(at.ToVariable(requiresGrad: false)).Value;
        }
        const double h = 1e-6;

        var jvp = Functional.Jvp(F, x, direction);

        var numeric = NdArray.Divide(NdArray.Subtract(Value(NdArray.Add(x, NdArray.Multiply(direction, h))), Value(NdArray.Subtract(x, NdArray.Multiply(direction, h)))), 2 * h);
        Assert.That(jvp.ToArray(), Is.EqualTo(numeric.ToArray()).Within(1e-7));
        Assert.That(Functional.Jacobian(F, x).Shape.ToArray(), Is.EqualTo(new[] { 4, 2, 4, 3 }));
    }

    [Test]
    public void A_gradient_penalty_backpropagates_to_the_weights_as_finite_differences_say()
    {
        // WGAN-GP style: the critic's input gradient norm, squared, as a loss on the critic's weights.
        var x = NdArray.RandomNormal<double>(11, 3, 4);
        Variable<double> Penalty(Variable<double> w)
        {
            using var recording = Variable.EnableGrad(); // GradCheck evaluates the function under NoGrad too
            var input = x.Clone().ToVariable("x");
            var critic = AutogradOps.Sum(AutogradOps.Tanh(AutogradOps.MatMul(input, w)));
            var slope = Variable.Gradients(critic, [input], createGraph: w.RequiresGrad)[0];
            return AutogradOps.Sum(slope * slope);
        }

        GradCheck.Assert(v => Penalty(v[0]), NdArray.RandomNormal<double>(12, 4, 2));
    }

    [Test]
    public void The_gradient_through_one_inner_SGD_step_matches_finite_differences()
    {
        // MAML: adapt w on a training batch with one SGD step, evaluate on another, differentiate through the step.
        var train = NdArray.RandomNormal<double>(13, 4, 3);
        var validation = NdArray.RandomNormal<double>(14, 4, 3);
        var target = NdArray.RandomNormal<double>(15, 4, 2);
        Variable<double> MetaLoss(Variable<double> w)
        {
            using var recording = Variable.EnableGrad(); // GradCheck evaluates the function under NoGrad too
            var weights = w.RequiresGrad ? w : w.Value.Clone().ToVariable("w");
            var inner = AutogradOps.MeanSquaredError(AutogradOps.Tanh(AutogradOps.MatMul(train, weights)), target);
            var step = Variable.Gradients(inner, [weights], createGraph: w.RequiresGrad)[0];
            var adapted = weights - step * 0.5;
            return AutogradOps.MeanSquaredError(AutogradOps.Tanh(AutogradOps.MatMul(validation, adapted)), target);
        }

        GradCheck.Assert(v => MetaLoss(v[0]), NdArray.RandomNormal<double>(16, 3, 2));
    }
}
