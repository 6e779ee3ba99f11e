using Op = Autograd.Ops;

namespace Autograd.Runtime.Tests.Arrays;

/// <summary>
/// Bad input at the edges of what an array can be (element counts past an int, zero-length axes,
/// absurd ranks, rank 0, extreme slice steps): each ends in a clear exception naming the public
/// method and the shape, or in a correct result; never an overflow, a wrong shape or a stack overflow.
/// </summary>
public class EdgeCaseTests
{
    private static readonly string Limit = Array.MaxLength.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static IEnumerable<TestCaseData> OversizedCreations()
    {
        int[] shape = [100000, 100000];
        yield return new TestCaseData("Zeros", (Action)(() => NdArray.Zeros<float>(shape)));
        yield return new TestCaseData("Ones", (Action)(() => NdArray.Ones<float>(shape)));
        yield return new TestCaseData("Full", (Action)(() => NdArray.Full(2f, shape)));
        yield return new TestCaseData("RandomNormal", (Action)(() => NdArray.RandomNormal<float>(1, shape)));
        yield return new TestCaseData("RandomUniform", (Action)(() => NdArray.RandomUniform(1, 0f, 1f, shape)));
        yield return new TestCaseData("BroadcastTo", (Action)(() => NdArray.Zeros<float>(1).BroadcastTo(shape)));
        yield return new TestCaseData("Reshape", (Action)(() => NdArray.Zeros<float>(4).Reshape(100000, 100000, -1)));
        yield return new TestCaseData("Add", (Action)(() => NdArray.Add(NdArray.Zeros<float>(100000, 1), NdArray.Zeros<float>(1, 100000))));
        yield return new TestCaseData("Sum", (Action)(() => NdArray.Sum(NdArray.Zeros<float>(100000, 100000, 0), [2])));
        yield return new TestCaseData("MatMul", (Action)(() => NdArray.MatMul(NdArray.Zeros<float>(100000, 1, 1, 1), NdArray.Zeros<float>(1, 100000, 1, 1))));
    }

    [TestCaseSource(nameof(OversizedCreations))]
    public void An_element_count_past_the_limit_is_refused_naming_the_method_the_shape_and_the_limit(string method, Action create)
    {
        var exception = Assert.Throws<ArgumentException>(create)!;
        Assert.That(exception.Message, Does.StartWith(method + ":").And.Contain("100000, ").And.Contain(Limit));
    }

    [Test]
    public void A_reshape_whose_lengths_wrap_around_an_int_to_the_right_count_is_refused()
    {
        // 65536 * 65536 wraps to 0 in 32-bit arithmetic: the count of an empty array.
        var exception = Assert.Throws<ArgumentException>(() => NdArray.Zeros<float>(0).Reshape(65536, 65536, 1))!;
        Assert.That(exception.Message, Does.StartWith("Reshape:").And.Contain("[65536, 65536, 1]"));
    }

    [TestCase(new[] { 65536, 65536, 0 }, new[] { 65536, 1, 1 })]
    [TestCase(new[] { 0, 100000, 100000 }, new[] { 0, 100000, 1 })]
    [TestCase(new[] { 100000, 0, 100000, 100000 }, new[] { 0, 0, 100000, 1 })]
    public void A_zero_length_axis_makes_an_empty_array_however_long_the_others(int[] shape, int[] strides)
    {
        var empty = NdArray.Zeros<float>(shape);

        Assert.That(empty.Shape.ToArray(), Is.EqualTo(shape));
        Assert.That(empty.Length, Is.Zero);
        Assert.That(empty.Strides.ToArray(), Is.EqualTo(strides), "numpy's strides where they fit in an int, 0 where they would overflow");
        Assert.That(empty.ToArray(), Is.Empty);
        Assert.That(NdArray.Ones<float>(shape).Length, Is.Zero);
        Assert.That(NdArray.Zeros<float>(0).Reshape(shape).Shape.ToArray(), Is.EqualTo(shape));
        Assert.That(NdArray.Sum(NdArray.Exp(empty)).ToScalar(), Is.Zero);
    }

    [Test]
    public void An_empty_array_with_billions_of_empty_rows_prints_elided()
    {
        var text = NdArray.Zeros<float>(100000, 100000, 0).ToString();

        Assert.That(text, Does.StartWith("[[[],").And.Contain("...").And.EndWith("[]]]"));
        Assert.That(text, Has.Length.LessThan(1000), "3 rows, ..., 3 rows of each axis");
    }

    private static int[] Ones(int count) => Enumerable.Repeat(1, count).ToArray();

    private static IEnumerable<TestCaseData> RankRaisers()
    {
        var tooMany = Ones(NdArray.MaxRank + 1);
        var full = NdArray.Zeros<float>(Ones(NdArray.MaxRank));
        yield return new TestCaseData("Zeros", (Action)(() => NdArray.Zeros<float>(Ones(100000))));
        yield return new TestCaseData("Create", (Action)(() => NdArray.Create([1f], tooMany)));
        yield return new TestCaseData("Full", (Action)(() => NdArray.Full(1f, tooMany)));
        yield return new TestCaseData("RandomNormal", (Action)(() => NdArray.RandomNormal<float>(1, tooMany)));
        yield return new TestCaseData("Reshape", (Action)(() => NdArray.Zeros<float>(1).Reshape(tooMany)));
        yield return new TestCaseData("BroadcastTo", (Action)(() => NdArray.Zeros<float>(1).BroadcastTo(tooMany)));
        yield return new TestCaseData("Unsqueeze", (Action)(() => full.Unsqueeze(0)));
        yield return new TestCaseData("Stack", (Action)(() => Op.Stack([full, full])));
    }

    [TestCaseSource(nameof(RankRaisers))]
    public void More_than_64_axes_are_refused_at_creation_naming_the_method_and_the_limit(string method, Action create)
    {
        var exception = Assert.Throws<ArgumentException>(create)!;
        Assert.That(exception.Message, Does.StartWith(method + ":").And.Contain("64 axes"));
        Assert.That(exception.Message, Has.Length.LessThan(1000), "a shape of 100,000 axes is not printed in full");
    }

    [Test]
    public void The_limit_is_64_axes_which_work_in_ToString_kernels_and_MatMul()
    {
        var deep = NdArray.Full(2.0, Ones(64));

        Assert.That(deep.ToString(), Is.EqualTo(new string('[', 64) + "2" + new string(']', 64)));
        Assert.That(NdArray.Add(deep, deep).ToArray(), Is.EqualTo(new[] { 4.0 }));
        Assert.That(NdArray.MatMul(deep, deep).ToArray(), Is.EqualTo(new[] { 4.0 }));
        Assert.Throws<ArgumentException>(() => NdArray.Full(2.0, Ones(65)));
    }

    [Test]
    public void Create_with_an_empty_shape_makes_a_rank_0_array()
    {
        var scalar = NdArray.Create([2.5], []);

        Assert.That(scalar.Rank, Is.Zero);
        Assert.That(scalar.ToScalar(), Is.EqualTo(2.5));
        Assert.That(scalar.ToString(), Is.EqualTo("2.5"));
        Assert.That(NdArray.Create([1.0, 2.0]).Shape.ToArray(), Is.EqualTo(new[] { 2 }), "without a shape the data is 1-D");
        var wrongCount = Assert.Throws<ArgumentException>(() => NdArray.Create([1.0, 2.0], []))!;
        Assert.That(wrongCount.Message, Does.StartWith("Create:").And.Contain("[]").And.Contain("has 2"));
    }

    [Test]
    public void Ops_and_backward_work_on_a_rank_0_array_made_by_Create()
    {
        var x = NdArray.Create([2.0], []).ToVariable();
        var y = Op.Multiply(Op.Exp(x), x);   // x e^x, derivative (1 + x) e^x
        y.Backward();

        Assert.That(y.Value.Rank, Is.Zero);
        Assert.That(x.Grad!.Rank, Is.Zero);
        Assert.That(x.Grad.ToScalar(), Is.EqualTo(3 * Math.Exp(2)).Within(1e-12));
    }

    [TestCase(0, 3, int.MaxValue, new[] { 0.0 })]
    [TestCase(2, -1, int.MinValue, new[] { 2.0 })]
    [TestCase(2, -1, -int.MaxValue, new[] { 2.0 })]
    [TestCase(2, 0, int.MinValue, new[] { 2.0 })]
    public void A_slice_with_a_huge_step_takes_one_element(int start, int stop, int step, double[] expected)
    {
        var slice = NdArray.Arange<double>(3).Slice(0, start, stop, step);

        Assert.That(slice.Shape.ToArray(), Is.EqualTo(new[] { 1 }));
        Assert.That(slice.ToArray(), Is.EqualTo(expected));
    }

    [Test]
    public void RandomUniform_with_bounds_that_are_not_finite_is_refused_naming_the_method()
    {
        var infinite = Assert.Throws<ArgumentOutOfRangeException>(() => NdArray.RandomUniform(1, double.NegativeInfinity, double.PositiveInfinity, 2))!;
        Assert.That(infinite.Message, Does.StartWith("RandomUniform:").And.Contain("[2]"));
        Assert.Throws<ArgumentOutOfRangeException>(() => NdArray.RandomUniform(1, 0.0, double.NaN, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => NdArray.RandomUniform(1, -float.MaxValue, float.MaxValue, 2));
    }
}
