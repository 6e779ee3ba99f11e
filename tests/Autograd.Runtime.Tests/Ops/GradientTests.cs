using static Autograd.Runtime.Tests.Ops.OpTestSupport;
using Op = Autograd.Ops;

namespace Autograd.Runtime.Tests.Ops;

/// <summary>Every op's gradient against finite differences (GradCheck, double), on random shapes, broadcasting and strided inputs.</summary>
public class GradientTests
{
    private static void Check(Func<Variable<double>[], Variable<double>> function, params NdArray<double>[] inputs)
    {
        var result = GradCheck.Check(function, inputs);
        Assert.That(result.Passed, Is.True, result.ToString());
    }

    /// <summary>Checks a unary function on a logical input in every layout.</summary>
    private static void CheckLayouts(Func<Variable<double>, Variable<double>> op, NdArray<double> input, string layout) =>
        Check(v => op(StridedInputs.View(v[0], layout)), StridedInputs.Leaf(input, layout));

    private static readonly Dictionary<string, (Func<Variable<double>, Variable<double>, Variable<double>> Op, double Low, double High)> Binary = new()
    {
        ["Add"] = ((a, b) => Op.Add(a, b), -2, 2),
        ["Subtract"] = ((a, b) => Op.Subtract(a, b), -2, 2),
        ["Multiply"] = ((a, b) => Op.Multiply(a, b), -2, 2),
        ["Divide"] = ((a, b) => Op.Divide(a, b), 0.5, 2),
        ["Pow"] = ((a, b) => Op.Pow(a, b), 0.5, 2),
        ["Maximum"] = ((a, b) => Op.Maximum(a, b), -2, 2),
        ["Minimum"] = ((a, b) => Op.Minimum(a, b), -2, 2),
    };

    private static IEnumerable<TestCaseData> BinaryCases() =>
        from name in Binary.Keys from seed in Seeds(5) from layout in Layouts select new TestCaseData(name, seed, layout);

    [TestCaseSource(nameof(BinaryCases))]
    public void Binary_op_gradients_with_broadcasting(string name, int seed, string layout)
    {
        var (op, low, high) = Binary[name];
        var (shapeA, shapeB) = BroadcastPair(seed);
        var a = Uniform(seed, low, high, shapeA);
        var b = Uniform(seed + 50, low, high, shapeB);

        Check(
            v => op(StridedInputs.View(v[0], layout), StridedInputs.View(v[1], layout)),
            StridedInputs.Leaf(a, layout), StridedInputs.Leaf(b, layout, seed: 7));
    }

    private static readonly Dictionary<string, (Func<Variable<double>, Variable<double>> Op, Func<int, int[], NdArray<double>> Input)> Unary = new()
    {
        ["Negate"] = (x => Op.Negate(x), (s, shape) => Uniform(s, -2, 2, shape)),
        ["Copy"] = (x => Op.Copy(x), (s, shape) => Uniform(s, -2, 2, shape)),
        ["Clone"] = (x => x.Clone(), (s, shape) => Uniform(s, -2, 2, shape)),
        ["Exp"] = (x => Op.Exp(x), (s, shape) => Uniform(s, -2, 2, shape)),
        ["Log"] = (x => Op.Log(x), (s, shape) => Uniform(s, 0.2, 3, shape)),
        ["Sqrt"] = (x => Op.Sqrt(x), (s, shape) => Uniform(s, 0.2, 3, shape)),
        ["Abs"] = (x => Op.Abs(x), (s, shape) => AwayFromZero(s, 2, 0.1, shape)),
        ["Sin"] = (x => Op.Sin(x), (s, shape) => Uniform(s, -3, 3, shape)),
        ["Cos"] = (x => Op.Cos(x), (s, shape) => Uniform(s, -3, 3, shape)),
        ["Tanh"] = (x => Op.Tanh(x), (s, shape) => Uniform(s, -2, 2, shape)),
        ["Sigmoid"] = (x => Op.Sigmoid(x), (s, shape) => Uniform(s, -4, 4, shape)),
        ["Relu"] = (x => Op.Relu(x), (s, shape) => AwayFromZero(s, 2, 0.1, shape)),
        ["LeakyRelu"] = (x => Op.LeakyRelu(x, 0.1), (s, shape) => AwayFromZero(s, 2, 0.1, shape)),
        ["Softplus"] = (x => Op.Softplus(x), (s, shape) => Uniform(s, -4, 4, shape)),
        ["PowScalar(3)"] = (x => Op.PowScalar(x, 3.0), (s, shape) => Uniform(s, -2, 2, shape)),
        ["PowScalar(-1.5)"] = (x => Op.PowScalar(x, -1.5), (s, shape) => Uniform(s, 0.5, 2, shape)),
        ["PowScalar(0)"] = (x => Op.PowScalar(x, 0.0), (s, shape) => Uniform(s, -2, 2, shape)),
    };

    private static IEnumerable<TestCaseData> UnaryCases() =>
        from name in Unary.Keys from layout in Layouts select new TestCaseData(name, layout);

    [TestCaseSource(nameof(UnaryCases))]
    public void Unary_op_gradients(string name, string layout)
    {
        var (op, input) = Unary[name];
        CheckLayouts(op, input(name.Length, [3, 4]), layout);
    }

    [TestCaseSource(typeof(OpTestSupport), nameof(OpTestSupport.ReductionCases))]
    public void Reduction_gradients(string name, string? axesText, bool keepDims, string layout)
    {
        var axes = axesText?.Split(',').Select(int.Parse).ToArray();
        Func<Variable<double>, Variable<double>> op = name switch
        {
            "Sum" => x => Op.Sum(x, axes, keepDims),
            "Mean" => x => Op.Mean(x, axes, keepDims),
            "Max" => x => Op.Max(x, axes, keepDims),
            _ => x => Op.Min(x, axes, keepDims),
        };
        CheckLayouts(op, Uniform(3, -2, 2, 2, 3, 4), layout);
    }

    private static IEnumerable<TestCaseData> MatMulCases()
    {
        int[][][] pairs =
        [
            [[3, 4], [4, 2]],
            [[3, 4], [4]],
            [[4], [4, 2]],
            [[4], [4]],
            [[2, 3, 4], [4, 5]],
            [[3, 4], [2, 4, 5]],
            [[2, 1, 3, 4], [5, 4, 2]],
            [[2, 3, 4], [4]],
            [[4], [2, 4, 3]],
        ];
        return from pair in pairs from layout in Layouts select new TestCaseData(pair[0], pair[1], layout);
    }

    [TestCaseSource(nameof(MatMulCases))]
    public void MatMul_gradients(int[] shapeA, int[] shapeB, string layout)
    {
        Check(
            v => Op.MatMul(StridedInputs.View(v[0], layout), StridedInputs.View(v[1], layout)),
            StridedInputs.Leaf(Uniform(1, -1, 1, shapeA), layout), StridedInputs.Leaf(Uniform(2, -1, 1, shapeB), layout, seed: 5));
    }

    [TestCase("contiguous")]
    [TestCase("transposed")]
    [TestCase("sliced")]
    public void Shape_op_gradients(string layout)
    {
        var x = Uniform(4, -2, 2, 2, 3, 4);
        CheckLayouts(v => Op.Reshape(v, [4, -1]), x, layout);
        CheckLayouts(v => Op.Transpose(v), x, layout);
        CheckLayouts(v => Op.Transpose(v, [1, 2, 0]), x, layout);
        CheckLayouts(v => Op.Transpose(v, [0, -1, 1]), x, layout);
        CheckLayouts(v => Op.Slice(v, 1, 0, 2), x, layout);
        CheckLayouts(v => Op.Slice(v, 2, 1, 4, 2), x, layout);
        CheckLayouts(v => Op.Slice(v, -1, 3, -1, -2), x, layout);
        CheckLayouts(v => Op.Unsqueeze(v, 1), x, layout);
        CheckLayouts(v => Op.Squeeze(Op.Slice(v, 1, 1, 2), 1), x, layout);
        CheckLayouts(v => Op.BroadcastTo(Op.Slice(v, 1, 1, 2), [5, 2, 3, 4]), x, layout);
    }

    [Test]
    public void Slicing_overlapping_parts_of_one_variable_sums_both_gradients()
    {
        Check(v => Op.Multiply(Op.Slice(v[0], 0, 0, 3), Op.Slice(v[0], 0, 1, 4)), Uniform(5, -2, 2, 4, 2));
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(-1)]
    public void Concat_gradients(int axis)
    {
        var a = Uniform(6, -2, 2, 2, 3);
        var b = Uniform(7, -2, 2, axis == 0 ? 4 : 2, axis == 0 ? 3 : 1);
        var c = Uniform(8, -2, 2, 2, 3);
        Check(v => Op.Sin(Op.Concat([v[0], v[1], v[2], v[0]], axis)), a, b, c);
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(-1)]
    public void Stack_gradients(int axis)
    {
        Check(v => Op.Sin(Op.Stack([v[0], v[1], Op.Transpose(v[2])], axis)), Uniform(9, -2, 2, 2, 3), Uniform(10, -2, 2, 2, 3), Uniform(11, -2, 2, 3, 2));
    }

    [Test]
    public void Concat_with_a_constant_input_differentiates_only_the_variables()
    {
        var constant = Uniform(12, -1, 1, 2, 2).ToVariable(requiresGrad: false);
        Check(v => Op.Exp(Op.Concat([constant, v[0]], 1)), Uniform(13, -1, 1, 2, 3));
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(-1)]
    public void Softmax_and_log_softmax_gradients(int axis)
    {
        var x = Uniform(14, -3, 3, 3, 4);
        var weights = Uniform(15, -1, 1, 3, 4);
        // Weighted, so the check does not reduce to the sum of softmax (which is constant).
        Check(v => Op.Multiply(Op.Softmax(v[0], axis), weights), x);
        Check(v => Op.Multiply(Op.LogSoftmax(v[0], axis), weights), x);
        foreach (var layout in Layouts)
            CheckLayouts(v => Op.Multiply(Op.Softmax(v, axis), weights), x, layout);
    }

    [Test]
    public void Loss_gradients()
    {
        Check(v => Op.MeanSquaredError(v[0], v[1]), Uniform(16, -2, 2, 3, 4), Uniform(17, -2, 2, 3, 4));
        Check(v => Op.CrossEntropy(v[0], [2, 0, 3]), Uniform(18, -3, 3, 3, 4));
        Check(v => Op.CrossEntropy(Op.Transpose(v[0]), [1, 1, 0, 2]), Uniform(19, -3, 3, 3, 4));
    }

    [Test]
    public void Dropout_gradient_is_the_mask()
    {
        Check(v => Op.Dropout(v[0], 0.4, seed: 3), Uniform(20, -2, 2, 4, 5));
    }

    [Test]
    public void Operator_gradients_including_scalars_on_either_side()
    {
        Check(
            v => (2.0 * v[0] + v[1] * v[0] - 1.0) / (v[1] * v[1] + 1.0) - (-v[0]) / 3.0 + (1.5 - v[1]) * v[0].Clone() + 1.0 / (v[0] * v[0] + 2.0),
            Uniform(21, -2, 2, 3, 2), Uniform(22, -2, 2, 2));
        var constant = Uniform(23, 1, 2, 3, 2);
        Check(v => (v[0] + constant) * (constant - v[0]) / constant + constant / (v[0] + 3.0) - v[0] * constant, Uniform(24, -1, 1, 3, 2));
    }
}
