using Autograd.Optimizers;
using Autograd.Runtime.Tests.Engine;

namespace Autograd.Runtime.Tests.Optimizers;

/// <summary>The update formulas step by step against a reference written here, in float and double.</summary>
[TestFixture(typeof(float))]
[TestFixture(typeof(double))]
public class OptimizerUpdateTests<T>
    where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
{
    private static readonly double Tolerance = typeof(T) == typeof(float) ? 1e-5 : 1e-12;

    private static Variable<T> Parameter(params double[] values) =>
        Variable.Create(NdArray.Create(Array.ConvertAll(values, T.CreateChecked)), "p");

    private static double[] Values(Variable<T> parameter) => Array.ConvertAll(parameter.Value.ToArray(), double.CreateChecked);

    private static readonly double[] Start = [0.5, -1.5, 2.0];

    private static readonly double[][] Gradients = [[0.1, -0.2, 0.3], [-0.4, 0.5, 0.05], [0.2, 0.2, -0.7], [1.0, -1.0, 0.0]];

    private static void SetGradient(Variable<T> parameter, double[] gradient) =>
        parameter.Grad = NdArray.Create(Array.ConvertAll(gradient, T.CreateChecked));

    [TestCase(0.1, 0.0, 0.0)]
    [TestCase(0.1, 0.9, 0.0)]
    [TestCase(0.05, 0.5, 0.01)]
    public void Sgd_matches_its_update_formula(double learningRate, double momentum, double weightDecay)
    {
        var parameter = Parameter(Start);
        var optimizer = new Sgd<T>([parameter], learningRate, momentum, weightDecay);
        var p = (double[])Start.Clone();
        double[]? velocity = null;

        foreach (var gradient in Gradients)
        {
            SetGradient(parameter, gradient);
            optimizer.Step();

            var g = new double[p.Length];
            for (var i = 0; i < p.Length; i++)
                g[i] = gradient[i] + weightDecay * p[i];
            if (momentum != 0)
            {
                if (velocity is null)
                {
                    velocity = (double[])g.Clone();
                }
                else
                {
                    for (var i = 0; i < p.Length; i++)
                        velocity[i] = momentum * velocity[i] + g[i];
                }
                g = velocity;
            }
            for (var i = 0; i < p.Length; i++)
                p[i] -= learningRate * g[i];
            Assert.That(Values(parameter), Is.EqualTo(p).Within(Tolerance));
        }
        Assert.That(optimizer.StepCount, Is.EqualTo(Gradients.Length));
    }

    [TestCase(0.01, 0.9, 0.999, 1e-8, 0.0, false)]
    [TestCase(0.1, 0.5, 0.9, 1e-3, 0.0, false)]
    [TestCase(0.01, 0.9, 0.999, 1e-8, 0.1, false)]
    [TestCase(0.01, 0.9, 0.999, 1e-8, 0.1, true)]
    public void Adam_matches_its_update_formula(double learningRate, double beta1, double beta2, double epsilon, double weightDecay, bool decoupled)
    {
        var parameter = Parameter(Start);
        var optimizer = new Adam<T>([parameter], learningRate, beta1, beta2, epsilon, weightDecay, decoupled);
        var p = (double[])Start.Clone();
        var m = new double[p.Length];
        var v = new double[p.Length];

        for (var t = 1; t <= Gradients.Length; t++)
        {
            SetGradient(parameter, Gradients[t - 1]);
            optimizer.Step();

            for (var i = 0; i < p.Length; i++)
            {
                var g = Gradients[t - 1][i];
                if (decoupled)
                    p[i] *= 1 - learningRate * weightDecay;
                else
                    g += weightDecay * p[i];
                m[i] = beta1 * m[i] + (1 - beta1) * g;
                v[i] = beta2 * v[i] + (1 - beta2) * g * g;
                var mHat = m[i] / (1 - Math.Pow(beta1, t));
                var vHat = v[i] / (1 - Math.Pow(beta2, t));
                p[i] -= learningRate * mHat / (Math.Sqrt(vHat) + epsilon);
            }
            Assert.That(Values(parameter), Is.EqualTo(p).Within(Tolerance), $"step {t}");
        }
    }

    [Test]
    public void Adams_first_step_moves_each_parameter_by_the_learning_rate_against_its_gradient_sign()
    {
        var parameter = Parameter(Start);
        var optimizer = new Adam<T>([parameter], learningRate: 0.01);
        SetGradient(parameter, [3.0, -0.001, 40.0]);

        optimizer.Step();

        Assert.That(Values(parameter), Is.EqualTo(new[] { 0.49, -1.49, 1.99 }).Within(1e-5));
    }

    [Test]
    public void Parameters_without_a_gradient_are_left_alone_and_ZeroGrad_clears_every_gradient()
    {
        var a = Parameter(1, 2);
        var b = Parameter(3, 4);
        var optimizer = new Sgd<T>([a, b], learningRate: 1);
        SetGradient(a, [1, 1]);

        optimizer.Step();
        Assert.That(Values(a), Is.EqualTo(new[] { 0.0, 1.0 }));
        Assert.That(Values(b), Is.EqualTo(new[] { 3.0, 4.0 }));

        SetGradient(b, [1, 1]);
        optimizer.ZeroGrad();
        Assert.That(a.Grad, Is.Null);
        Assert.That(b.Grad, Is.Null);
    }

    [Test]
    public void The_value_is_updated_in_place_so_views_of_it_see_the_change()
    {
        var value = NdArray.Create(Array.ConvertAll(Start, T.CreateChecked));
        var parameter = Variable.Create(value);
        var optimizer = new Sgd<T>([parameter], learningRate: 1);
        SetGradient(parameter, [1, 1, 1]);

        optimizer.Step();

        Assert.That(parameter.Value, Is.SameAs(value));
        Assert.That(double.CreateChecked(value[0]), Is.EqualTo(-0.5));
    }
}

/// <summary>Convergence on convex problems and misuse errors.</summary>
public class OptimizerTests
{
    // f(x) = Σ a_i (x_i - c_i)²: minimum at c, condition number 50.
    private static readonly double[] Center = [1.0, -2.0, 0.5, 3.0];
    private static readonly double[] Curvature = [1.0, 0.2, 10.0, 3.0];

    private static Variable<double> Loss(Variable<double> x)
    {
        var shifted = TestOps.Add(x, Variable.Create(NdArray.Create(Array.ConvertAll(Center, c => -c)), requiresGrad: false));
        var weighted = TestOps.Mul(shifted, Variable.Create(NdArray.Create((double[])Curvature.Clone()), requiresGrad: false));
        return TestOps.Mul(weighted, shifted);
    }

    private static double[] Minimize(Func<Variable<double>, Optimizer<double>> create, int steps)
    {
        var x = Variable.Create(NdArray.Zeros<double>(4), "x");
        var optimizer = create(x);
        for (var step = 0; step < steps; step++)
        {
            optimizer.ZeroGrad();
            Loss(x).Backward(); // seed ones: the gradient of the sum
            optimizer.Step();
        }
        return x.Value.ToArray();
    }

    [Test]
    public void Sgd_reaches_the_minimum_of_a_convex_quadratic()
    {
        Assert.That(Minimize(x => new Sgd<double>([x], learningRate: 0.04), 1200), Is.EqualTo(Center).Within(1e-6));
    }

    [Test]
    public void Sgd_with_momentum_reaches_the_minimum_in_fewer_steps()
    {
        Assert.That(Minimize(x => new Sgd<double>([x], learningRate: 0.04), 150), Is.Not.EqualTo(Center).Within(1e-6));
        Assert.That(Minimize(x => new Sgd<double>([x], learningRate: 0.04, momentum: 0.8), 150), Is.EqualTo(Center).Within(1e-6));
    }

    [Test]
    public void Adam_reaches_the_minimum_of_a_convex_quadratic()
    {
        Assert.That(Minimize(x => new Adam<double>([x], learningRate: 0.05), 2000), Is.EqualTo(Center).Within(1e-4));
    }

    [Test]
    public void Weight_decay_moves_the_minimum_to_the_regularized_one()
    {
        // Σ a (x - c)² + (λ/2) x²  has its minimum at 2ac / (2a + λ).
        const double lambda = 0.5;
        var expected = Center.Select((c, i) => 2 * Curvature[i] * c / (2 * Curvature[i] + lambda)).ToArray();

        Assert.That(Minimize(x => new Sgd<double>([x], learningRate: 0.04, weightDecay: lambda), 1500), Is.EqualTo(expected).Within(1e-6));
    }

    [Test]
    public void Misuse_is_rejected_naming_the_optimizer_and_the_parameter()
    {
        var x = Variable.Create(NdArray.Zeros<double>(2), "x");
        var derived = TestOps.Scale(x, 2);

        Assert.That(() => new Sgd<double>([derived], 0.1), Throws.ArgumentException.With.Message.Contains("Sgd").And.Message.Contains("not a leaf"));
        Assert.That(() => new Adam<double>([x, x]), Throws.ArgumentException.With.Message.Contains("Adam").And.Message.Contains("'x'").And.Message.Contains("twice"));
        Assert.That(() => new Adam<double>([x.Detach()]), Throws.ArgumentException.With.Message.Contains("does not require grad"));
        Assert.That(() => new Sgd<double>([x], -0.1), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("learningRate"));
        Assert.That(() => new Sgd<double>([x], 0.1, momentum: 1), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("momentum"));
        Assert.That(() => new Adam<double>([x], beta2: double.NaN), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("beta2"));
    }

    [Test]
    public void A_broadcast_view_is_rejected_as_a_parameter()
    {
        // [1] broadcast to [3] is one number seen three times: an in-place step writes it three times
        // (Adam would move it by 3 * learningRate instead of learningRate).
        var bias = Variable.Create(NdArray.Create([1.0]).BroadcastTo(3), "bias");
        Assert.That(() => new Adam<double>([bias]), Throws.ArgumentException.With.Message.Contains("Adam").And.Message.Contains("'bias'").And.Message.Contains("broadcast"));
        Assert.That(() => new Sgd<double>([bias], 0.1), Throws.ArgumentException.With.Message.Contains("Sgd").And.Message.Contains("broadcast"));

        var stretchedAlongOne = Variable.Create(NdArray.Create([1.0, 2.0]).BroadcastTo(1, 2));
        Assert.That(new Sgd<double>([stretchedAlongOne], 0.1).Parameters, Has.Count.EqualTo(1), "a stride-0 axis of length 1 shares nothing");
    }

    [Test]
    public void A_learning_rate_schedule_is_held_to_the_constructors_rule()
    {
        // A schedule that produces NaN or a negative rate must fail where it is set, not turn every
        // parameter into NaN (or climb the loss) on the next Step.
        var x = Variable.Create(NdArray.Zeros<double>(2), "x");
        var sgd = new Sgd<double>([x], 0.1);
        var adam = new Adam<double>([x]);

        Assert.That(() => sgd.LearningRate = double.NaN, Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Sgd").And.Message.Contains("learningRate"));
        Assert.That(() => adam.LearningRate = -1e-3, Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Adam").And.Message.Contains("learningRate"));
        Assert.That(sgd.LearningRate, Is.EqualTo(0.1));
        adam.LearningRate = 0.5;
        Assert.That(adam.LearningRate, Is.EqualTo(0.5));
    }
}
