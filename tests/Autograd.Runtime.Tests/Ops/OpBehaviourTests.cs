using static Autograd.Runtime.Tests.Ops.OpTestSupport;
using Op = Autograd.Ops;

namespace Autograd.Runtime.Tests.Ops;

/// <summary>Tie rules, recording rules, operators and misuse messages of the built-in ops.</summary>
public class OpBehaviourTests
{
    private static Variable<double> Leaf(params double[] values) => Variable.Create(NdArray.Create(values), "x");

    [Test]
    public void Losses_over_an_empty_batch_are_NaN_like_any_mean_over_nothing()
    {
        var crossEntropy = Op.CrossEntropy(NdArray.Zeros<double>(0, 3), []);
        var squaredError = Op.MeanSquaredError(NdArray.Zeros<double>(0), NdArray.Zeros<double>(0));
        Assert.That(double.IsNaN(crossEntropy.ToScalar()) && double.IsNaN(squaredError.ToScalar()), Is.True);
    }

    [Test]
    public void A_label_array_reused_by_the_caller_after_the_forward_does_not_change_the_gradient()
    {
        var logits = Variable.Create(NdArray.Zeros<double>(2, 2));
        int[] labels = [0, 1];
        var loss = Op.CrossEntropy(logits, labels);

        labels[0] = 1; // the caller reuses its batch buffer before backward
        loss.Backward();

        // softmax is [0.5, 0.5] per row; d/dlogits = (softmax - onehot(label)) / batch
        Assert.That(logits.Grad!.ToArray(), Is.EqualTo(new[] { -0.25, 0.25, 0.25, -0.25 }));
    }

    [Test]
    public void An_axes_array_reused_by_the_caller_after_the_forward_does_not_change_the_gradient()
    {
        var x = Variable.Create(NdArray.Create([1.0, 2, 3, 4, 5, 6], 2, 3));
        int[] axes = [1];
        var rowSums = Op.Sum(x, axes);

        axes[0] = 0;
        Op.Sum(rowSums).Backward();

        Assert.That(x.Grad!.ToArray(), Is.EqualTo(Enumerable.Repeat(1.0, 6)));
    }

    [Test]
    public void Max_and_min_split_the_gradient_equally_among_tied_winners()
    {
        var x = Leaf(1, 3, 3, 2, 3);
        Op.Max(x).Backward();
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 0, 1.0 / 3, 1.0 / 3, 0, 1.0 / 3 }).Within(1e-15));

        var y = Variable.Create(NdArray.FromArray(new double[,] { { 5, 1, 1 }, { 2, 2, 7 } }));
        Op.Min(y, [1]).Backward(NdArray.Create([10.0, 4.0]));
        Assert.That(y.Grad!.ToArray(), Is.EqualTo(new[] { 0, 5.0, 5.0, 2.0, 2.0, 0 }));
    }

    [Test]
    public void Max_with_a_single_winner_routes_the_whole_gradient_to_it()
    {
        var x = Variable.Create(NdArray.FromArray(new double[,] { { 1, 9, 3 }, { 4, 0, 8 } }));
        Op.Max(x, [0], keepDims: true).Backward(NdArray.Create([1.0, 2.0, 3.0], 1, 3));
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 0, 2.0, 0, 1.0, 0, 3.0 }));
    }

    [Test]
    public void Max_and_min_over_a_NaN_route_the_gradient_to_the_NaN_and_keep_other_groups_finite()
    {
        // The result of a group holding a NaN is NaN; its gradient goes to the NaN, as an argmax would
        // pick it, instead of turning every element of the group into NaN (0 winners, so dy / 0 * 0).
        var x = Leaf(1, double.NaN, 3);
        var max = Op.Max(x);
        Assert.That(max.Value.ToScalar(), Is.NaN);
        max.Backward();
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 0.0, 1, 0 }));

        x.ZeroGrad();
        Op.Multiply(Op.Max(x), NdArray.Scalar(0.0)).Backward();
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 0.0, 0, 0 }));

        var y = Variable.Create(NdArray.FromArray(new double[,] { { 5, double.NaN, 1 }, { 2, 2, 7 } }));
        Op.Min(y, [1]).Backward(NdArray.Create([10.0, 4.0]));
        Assert.That(y.Grad!.ToArray(), Is.EqualTo(new[] { 0, 10.0, 0, 2.0, 2.0, 0 }));
    }

    [Test]
    public void Elementwise_maximum_and_minimum_split_ties_in_half()
    {
        var a = Leaf(1, 2, 3);
        var b = Leaf(3, 2, 1);
        Op.Maximum(a, b).Backward();
        Assert.That(a.Grad!.ToArray(), Is.EqualTo(new[] { 0, 0.5, 1 }));
        Assert.That(b.Grad!.ToArray(), Is.EqualTo(new[] { 1, 0.5, 0 }));

        a.ZeroGrad();
        b.ZeroGrad();
        Op.Minimum(a, b).Backward();
        Assert.That(a.Grad!.ToArray(), Is.EqualTo(new[] { 1, 0.5, 0 }));
        Assert.That(b.Grad!.ToArray(), Is.EqualTo(new[] { 0, 0.5, 1 }));
    }

    [Test]
    public void Elementwise_maximum_and_minimum_send_the_gradient_to_a_NaN_input()
    {
        // The result is NaN where either input is; the gradient must reach that NaN, not vanish on both sides.
        var a = Leaf(double.NaN, 1, double.NaN, 2);
        var b = Leaf(1, double.NaN, double.NaN, 3);
        Op.Maximum(a, b).Backward();
        Assert.That(a.Grad!.ToArray(), Is.EqualTo(new[] { 1, 0, 0.5, 0 }));
        Assert.That(b.Grad!.ToArray(), Is.EqualTo(new[] { 0, 1, 0.5, 1 }));

        a.ZeroGrad();
        b.ZeroGrad();
        Op.Minimum(a, b).Backward();
        Assert.That(a.Grad!.ToArray(), Is.EqualTo(new[] { 1, 0, 0.5, 1 }));
        Assert.That(b.Grad!.ToArray(), Is.EqualTo(new[] { 0, 1, 0.5, 0 }));
    }

    [Test]
    public void Relu_and_abs_have_zero_gradient_at_zero()
    {
        var x = Leaf(-1, 0, 2);
        Op.Add(Op.Relu(x), Op.Abs(x)).Backward();
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { -1.0, 0, 2 }));
    }

    [Test]
    public void Ops_on_arrays_record_nothing_and_constants_get_no_gradient()
    {
        NdArray<double> plain = Op.Add(NdArray.Create([1.0]), NdArray.Create([2.0]));
        Assert.That(plain.ToArray(), Is.EqualTo(new[] { 3.0 }));

        var x = Leaf(1, 2);
        var constant = NdArray.Create([3.0, 4.0]);
        var y = Op.Multiply(constant, x);
        Assert.That(y.Node!.OpName, Is.EqualTo("*"));
        y.Backward();
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 3.0, 4.0 }));

        using (Variable.NoGrad())
            Assert.That(Op.Exp(x).RequiresGrad, Is.False);
        Assert.That(Op.Exp(x.Detach()).RequiresGrad, Is.False);
    }

    [Test]
    public void Operators_compute_what_they_say_with_scalars_on_either_side()
    {
        var x = Leaf(2, 4);
        Assert.That((x + 1.0).Value.ToArray(), Is.EqualTo(new[] { 3.0, 5 }));
        Assert.That((1.0 + x).Value.ToArray(), Is.EqualTo(new[] { 3.0, 5 }));
        Assert.That((x - 1.0).Value.ToArray(), Is.EqualTo(new[] { 1.0, 3 }));
        Assert.That((1.0 - x).Value.ToArray(), Is.EqualTo(new[] { -1.0, -3 }));
        Assert.That((x * 3.0).Value.ToArray(), Is.EqualTo(new[] { 6.0, 12 }));
        Assert.That((3.0 * x).Value.ToArray(), Is.EqualTo(new[] { 6.0, 12 }));
        Assert.That((x / 2.0).Value.ToArray(), Is.EqualTo(new[] { 1.0, 2 }));
        Assert.That((8.0 / x).Value.ToArray(), Is.EqualTo(new[] { 4.0, 2 }));
        Assert.That((-x).Value.ToArray(), Is.EqualTo(new[] { -2.0, -4 }));
        Assert.That((x * x - x / x).Value.ToArray(), Is.EqualTo(new[] { 3.0, 15 }));

        var f = Variable.Create(NdArray.Create([2f, 4f]));
        Assert.That((2f * f - 1f).Value.ToArray(), Is.EqualTo(new[] { 3f, 7f }));
    }

    [Test]
    public void Transpose_with_an_empty_axes_array_reverses_the_axes_and_its_gradient_comes_back()
    {
        // The forward reads [] as "reverse", like NdArray.Transpose(); the backward must read it the same way.
        var x = Variable.Create(NdArray.Create([1.0, 2, 3, 4, 5, 6], 2, 3));
        var y = Op.Transpose(x, []);
        Assert.That(y.Shape.ToArray(), Is.EqualTo(new[] { 3, 2 }));

        Op.Sum(Op.Multiply(y, NdArray.Create([1.0, 2, 3, 4, 5, 6], 3, 2))).Backward();
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 1.0, 3, 5, 2, 4, 6 }));
    }

    [Test]
    public void Clone_is_a_tracked_copy_with_its_own_buffer()
    {
        var x = Leaf(1, 2);
        var copy = x.Clone();

        Assert.That(copy.Value, Is.Not.SameAs(x.Value));
        copy.Value[0] = 100;
        Assert.That(x.Value[0], Is.EqualTo(1));
        Assert.That(copy.IsLeaf, Is.False);
        (copy * 3.0).Backward();
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 3.0, 3.0 }));
    }

    [Test]
    public void A_polynomial_using_one_variable_many_times_sums_every_use()
    {
        // p(x) = 3x⁴ - 2x³ + x² - 5x + 7, p'(x) = 12x³ - 6x² + 2x - 5, built from repeated products.
        var x = Leaf(-1.5, 0.5, 2);
        var x2 = x * x;
        var p = 3.0 * x2 * x2 - 2.0 * x2 * x + x2 - 5.0 * x + 7.0;
        p.Backward();

        var expected = new[] { -1.5, 0.5, 2 }.Select(v => 12 * v * v * v - 6 * v * v + 2 * v - 5);
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void Misuse_errors_name_the_op_and_the_shapes()
    {
        var m = NdArray.Zeros<double>(2, 3);
        Assert.That(() => Op.MatMul(m, NdArray.Zeros<double>(2, 3)), Throws.ArgumentException.With.Message.Contains("MatMul").And.Message.Contains("[2, 3]"));
        Assert.That(() => Op.MatMul(NdArray.Zeros<double>(2, 2, 3), NdArray.Zeros<double>(3, 3, 1)), Throws.ArgumentException.With.Message.Contains("MatMul").And.Message.Contains("[3, 3, 1]"));
        Assert.That(() => Op.MatMul(m, NdArray.Scalar(1.0)), Throws.ArgumentException.With.Message.Contains("MatMul"));
        Assert.That(() => Op.CrossEntropy(m, [0]), Throws.ArgumentException.With.Message.Contains("CrossEntropy").And.Message.Contains("[2, 3]").And.Message.Contains("1 labels"));
        Assert.That(() => Op.CrossEntropy(m, [0, 3]), Throws.ArgumentException.With.Message.Contains("CrossEntropy").And.Message.Contains("label 3"));
        Assert.That(() => Op.CrossEntropy(NdArray.Zeros<double>(3), [0]), Throws.ArgumentException.With.Message.Contains("2-D"));
        Assert.That(() => Op.MeanSquaredError(m, NdArray.Zeros<double>(3)), Throws.ArgumentException.With.Message.Contains("MeanSquaredError").And.Message.Contains("[2, 3]").And.Message.Contains("[3]"));
        Assert.That(() => Op.Concat([m, NdArray.Zeros<double>(3, 2)], 0), Throws.ArgumentException.With.Message.Contains("Concat").And.Message.Contains("[3, 2]"));
        Assert.That(() => Op.Concat(Array.Empty<NdArray<double>>()), Throws.ArgumentException.With.Message.Contains("Concat"));
        Assert.That(() => Op.Stack([m, NdArray.Zeros<double>(3, 2)]), Throws.ArgumentException.With.Message.Contains("Stack").And.Message.Contains("[3, 2]"));
        Assert.That(() => Op.Dropout(m, 1.5, 0), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Dropout"));
        Assert.That(() => Op.Reshape(m, [4, 2]), Throws.ArgumentException.With.Message.Contains("Reshape").And.Message.Contains("[2, 3]"));
        Assert.That(() => Op.Sum(m, [2]), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Sum"));
        Assert.That(() => Op.Softmax(m, 5), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("[2, 3]"));
        Assert.That(() => Op.Transpose(m, [0, 0]), Throws.ArgumentException.With.Message.Contains("Transpose"));
        Assert.That(() => Op.Squeeze(m, 0), Throws.ArgumentException.With.Message.Contains("Squeeze").And.Message.Contains("[2, 3]"));
        Assert.That(() => Op.BroadcastTo(m, [3, 3]), Throws.ArgumentException.With.Message.Contains("BroadcastTo").And.Message.Contains("[2, 3]"));
        Assert.That(() => Op.Add(Variable.Create(m), Variable.Create(NdArray.Zeros<double>(2))), Throws.ArgumentException.With.Message.Contains("[2, 3]").And.Message.Contains("[2]"));
    }
}
