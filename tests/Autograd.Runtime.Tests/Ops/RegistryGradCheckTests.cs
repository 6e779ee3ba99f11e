using Autograd.Registry;
using static Autograd.Runtime.Tests.Ops.OpTestSupport;
using Op = Autograd.Ops;

namespace Autograd.Runtime.Tests.Ops;

/// <summary>
/// Every [DifferentiableOp] the generator finds in the runtime passes GradCheck, through the registry
/// where the op can be called with array inputs only, else through a call giving its other arguments.
/// A new built-in without an entry here fails this test, so none goes unchecked.
/// </summary>
public class RegistryGradCheckTests
{
    private static readonly NdArray<double> Signed = Uniform(1, -2, 2, 3, 4);
    private static readonly NdArray<double> Positive = Uniform(2, 0.3, 2, 3, 4);
    private static readonly NdArray<double> AwayFromKinks = AwayFromZero(3, 2, 0.1, 3, 4);
    private static readonly NdArray<double> Row = Uniform(4, 0.3, 2, 4);

    /// <summary>Inputs per op (registry call), or a whole function with its inputs where the op needs more arguments.</summary>
    private static readonly Dictionary<string, (Func<Variable<double>[], Variable<double>>? Function, NdArray<double>[] Inputs)> Cases = new()
    {
        ["Add"] = (null, [Signed, Row]),
        ["Subtract"] = (null, [Signed, Row]),
        ["Multiply"] = (null, [Signed, Row]),
        ["Divide"] = (null, [Signed, Row]),
        ["Negate"] = (null, [Signed]),
        ["Copy"] = (null, [Signed]),
        ["Pow"] = (null, [Positive, Signed]),
        ["PowScalar"] = (v => Op.PowScalar(v[0], 2.5), [Positive]),
        ["Maximum"] = (null, [Signed, Uniform(5, -2, 2, 3, 4)]),
        ["Minimum"] = (null, [Signed, Uniform(6, -2, 2, 3, 4)]),
        ["Exp"] = (null, [Signed]),
        ["Log"] = (null, [Positive]),
        ["Sqrt"] = (null, [Positive]),
        ["Abs"] = (null, [AwayFromKinks]),
        ["Sin"] = (null, [Signed]),
        ["Cos"] = (null, [Signed]),
        ["Tanh"] = (null, [Signed]),
        ["Sigmoid"] = (null, [Signed]),
        ["Relu"] = (null, [AwayFromKinks]),
        ["LeakyRelu"] = (null, [AwayFromKinks]),
        ["Softplus"] = (null, [Signed]),
        ["Sum"] = (null, [Signed]),
        ["Mean"] = (null, [Signed]),
        ["Max"] = (null, [Signed]),
        ["Min"] = (null, [Signed]),
        ["MatMul"] = (null, [Signed, Uniform(7, -1, 1, 4, 2)]),
        ["Reshape"] = (v => Op.Reshape(v[0], [2, 6]), [Signed]),
        ["Transpose"] = (null, [Signed]),
        ["Slice"] = (v => Op.Slice(v[0], 1, 1, 4, 2), [Signed]),
        ["BroadcastTo"] = (v => Op.BroadcastTo(v[0], [2, 3, 4]), [Signed]),
        ["Squeeze"] = (v => Op.Squeeze(v[0], 1), [Uniform(8, -1, 1, 3, 1, 2)]),
        ["Unsqueeze"] = (v => Op.Unsqueeze(v[0], 0), [Signed]),
        ["Concat"] = (null, [Signed, Uniform(14, -2, 2, 2, 4)]),   // the registry passes two elements to a variadic input
        ["Stack"] = (null, [Signed, Uniform(15, -2, 2, 3, 4)]),
        ["Softmax"] = (v => Op.Softmax(v[0]) * Uniform(9, -1, 1, 3, 4), [Signed]),
        ["LogSoftmax"] = (v => Op.LogSoftmax(v[0]) * Uniform(10, -1, 1, 3, 4), [Signed]),
        ["MeanSquaredError"] = (null, [Signed, Uniform(11, -2, 2, 3, 4)]),
        ["CrossEntropy"] = (v => Op.CrossEntropy(v[0], [3, 0, 1]), [Signed]),
        ["Dropout"] = (v => Op.Dropout(v[0], 0.5, seed: 1), [Signed]),
        ["IndexSelect"] = (v => Op.IndexSelect(v[0], 1, [3, 0, 3, 3]), [Signed]),
        ["IndexAdd"] = (v => Op.IndexAdd(v[0], v[1], 1, [3, 0, 3]), [Signed, Uniform(14, -1, 1, 3, 3)]),
        ["SliceAdd"] = (v => Op.SliceAdd(v[0], v[1], 1, 1, 4, 2), [Signed, Uniform(15, -1, 1, 3, 2)]),
        ["Gate"] = (null, [Signed, Row]),
    };

    private static IEnumerable<TestCaseData> RegisteredOps() =>
        Autograd.Runtime.DifferentiableOpRegistry.All.Select(op => new TestCaseData(op).SetArgDisplayNames(op.MethodName));

    [TestCaseSource(nameof(RegisteredOps))]
    public void Registered_op_passes_GradCheck(OpInfo op)
    {
        Assert.That(Cases.TryGetValue(op.MethodName, out var entry), Is.True, $"{op} has no GradCheck case here; add one.");
        Assert.That(entry.Inputs, Has.Length.EqualTo(op.InputCount), $"{op}: one input per array parameter");
        var function = entry.Function ?? (v => op.Invoke(v));
        if (entry.Function is null)
            Assert.That(op.SupportsDouble && op.SupportsSingle, Is.True, $"{op} should be callable from the registry in float and double");

        var result = GradCheck.Check(function, entry.Inputs);

        Assert.That(result.Passed, Is.True, $"{op}: {result}");
    }

    /// <summary>Every built-in has a recorded backward, and its second derivatives match finite differences of its gradient.</summary>
    [TestCaseSource(nameof(RegisteredOps))]
    public void Registered_op_is_differentiable_twice_and_passes_the_second_order_GradCheck(OpInfo op)
    {
        Assert.That(op.IsDifferentiableTwice, Is.True, $"{op} has no recorded backward");
        var (function, inputs) = Cases[op.MethodName];

        var result = GradCheck.CheckSecondOrder(function ?? (v => op.Invoke(v)), GradCheckOptions.Default, inputs);

        Assert.That(result.Passed, Is.True, $"{op}: {result}");
    }

    /// <summary>The ops that need arguments besides their arrays, called on float variables the same way as in <see cref="Cases"/>.</summary>
    private static readonly Dictionary<string, Func<Variable<float>[], Variable<float>>> SingleFunctions = new()
    {
        ["PowScalar"] = v => Op.PowScalar(v[0], 2.5f),
        ["Reshape"] = v => Op.Reshape(v[0], [2, 6]),
        ["Slice"] = v => Op.Slice(v[0], 1, 1, 4, 2),
        ["BroadcastTo"] = v => Op.BroadcastTo(v[0], [2, 3, 4]),
        ["Squeeze"] = v => Op.Squeeze(v[0], 1),
        ["Unsqueeze"] = v => Op.Unsqueeze(v[0], 0),
        ["Softmax"] = v => Op.Softmax(v[0]) * Cast<float>(Uniform(9, -1, 1, 3, 4)),
        ["LogSoftmax"] = v => Op.LogSoftmax(v[0]) * Cast<float>(Uniform(10, -1, 1, 3, 4)),
        ["CrossEntropy"] = v => Op.CrossEntropy(v[0], [3, 0, 1]),
        ["Dropout"] = v => Op.Dropout(v[0], 0.5, seed: 1),
        ["IndexSelect"] = v => Op.IndexSelect(v[0], 1, [3, 0, 3, 3]),
        ["IndexAdd"] = v => Op.IndexAdd(v[0], v[1], 1, [3, 0, 3]),
        ["SliceAdd"] = v => Op.SliceAdd(v[0], v[1], 1, 1, 4, 2),
    };

    /// <summary>GradCheck runs in double; this checks that the float backward gives the same gradients (to float precision).</summary>
    [TestCaseSource(nameof(RegisteredOps))]
    public void Registered_op_gradients_in_float_match_those_in_double(OpInfo op)
    {
        var (doubleFunction, inputs) = Cases[op.MethodName];
        var singleFunction = SingleFunctions.GetValueOrDefault(op.MethodName) ?? (v => op.Invoke(v));
        doubleFunction ??= v => op.Invoke(v);
        var doubles = inputs.Select(x => Variable.Create(Rounded<float>(x))).ToArray();
        var singles = inputs.Select(x => Variable.Create(Cast<float>(x))).ToArray();
        var doubleOutput = doubleFunction(doubles);
        var singleOutput = singleFunction(singles);
        var seed = Uniform(12, -1, 1, doubleOutput.Shape.ToArray());

        doubleOutput.Backward(seed);
        singleOutput.Backward(Cast<float>(seed));

        AssertValues(singleOutput.Value, doubleOutput.Value.ToArray(), doubleOutput.Shape.ToArray(), tolerance: 1e-5, message: $"{op} value");
        for (var i = 0; i < inputs.Length; i++)
            AssertValues(singles[i].Grad!, doubles[i].Grad!.ToArray(), inputs[i].Shape.ToArray(), tolerance: 1e-5, message: $"{op} gradient {i}");
    }

    /// <summary>
    /// A backward may not write into what it was handed: the output gradient (which is the root's
    /// <c>Grad</c>, or another input's pending gradient) and the values saved for a second pass.
    /// </summary>
    [TestCaseSource(nameof(RegisteredOps))]
    public void Registered_op_backward_leaves_its_gradient_and_saved_values_untouched(OpInfo op)
    {
        var (function, inputs) = Cases[op.MethodName];
        function ??= v => op.Invoke(v);
        var leaves = inputs.Select(x => Variable.Create(x.Clone())).ToArray();
        var output = function(leaves);
        var value = output.Value.ToArray();
        var seed = Uniform(13, -1, 1, output.Shape.ToArray());

        output.Backward(seed);
        var first = leaves.Select(leaf => leaf.Grad!.ToArray()).ToArray();
        Assert.That(output.Grad!.ToArray(), Is.EqualTo(seed.ToArray()), $"{op}: the output gradient was written to");
        output.Backward(seed);

        Assert.That(output.Value.ToArray(), Is.EqualTo(value), $"{op}: the output value changed");
        for (var i = 0; i < inputs.Length; i++)
        {
            Assert.That(leaves[i].Value.ToArray(), Is.EqualTo(inputs[i].ToArray()), $"{op}: input {i} changed");
            Assert.That(leaves[i].Grad!.ToArray(), Is.EqualTo(first[i].Select(g => 2 * g)).Within(1e-12), $"{op}: a second pass over the graph gave another gradient for input {i}");
        }
    }

    /// <summary>
    /// <c>Backward()</c> seeds the root with one element broadcast to its shape (stride 0, nothing
    /// filled); every backward must take that exactly as it takes a contiguous array of ones.
    /// </summary>
    [TestCaseSource(nameof(RegisteredOps))]
    public void Registered_op_backward_from_the_implied_seed_matches_a_given_seed_of_ones(OpInfo op)
    {
        var (function, inputs) = Cases[op.MethodName];
        function ??= v => op.Invoke(v);
        var implied = inputs.Select(x => Variable.Create(x.Clone())).ToArray();
        var given = inputs.Select(x => Variable.Create(x.Clone())).ToArray();
        var output = function(implied);
        var reference = function(given);

        output.Backward();
        reference.Backward(NdArray.Ones<double>(reference.Shape.ToArray()));

        Assert.That(output.Grad!.ToArray(), Is.All.EqualTo(1.0), $"{op}: the output's gradient");
        for (var i = 0; i < inputs.Length; i++)
            Assert.That(implied[i].Grad!.ToArray(), Is.EqualTo(given[i].Grad!.ToArray()), $"{op}: gradient {i}");
    }

    [Test]
    public void The_registry_lists_every_built_in_op()
    {
        var registered = Autograd.Runtime.DifferentiableOpRegistry.All.Select(op => op.MethodName).ToHashSet();
        Assert.That(registered, Is.EquivalentTo(Cases.Keys));
    }
}
