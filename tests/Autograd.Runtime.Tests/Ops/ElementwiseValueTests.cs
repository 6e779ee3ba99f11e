using System.Numerics;
using static Autograd.Runtime.Tests.Ops.OpTestSupport;

namespace Autograd.Runtime.Tests.Ops;

/// <summary>Elementwise ops' values in float and double, on random broadcast shapes and strided layouts, against plain-loop references.</summary>
[TestFixture(typeof(float))]
[TestFixture(typeof(double))]
public class ElementwiseValueTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private sealed record BinaryCase(Func<NdArray<T>, NdArray<T>, NdArray<T>> Op, Func<double, double, double> Reference, double Low, double High, bool PositiveRight = false);

    private static readonly Dictionary<string, BinaryCase> Binary = new()
    {
        ["Add"] = new((a, b) => Autograd.Ops.Add(a, b), (x, y) => x + y, -3, 3),
        ["Subtract"] = new((a, b) => Autograd.Ops.Subtract(a, b), (x, y) => x - y, -3, 3),
        ["Multiply"] = new((a, b) => Autograd.Ops.Multiply(a, b), (x, y) => x * y, -3, 3),
        ["Divide"] = new((a, b) => Autograd.Ops.Divide(a, b), (x, y) => x / y, 0.5, 3, PositiveRight: true),
        ["Pow"] = new((a, b) => Autograd.Ops.Pow(a, b), Math.Pow, 0.2, 2.5),
        ["Maximum"] = new((a, b) => Autograd.Ops.Maximum(a, b), Math.Max, -3, 3),
        ["Minimum"] = new((a, b) => Autograd.Ops.Minimum(a, b), Math.Min, -3, 3),
    };

    private sealed record UnaryCase(Func<NdArray<T>, NdArray<T>> Op, Func<double, double> Reference, double Low, double High);

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static readonly Dictionary<string, UnaryCase> Unary = new()
    {
        ["Negate"] = new(x => Autograd.Ops.Negate(x), x => -x, -3, 3),
        ["Copy"] = new(x => Autograd.Ops.Copy(x), x => x, -3, 3),
        ["Exp"] = new(x => Autograd.Ops.Exp(x), Math.Exp, -3, 3),
        ["Log"] = new(x => Autograd.Ops.Log(x), Math.Log, 0.1, 5),
        ["Sqrt"] = new(x => Autograd.Ops.Sqrt(x), Math.Sqrt, 0.1, 5),
        ["Abs"] = new(x => Autograd.Ops.Abs(x), Math.Abs, -3, 3),
        ["Sin"] = new(x => Autograd.Ops.Sin(x), Math.Sin, -3, 3),
        ["Cos"] = new(x => Autograd.Ops.Cos(x), Math.Cos, -3, 3),
        ["Tanh"] = new(x => Autograd.Ops.Tanh(x), Math.Tanh, -3, 3),
        ["Sigmoid"] = new(x => Autograd.Ops.Sigmoid(x), Sigmoid, -6, 6),
        ["Relu"] = new(x => Autograd.Ops.Relu(x), x => Math.Max(x, 0), -3, 3),
        ["LeakyRelu"] = new(x => Autograd.Ops.LeakyRelu(x), x => x > 0 ? x : 0.01 * x, -3, 3),
        ["LeakyRelu(0.2)"] = new(x => Autograd.Ops.LeakyRelu(x, 0.2), x => x > 0 ? x : 0.2 * x, -3, 3),
        ["Softplus"] = new(x => Autograd.Ops.Softplus(x), x => Math.Log(1 + Math.Exp(x)), -6, 6),
        ["PowScalar(3)"] = new(x => Autograd.Ops.PowScalar(x, T.CreateChecked(3)), x => x * x * x, -2, 2),
        ["PowScalar(-0.5)"] = new(x => Autograd.Ops.PowScalar(x, T.CreateChecked(-0.5)), x => Math.Pow(x, -0.5), 0.2, 3),
    };

    private static IEnumerable<TestCaseData> BinaryCases() =>
        from name in Binary.Keys from seed in Seeds(6) from layout in Layouts select new TestCaseData(name, seed, layout);

    private static IEnumerable<TestCaseData> UnaryCases() =>
        from name in Unary.Keys from seed in Seeds(3) from layout in Layouts select new TestCaseData(name, seed, layout);

    [TestCaseSource(nameof(BinaryCases))]
    public void Binary_op_matches_its_reference_with_broadcasting(string name, int seed, string layout)
    {
        var op = Binary[name];
        var (shapeA, shapeB) = BroadcastPair(seed);
        var a = Uniform(seed, op.Low, op.High, shapeA);
        var b = Uniform(seed + 100, op.PositiveRight ? op.Low : op.Low, op.High, shapeB);
        var (expected, shape) = Elementwise(Rounded<T>(a), Rounded<T>(b), op.Reference);

        var actual = op.Op(Layout(Cast<T>(a), layout), Layout(Cast<T>(b), layout));

        AssertValues(actual, expected, shape, message: $"{name} {ShapeText.Of(shapeA)} {ShapeText.Of(shapeB)}");
    }

    [TestCaseSource(nameof(UnaryCases))]
    public void Unary_op_matches_its_reference(string name, int seed, string layout)
    {
        var op = Unary[name];
        var shape = new Random(seed).Next(0, 3) switch { 0 => new[] { 7 }, 1 => new[] { 3, 4 }, _ => new[] { 2, 3, 2 } };
        var x = Rounded<T>(Uniform(seed, op.Low, op.High, shape));

        var actual = op.Op(Layout(Cast<T>(x), layout));

        AssertValues(actual, x.ToArray().Select(op.Reference).ToArray(), shape, message: name);
    }

    [Test]
    public void The_strided_layouts_really_are_strided()
    {
        var x = Cast<T>(Uniform(1, 0, 1, 3, 4));
        Assert.That(Layout(x, "transposed").IsContiguous, Is.False);
        Assert.That(Layout(x, "sliced").IsContiguous, Is.False);
        Assert.That(Doubles(Layout(x, "transposed")), Is.EqualTo(Doubles(x)));
        Assert.That(Doubles(Layout(x, "sliced")), Is.EqualTo(Doubles(x)));
    }

    [Test]
    public void Incompatible_shapes_name_the_op_and_both_shapes()
    {
        var a = NdArray.Zeros<T>(2, 3);
        var b = NdArray.Zeros<T>(4);
        Assert.That(() => Autograd.Ops.Add(a, b), Throws.ArgumentException.With.Message.Contains("Add").And.Message.Contains("[2, 3]").And.Message.Contains("[4]"));
        Assert.That(() => Autograd.Ops.Maximum(a, b), Throws.ArgumentException.With.Message.Contains("Maximum").And.Message.Contains("[2, 3]"));
    }
}
