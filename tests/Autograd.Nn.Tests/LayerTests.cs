using static Autograd.Nn.Tests.Support;

namespace Autograd.Nn.Tests;

public class LayerTests
{
    [Test]
    public void Linear_computes_x_times_W_transposed_plus_b()
    {
        var layer = new Linear<double>(3, 2, random: new Random(1));
        var w = layer.Weight.Value.ToArray();
        var b = layer.Bias!.Value.ToArray();
        var x = Uniform(2, 4, 3).ToArray();

        var y = layer.Forward(NdArray.Create(x, 4, 3));

        var expected = new double[8];
        for (var n = 0; n < 4; n++)
        {
            for (var o = 0; o < 2; o++)
                expected[n * 2 + o] = b[o] + x[n * 3] * w[o * 3] + x[n * 3 + 1] * w[o * 3 + 1] + x[n * 3 + 2] * w[o * 3 + 2];
        }
        AssertClose(y.Value, expected, [4, 2]);
    }

    [Test]
    public void Linear_defaults_to_PyTorch_initialization_within_one_over_root_fan_in()
    {
        var layer = new Linear<double>(400, 300, random: new Random(2));
        var bound = 1 / Math.Sqrt(400);
        Assert.That(layer.Weight.Shape.ToArray(), Is.EqualTo(new[] { 300, 400 }));
        Assert.That(layer.Weight.Value.ToArray().Max(Math.Abs), Is.LessThanOrEqualTo(bound).And.GreaterThan(0.99 * bound));
        Assert.That(layer.Bias!.Value.ToArray().Max(Math.Abs), Is.LessThanOrEqualTo(bound).And.GreaterThan(0.9 * bound));
        Assert.That(new Linear<double>(400, 300, random: new Random(2)).Weight.Value.ToArray(), Is.EqualTo(layer.Weight.Value.ToArray()), "seeded");
    }

    [Test]
    public void Linear_gradients_match_finite_differences()
    {
        var layer = new Linear<double>(3, 2, random: new Random(3));
        var x = Uniform(4, 5, 3);
        var mix = Uniform(5, 5, 2);
        GradCheck.Assert(v => layer.Forward(v[0]) * mix, x);
        AssertParameterGradients(layer, () => Ops.Sum(layer.Forward(x) * mix));
    }

    [Test]
    public void Linear_names_a_wrong_input_width() =>
        Assert.That(() => new Linear<double>(3, 2).Forward(NdArray.Zeros<double>(4, 5)),
            Throws.ArgumentException.With.Message.Contains("Linear.Forward: the input has shape [4, 5]; its last axis must have length 3 (the weight is [2, 3])"));

    [Test]
    public void Embedding_looks_up_rows_and_only_those_get_gradients()
    {
        var table = new Embedding<double>(5, 3, new Random(6));
        var rows = table.Weight.Value.ToArray();

        var y = table.Forward([4, 1, 4]);

        AssertClose(y.Value, [.. rows[12..15], .. rows[3..6], .. rows[12..15]], [3, 3]);
        Ops.Sum(y).Backward();
        AssertClose(table.Weight.Grad!, [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 2, 2, 2], [5, 3]);
        var mix = Uniform(15, 3, 3);
        AssertParameterGradients(table, () => Ops.Sum(table.Forward([4, 1, 4]) * mix));
        Assert.That(StandardDeviation(new Embedding<double>(100, 100, new Random(7)).Weight.Value.ToArray()), Is.EqualTo(1).Within(3).Percent);
    }

    [Test]
    public void LayerNorm_normalizes_the_last_axes_and_its_gradients_match_finite_differences()
    {
        var norm = new LayerNorm<double>([2, 3]);
        var x = Uniform(8, 2, 2, 3);
        var data = x.ToArray();

        var y = norm.Forward(x).Value.ToArray();

        for (var n = 0; n < 2; n++)
        {
            var row = data[(n * 6)..(n * 6 + 6)];
            var mean = row.Average();
            var variance = row.Sum(v => (v - mean) * (v - mean)) / 6;
            for (var i = 0; i < 6; i++)
                Assert.That(y[n * 6 + i], Is.EqualTo((row[i] - mean) / Math.Sqrt(variance + 1e-5)).Within(1e-12));
        }

        // Move weight and bias off ones and zeros so their gradients are exercised at a general point.
        using (Variable.NoGrad())
        {
            NdArray.Copy(Uniform(9, 2, 3), norm.Weight!.Value);
            NdArray.Copy(Uniform(10, 2, 3), norm.Bias!.Value);
        }
        var mix = Uniform(11, 2, 2, 3);
        GradCheck.Assert(v => norm.Forward(v[0]) * mix, x);
        AssertParameterGradients(norm, () => Ops.Sum(norm.Forward(x) * mix));
    }

    [Test]
    public void LayerNorm_names_a_wrong_input_shape() =>
        Assert.That(() => new LayerNorm<double>([3]).Forward(NdArray.Zeros<double>(2, 4)),
            Throws.ArgumentException.With.Message.Contains("LayerNorm.Forward: the input has shape [2, 4]; its last axes must be [3]"));

    [Test]
    public void Flatten_keeps_the_batch_axis_and_passes_the_gradient_back()
    {
        var x = Uniform(12, 2, 3, 2, 2);
        var y = new Flatten<double>().Forward(x);
        AssertClose(y.Value, x.ToArray(), [2, 12]);
        Assert.That(new Flatten<double>(0).Forward(x).Shape.ToArray(), Is.EqualTo(new[] { 24 }));
        GradCheck.Assert(v => new Flatten<double>().Forward(v[0]) * Uniform(13, 2, 12), x);
    }

    [Test]
    public void Dropout_layer_scales_kept_elements_in_training_and_is_the_identity_in_evaluation()
    {
        var dropout = new Dropout<double>(0.25, new Random(14));
        var x = NdArray.Ones<double>(40, 40);
        var values = dropout.Forward(x).Value.ToArray();
        Assert.That(values.Count(v => v == 0), Is.InRange(300, 500));
        Assert.That(values.Where(v => v != 0), Has.All.EqualTo(1 / 0.75).Within(1e-12));
        Assert.That(dropout.Forward(x).Value.ToArray(), Is.Not.EqualTo(values), "a fresh mask per call");
        dropout.Eval();
        Assert.That(dropout.Forward(x).Value.ToArray(), Has.All.EqualTo(1.0));
    }
}
