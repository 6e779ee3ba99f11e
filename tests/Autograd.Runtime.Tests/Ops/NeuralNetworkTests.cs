using System.Numerics;
using static Autograd.Runtime.Tests.Ops.OpTestSupport;
using Op = Autograd.Ops;

namespace Autograd.Runtime.Tests.Ops;

/// <summary>Softmax, log-softmax, losses and dropout in float and double: values against references, and numerical stability.</summary>
[TestFixture(typeof(float))]
[TestFixture(typeof(double))]
public class NeuralNetworkTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static T V(double value) => T.CreateChecked(value);

    private static void AssertFinite<TItem>(IEnumerable<TItem> values, string what)
        where TItem : IFloatingPoint<TItem> =>
        Assert.That(values.All(TItem.IsFinite), Is.True, $"{what}: {string.Join(", ", values)}");

    [TestCase(0, "contiguous")]
    [TestCase(-1, "transposed")]
    [TestCase(1, "sliced")]
    public void Softmax_and_log_softmax_match_their_definitions(int axis, string layout)
    {
        var x = Rounded<T>(Uniform(1, -3, 3, 3, 4));
        var data = x.ToArray();
        int[] shape = [3, 4];
        var along = axis < 0 ? 1 : axis;
        double Normalizer(int[] i) => Enumerable.Range(0, shape[along]).Sum(j =>
        {
            var k = (int[])i.Clone();
            k[along] = j;
            return Math.Exp(At(data, shape, k));
        });

        var softmax = Op.Softmax(Layout(Cast<T>(x), layout), axis);
        var logSoftmax = Op.LogSoftmax(Layout(Cast<T>(x), layout), axis);

        AssertValues(softmax, Indices(shape).Select(i => Math.Exp(At(data, shape, i)) / Normalizer(i)).ToArray(), shape);
        AssertValues(logSoftmax, Indices(shape).Select(i => At(data, shape, i) - Math.Log(Normalizer(i))).ToArray(), shape, tolerance: 5 * Tolerance<T>());
    }

    [Test]
    public void Losses_match_their_definitions()
    {
        var prediction = Rounded<T>(Uniform(2, -2, 2, 3, 4));
        var target = Rounded<T>(Uniform(3, -2, 2, 3, 4));
        var mse = prediction.ToArray().Zip(target.ToArray(), (p, t) => (p - t) * (p - t)).Average();
        AssertValues(Op.MeanSquaredError(Cast<T>(prediction), Layout(Cast<T>(target), "transposed")), [mse], []);

        var logits = Rounded<T>(Uniform(4, -3, 3, 3, 4));
        int[] labels = [2, 0, 3];
        var rows = Enumerable.Range(0, 3).Select(i => Enumerable.Range(0, 4).Select(j => logits[i, j]).ToArray()).ToArray();
        var crossEntropy = rows.Select((row, i) => Math.Log(row.Sum(Math.Exp)) - row[labels[i]]).Average();
        AssertValues(Op.CrossEntropy(Layout(Cast<T>(logits), "sliced"), labels), [crossEntropy], [], tolerance: 5 * Tolerance<T>());
    }

    [Test]
    public void Dropout_zeroes_about_p_of_the_elements_scales_the_rest_and_is_reproducible_from_its_seed()
    {
        var x = NdArray.Ones<T>(100, 100);

        var y = Op.Dropout(x, 0.3, seed: 42, out var mask);
        var again = Op.Dropout(x, 0.3, seed: 42);
        var other = Op.Dropout(x, 0.3, seed: 43);

        var values = Doubles(y);
        var zeros = values.Count(v => v == 0);
        Assert.That(zeros, Is.InRange(2700, 3300));
        Assert.That(values.Where(v => v != 0), Has.All.EqualTo(1 / 0.7).Within(1e-6));
        Assert.That(Doubles(mask), Is.EqualTo(values));
        Assert.That(Doubles(again), Is.EqualTo(values));
        Assert.That(Doubles(other), Is.Not.EqualTo(values));
        Assert.That(Doubles(Op.Dropout(x, 0.0, seed: 1)), Has.All.EqualTo(1.0));
        Assert.That(Doubles(Op.Dropout(x, 1.0, seed: 1)), Has.All.EqualTo(0.0));
    }

    [Test]
    public void Dropout_backward_uses_the_saved_mask()
    {
        var x = Variable.Create(Cast<T>(Uniform(5, -1, 1, 6, 7)));
        var y = Op.Dropout(x, 0.5, seed: 7);
        Op.Dropout(x.Value, 0.5, seed: 7, out var mask);

        y.Backward();

        Assert.That(Doubles(x.Grad!), Is.EqualTo(Doubles(mask)));
    }

    [TestCase(100)]
    [TestCase(-100)]
    public void Sigmoid_is_finite_at_the_tails_with_finite_gradients(double at)
    {
        var x = Variable.Create(NdArray.Full(V(at), 3));
        var y = Op.Sigmoid(x);
        y.Backward();

        AssertFinite(Doubles(y.Value), "value");
        AssertFinite(Doubles(x.Grad!), "gradient");
        Assert.That(Doubles(y.Value), Has.All.EqualTo(at > 0 ? 1.0 : 0.0).Within(1e-30));
        Assert.That(Doubles(x.Grad!), Has.All.EqualTo(0.0).Within(1e-30));
    }

    [TestCase(1000)]
    [TestCase(-1000)]
    [TestCase(80)]
    public void Softplus_is_finite_for_large_inputs_with_finite_gradients(double at)
    {
        var x = Variable.Create(NdArray.Full(V(at), 2));
        var y = Op.Softplus(x);
        y.Backward();

        AssertFinite(Doubles(y.Value), "value");
        AssertFinite(Doubles(x.Grad!), "gradient");
        Assert.That(Doubles(y.Value), Has.All.EqualTo(Math.Max(at, 0)).Within(1e-6));
        Assert.That(Doubles(x.Grad!), Has.All.EqualTo(at > 0 ? 1.0 : 0.0).Within(1e-6));
    }

    [Test]
    public void Log_softmax_softmax_and_cross_entropy_are_finite_at_logits_of_plus_minus_1000()
    {
        var logits = NdArray.Create([V(1000), V(-1000), V(0), V(999), V(-1000), V(1000), V(1000), V(-999)], 2, 4);
        var x = Variable.Create(logits);

        var logSoftmax = Op.LogSoftmax(x);
        var softmax = Op.Softmax(x);
        var loss = Op.CrossEntropy(x, [1, 0]);
        var total = Op.Sum(Op.Multiply(logSoftmax, NdArray.Create([V(0.1), V(0.2), V(0.3), V(0.4), V(0.5), V(0.6), V(0.7), V(0.8)], 2, 4)));
        total.Backward();
        var logSoftmaxGrad = Doubles(x.Grad!);
        x.ZeroGrad();
        loss.Backward();

        AssertFinite(Doubles(logSoftmax.Value), "log-softmax");
        AssertFinite(Doubles(softmax.Value), "softmax");
        AssertFinite(logSoftmaxGrad, "log-softmax gradient");
        AssertFinite(Doubles(x.Grad!), "cross-entropy gradient");
        Assert.That(Doubles(logSoftmax.Value)[1], Is.EqualTo(-2000 - Math.Log(1 + Math.Exp(-1))).Within(1e-3));
        Assert.That(Doubles(logSoftmax.Value)[0], Is.EqualTo(-Math.Log(1 + Math.Exp(-1))).Within(1e-5));
        Assert.That(Doubles(loss.Value)[0], Is.EqualTo((2000 + Math.Log(1 + Math.Exp(-1)) + 2000 + Math.Log(2)) / 2).Within(1e-2));
        Assert.That(Doubles(x.Grad!)[1], Is.EqualTo(-0.5).Within(1e-6), "the true class at -1000 gets (p - 1) / batch");
    }
}
