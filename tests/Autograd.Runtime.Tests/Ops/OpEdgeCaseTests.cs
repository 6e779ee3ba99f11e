using Op = Autograd.Ops;

namespace Autograd.Runtime.Tests.Ops;

/// <summary>
/// Built-in ops given bad or extreme input: null elements, empty axes and batches, axes out of
/// range, 0^y, and gradients through a branch not taken. Each ends in a clear exception naming the
/// public method, or in the result and gradient PyTorch gives.
/// </summary>
public class OpEdgeCaseTests
{
    private static Variable<double> Leaf(params double[] values) => Variable.Create(NdArray.Create(values), "x");

    private static IEnumerable<TestCaseData> NullElements()
    {
        var a = NdArray.Ones<double>(2);
        var v = a.ToVariable();
        yield return new TestCaseData("Concat", (Action)(() => Op.Concat([a, null!, a])));
        yield return new TestCaseData("Stack", (Action)(() => Op.Stack([a, null!, a])));
        yield return new TestCaseData("Concat", (Action)(() => Op.Concat([v, null!, v])));
        yield return new TestCaseData("Stack", (Action)(() => Op.Stack([v, null!, v])));
    }

    [TestCaseSource(nameof(NullElements))]
    public void A_null_element_is_refused_naming_the_method_and_its_index(string method, Action call)
    {
        var exception = Assert.Throws<ArgumentNullException>(call)!;
        Assert.That(exception.Message, Does.StartWith(method + ":").And.Contain("[1] is null"));
    }

    [Test]
    public void Stack_names_itself_for_an_axis_out_of_range()
    {
        var a = NdArray.Ones<double>(2, 3);
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => Op.Stack([a, a], axis: 4))!;
        Assert.That(exception.Message, Does.StartWith("Stack:").And.Contain("[2, 3]"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Op.Stack([a.ToVariable(), a.ToVariable()], axis: -4));
    }

    [Test]
    public void Concat_refuses_a_joined_axis_longer_than_an_int_naming_itself()
    {
        var half = NdArray.Zeros<float>(1).BroadcastTo(1 << 30);   // a view: no memory behind it
        var exception = Assert.Throws<ArgumentException>(() => Op.Concat([half, half]))!;
        Assert.That(exception.Message, Does.StartWith("Concat:").And.Contain("2147483648"));
    }

    [TestCase("Softmax", new[] { 2, 0 }, -1)]
    [TestCase("Softmax", new[] { 0, 0 }, 0)]
    [TestCase("LogSoftmax", new[] { 2, 0 }, 1)]
    [TestCase("LogSoftmax", new[] { 0, 3, 0 }, -1)]
    public void Softmax_over_an_empty_axis_is_empty_and_so_is_its_gradient(string name, int[] shape, int axis)
    {
        Func<Variable<double>, int, Variable<double>> op = name == "Softmax" ? Op.Softmax : Op.LogSoftmax;
        var x = NdArray.Zeros<double>(shape).ToVariable();
        var y = op(x, axis);
        Op.Sum(y).Backward();

        Assert.That(y.Value.Shape.ToArray(), Is.EqualTo(shape));
        Assert.That(x.Grad!.Shape.ToArray(), Is.EqualTo(shape));
    }

    [TestCase("Softmax")]
    [TestCase("LogSoftmax")]
    public void Softmax_names_itself_for_an_axis_out_of_range(string name)
    {
        Func<NdArray<double>, int, NdArray<double>> op = name == "Softmax" ? Op.Softmax : Op.LogSoftmax;
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => op(NdArray.Zeros<double>(2, 3), 5))!;
        Assert.That(exception.Message, Does.StartWith(name + ":").And.Contain("axis 5").And.Contain("[2, 3]"));
    }

    [Test]
    public void CrossEntropy_on_an_empty_batch_is_NaN_with_a_gradient_of_the_logits_shape()
    {
        var logits = NdArray.Zeros<double>(0, 3).ToVariable();
        var loss = Op.CrossEntropy(logits, []);
        loss.Backward();

        Assert.That(double.IsNaN(loss.Value.ToScalar()), Is.True);
        Assert.That(logits.Grad!.Shape.ToArray(), Is.EqualTo(new[] { 0, 3 }));
    }

    [Test]
    public void The_gradient_of_0_to_the_y_with_respect_to_y_is_0_for_y_at_least_0()
    {
        var x = Leaf(0, 0, 0, 2, 0);
        var y = Leaf(0, 0.5, 2, 3, -1);
        Op.Sum(Op.Pow(x, y)).Backward();

        // d/dy x^y = x^y ln x: 0 where x = 0 and y >= 0 (PyTorch), 8 ln 2 at (2, 3), and -inf at (0, -1) where 0^y = inf.
        Assert.That(y.Grad!.ToArray(), Is.EqualTo(new[] { 0, 0, 0, 8 * Math.Log(2), double.NegativeInfinity }).Within(1e-12));
    }

    [Test]
    public void A_relu_or_maximum_below_0_under_a_sqrt_has_gradient_0_not_NaN()
    {
        var relu = Leaf(-1, 4);
        Op.Sum(Op.Sqrt(Op.Relu(relu))).Backward();
        var maximum = Leaf(-1, 4);
        Op.Sum(Op.Sqrt(Op.Maximum(maximum, NdArray.Scalar(0.0)))).Backward();

        Assert.That(relu.Grad!.ToArray(), Is.EqualTo(new[] { 0, 0.25 }));
        Assert.That(maximum.Grad!.ToArray(), Is.EqualTo(new[] { 0, 0.25 }));
    }

    [TestCase(double.PositiveInfinity)]
    [TestCase(double.NaN)]
    public void A_masked_gradient_is_0_along_rows_long_enough_for_SIMD_and_under_a_broadcast_seed(double bad)
    {
        var values = Enumerable.Range(0, 37).Select(i => i % 3 == 0 ? -1.0 - i : 1.0 + i).ToArray();
        var expected = values.Select(v => v < 0 ? 0 : bad).ToArray();

        var x = Leaf(values);
        Op.Relu(x).Backward(NdArray.Full(bad, 37));         // dy and the mask both contiguous rows
        var y = Leaf(values);
        Op.Sum(Op.Relu(y)).Backward(NdArray.Scalar(bad));   // dy broadcast from a scalar (stride 0)

        Assert.That(x.Grad!.ToArray(), Is.EqualTo(expected));
        Assert.That(y.Grad!.ToArray(), Is.EqualTo(expected));
    }

    private static IEnumerable<TestCaseData> MaskedOps()
    {
        // Each op at inputs (-2, 3) and a seed of (inf, NaN) or (NaN, inf) lands on the branch not taken: its gradient there is 0.
        yield return new TestCaseData("Relu", (Func<Variable<double>, Variable<double>>)Op.Relu, 0);
        yield return new TestCaseData("LeakyRelu(0)", (Func<Variable<double>, Variable<double>>)(x => Op.LeakyRelu(x, 0)), 0);
        yield return new TestCaseData("Maximum", (Func<Variable<double>, Variable<double>>)(x => Op.Maximum(x, NdArray.Scalar(0.0))), 0);
        yield return new TestCaseData("Maximum, second input", (Func<Variable<double>, Variable<double>>)(x => Op.Maximum(NdArray.Create([1.0, 1.0]), x)), 0);
        yield return new TestCaseData("Minimum", (Func<Variable<double>, Variable<double>>)(x => Op.Minimum(x, NdArray.Scalar(0.0))), 1);
        yield return new TestCaseData("Max over an axis", (Func<Variable<double>, Variable<double>>)(x => Op.BroadcastTo(Op.Max(x, [0], keepDims: true), [2])), 0);
        yield return new TestCaseData("Min over an axis", (Func<Variable<double>, Variable<double>>)(x => Op.BroadcastTo(Op.Min(x, [0], keepDims: true), [2])), 1);
        yield return new TestCaseData("Abs at 0", (Func<Variable<double>, Variable<double>>)(x => Op.Abs(Op.Multiply(x, NdArray.Create([0.0, 1.0])))), 0);
        yield return new TestCaseData("Pow with exponent 0", (Func<Variable<double>, Variable<double>>)(x => Op.Pow(x, NdArray.Create([0.0, 2.0]))), 0);
        yield return new TestCaseData("PowScalar 0", (Func<Variable<double>, Variable<double>>)(x => Op.Multiply(Op.PowScalar(x, 0.0), NdArray.Create([1.0, 0.0]))), 0);
        yield return new TestCaseData("Dropout(1)", (Func<Variable<double>, Variable<double>>)(x => Op.Dropout(x, 1.0, seed: 1)), 0);
    }

    [TestCaseSource(nameof(MaskedOps))]
    public void A_gradient_masked_by_a_branch_is_exactly_0_even_for_an_infinite_or_NaN_incoming_gradient(string name, Func<Variable<double>, Variable<double>> op, int masked)
    {
        foreach (var bad in new[] { double.PositiveInfinity, double.NaN })
        {
            var x = Leaf(-2, 3);
            var seed = new double[2];
            seed[masked] = bad;
            seed[1 - masked] = 1;
            op(x).Backward(NdArray.Create(seed));

            Assert.That(x.Grad![masked], Is.EqualTo(0.0), $"{name}: a seed of {bad} on the element whose branch is not taken");
        }
    }
}
