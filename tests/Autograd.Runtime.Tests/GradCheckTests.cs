using Autograd.Engine;

namespace Autograd.Runtime.Tests;

/// <summary>
/// GradCheck on hand-written nodes (no generator involved): f(x, y) = x² * y elementwise, whose
/// backward can be given a deliberate error at one element of one input.
/// </summary>
public class GradCheckTests
{
    private static Variable<double> SquareTimes(Variable<double> x, Variable<double> y, int buggyInput = -1, int buggyElement = -1, double bug = 0)
    {
        var value = NdArray.Multiply(NdArray.Multiply(x.Value, x.Value), y.Value);
        if (!GradMode.IsEnabled || !(x.RequiresGrad || y.RequiresGrad))
            return new Variable<double>(value, requiresGrad: false);
        return Variable<double>.FromOp(value, new SquareTimesNode(x, y, buggyInput, buggyElement, bug));
    }

    private sealed class SquareTimesNode(Variable<double> x, Variable<double> y, int buggyInput, int buggyElement, double bug) : Node<double>
    {
        public override string OpName => "squareTimes";
        public override int InputCount => 2;
        public override Node<double>? GetInput(int index) => (index == 0 ? x : y).GraphNode;

        protected override void Backward(NdArray<double> outputGradient, BackwardPass<double> pass)
        {
            var dx = NdArray.Multiply(NdArray.Multiply(outputGradient, x.Value), NdArray.Multiply(y.Value, 2.0));
            var dy = NdArray.Multiply(outputGradient, NdArray.Multiply(x.Value, x.Value));
            var broken = buggyInput == 0 ? dx : buggyInput == 1 ? dy : null;
            if (broken is not null)
                broken.AsSpan()[buggyElement] += bug * outputGradient.ToArray()[buggyElement]; // a wrong local derivative
            pass.Slot(this, x.GraphNode).Accumulate(dx);
            pass.Slot(this, y.GraphNode).Accumulate(dy);
        }

        protected override void ReleaseSavedState()
        {
        }
    }

    private static NdArray<double> Random(int seed, params int[] shape) => NdArray.RandomNormal<double>(seed, shape);

    [Test]
    public void A_correct_backward_passes_with_a_full_jacobian()
    {
        var result = GradCheck.Check(v => SquareTimes(v[0], v[1]), Random(1, 2, 3), Random(2, 2, 3));

        Assert.That(result.Passed, Is.True, result.ToString());
        Assert.That(result.FullJacobian, Is.True);
        Assert.That(result.Directions, Is.EqualTo(6));
        Assert.That(result.ElementsChecked, Is.EqualTo(6 * 12));
        Assert.That(result.Ratio, Is.LessThan(0.1));
    }

    [Test]
    public void A_correct_backward_passes_with_random_projections()
    {
        var result = GradCheck.Check(v => SquareTimes(v[0], v[1]), Random(1, 5, 8), Random(2, 5, 8));

        Assert.That(result.Passed, Is.True, result.ToString());
        Assert.That(result.FullJacobian, Is.False);
        Assert.That(result.Directions, Is.EqualTo(GradCheckOptions.Default.Projections));
    }

    [TestCase(0, 4, 2, 3)]
    [TestCase(1, 5, 2, 3)]
    [TestCase(1, 0, 2, 3)]
    [TestCase(0, 37, 5, 8)] // a large output: caught by projections
    public void A_wrong_element_is_reported_with_its_input_index_position_and_values(int input, int element, int rows, int columns)
    {
        var x = Random(3, rows, columns);
        var y = Random(4, rows, columns);
        var expectedNumeric = input == 0 ? 2 * x.ToArray()[element] * y.ToArray()[element] : x.ToArray()[element] * x.ToArray()[element];

        var result = GradCheck.Check(v => SquareTimes(v[0], v[1], input, element, bug: 0.5), x, y);

        Assert.That(result.Passed, Is.False);
        Assert.That(result.InputIndex, Is.EqualTo(input));
        Assert.That(result.ElementIndex, Is.EqualTo(element));
        Assert.That(result.ElementPosition, Is.EqualTo(new[] { element / columns, element % columns }));
        Assert.That(result.Error, Is.GreaterThan(1e-3));
        if (result.FullJacobian)
        {
            Assert.That(result.OutputIndex, Is.EqualTo(element));
            Assert.That(result.Numeric, Is.EqualTo(expectedNumeric).Within(1e-6));
            Assert.That(result.Analytic, Is.EqualTo(expectedNumeric + 0.5).Within(1e-6));
        }
        Assert.That(result.ToString(), Does.StartWith("GradCheck failed").And.Contain($"input {input}").And.Contain($"element {element}"));
    }

    [Test]
    public void Assert_throws_with_the_report_and_returns_the_result_when_it_passes()
    {
        var x = Random(5, 3);
        var y = Random(6, 3);

        var exception = Assert.Throws<GradCheckException>(() => GradCheck.Assert(v => SquareTimes(v[0], v[1], 1, 2, bug: 1), x, y));
        Assert.That(exception!.Result.InputIndex, Is.EqualTo(1));
        Assert.That(exception.Message, Is.EqualTo(exception.Result.ToString()));
        Assert.That(exception.Message, Does.Contain("analytic").And.Contain("numeric").And.Contain("[2]"));

        var passed = GradCheck.Assert(v => SquareTimes(v[0], v[1]), x, y);
        Assert.That(passed.Passed, Is.True);
    }

    [Test]
    public void Tolerances_decide_whether_a_small_error_passes()
    {
        var x = NdArray.Create([1.0, 2.0]);
        var y = NdArray.Create([3.0, 4.0]);
        // dx[1] = 2 * 2 * 4 = 16; a bug of 0.01 is a relative error of 6e-4.
        Func<Variable<double>[], Variable<double>> f = v => SquareTimes(v[0], v[1], 0, 1, bug: 0.01);

        Assert.That(GradCheck.Check(f, x, y).Passed, Is.False);
        Assert.That(GradCheck.Check(f, new GradCheckOptions { RelativeTolerance = 1e-3 }, x, y).Passed, Is.True);
        Assert.That(GradCheck.Check(f, new GradCheckOptions { AbsoluteTolerance = 0.02 }, x, y).Passed, Is.True);
    }

    [Test]
    public void Zero_tolerances_demand_exact_agreement_and_an_exact_match_passes()
    {
        // With both tolerances 0 an exact match is 0 / 0: it must count as passing, not as NaN
        // (a NaN worst score also hid every later, real error).
        var exact = new GradCheckOptions { AbsoluteTolerance = 0, RelativeTolerance = 0, Epsilon = 0.25 }; // differences exact in binary
        var x = NdArray.Create([0.5, 1.0]);
        var zeroThenOne = NdArray.Create([0.0, 1.0]);
        Assert.That(GradCheck.Check(v => Autograd.Ops.Multiply(v[0], zeroThenOne), exact, x).Passed, Is.True);

        var loose = new GradCheckOptions { AbsoluteTolerance = 0, RelativeTolerance = 1e-3 };
        var wrong = GradCheck.Check(v => SquareTimes(v[0], NdArray.Create([0.0, 1.0]).ToVariable(requiresGrad: false), 0, 1, bug: 1), loose, x);
        Assert.That(wrong.Passed, Is.False);
        Assert.That(wrong.Ratio, Is.Not.NaN);
    }

    [Test]
    public void Options_that_cannot_give_a_verdict_are_rejected()
    {
        var x = NdArray.Create([0.5]);
        Assert.That(() => GradCheck.Check(v => Autograd.Ops.Exp(v[0]), new GradCheckOptions { Epsilon = 0 }, x),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Epsilon"));
        Assert.That(() => GradCheck.Check(v => Autograd.Ops.Exp(v[0]), new GradCheckOptions { Epsilon = double.NaN }, x),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Epsilon"));
        Assert.That(() => GradCheck.Check(v => Autograd.Ops.Exp(v[0]), new GradCheckOptions { AbsoluteTolerance = -1 }, x),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("AbsoluteTolerance"));
        Assert.That(() => GradCheck.Check(v => Autograd.Ops.Exp(v[0]), new GradCheckOptions { RelativeTolerance = double.NaN }, x),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("RelativeTolerance"));
    }

    [Test]
    public void The_inputs_are_left_unchanged_and_no_gradient_is_left_behind()
    {
        var x = Random(7, 4);
        var before = x.ToArray();
        Variable<double>[]? seen = null;

        GradCheck.Check(v => { seen = v; return SquareTimes(v[0], v[0]); }, x);

        Assert.That(x.ToArray(), Is.EqualTo(before));
        Assert.That(seen![0].Grad, Is.Null);
    }

    [Test]
    public void Variables_the_function_captures_keep_the_gradient_they_had()
    {
        // Checking a layer against its input while its weight is a model parameter: the analytic
        // passes also reach the weight, whose gradient must come out as it went in (an optimizer
        // step after the check would otherwise apply every direction's gradient).
        var weight = Random(9, 3).ToVariable("weight");
        var bias = Random(10, 3).ToVariable("bias");
        Autograd.Ops.Multiply(weight, weight).Backward();
        var weightGrad = weight.Grad!.ToArray();

        var result = GradCheck.Check(v => Autograd.Ops.Add(SquareTimes(v[0], weight), bias), Random(11, 3));

        Assert.That(result.Passed, Is.True, result.ToString());
        Assert.That(weight.Grad!.ToArray(), Is.EqualTo(weightGrad));
        Assert.That(bias.Grad, Is.Null);
    }

    [Test]
    public void A_variable_used_twice_is_checked_through_both_uses()
    {
        // x² * x = x³: the correct gradient 3x² needs both contributions summed.
        var result = GradCheck.Check(v => SquareTimes(v[0], v[0]), Random(8, 3, 2));
        Assert.That(result.Passed, Is.True, result.ToString());

        var broken = GradCheck.Check(v => SquareTimes(v[0], v[0], 1, 3, bug: 0.25), Random(8, 3, 2));
        Assert.That(broken.Passed, Is.False);
        Assert.That(broken.ElementIndex, Is.EqualTo(3));
    }

    [Test]
    public void An_input_the_output_ignores_has_zero_gradients_on_both_sides()
    {
        var result = GradCheck.Check(v => SquareTimes(v[0], v[0]), Random(9, 2), Random(10, 2));

        Assert.That(result.Passed, Is.True, result.ToString());
    }

    [Test]
    public void A_backward_missing_a_dependency_fails()
    {
        // The function depends on y, but y is detached: the analytic gradient for it is 0.
        var result = GradCheck.Check(v => SquareTimes(v[0], v[1].Detach()), Random(11, 3), NdArray.Create([1.0, 2.0, 3.0]));

        Assert.That(result.Passed, Is.False);
        Assert.That(result.InputIndex, Is.EqualTo(1));
        Assert.That(result.Analytic, Is.Zero);
    }

    [Test]
    public void A_non_finite_gradient_fails()
    {
        var result = GradCheck.Check(v => SquareTimes(v[0], v[1], 0, 0, bug: double.PositiveInfinity), Random(12, 2), Random(13, 2));

        Assert.That(result.Passed, Is.False);
        Assert.That(result.InputIndex, Is.Zero);
        Assert.That(result.ElementIndex, Is.Zero);
        Assert.That(double.IsFinite(result.Analytic), Is.False);
    }

    [Test]
    public void A_scalar_output_and_scalar_inputs_are_supported()
    {
        var shapes = new List<int[]>();
        var result = GradCheck.Check(v => { shapes.Add(v[0].Shape.ToArray()); return SquareTimes(v[0], v[1]); }, NdArray.Scalar(1.5), NdArray.Scalar(-2.0));

        Assert.That(shapes, Has.All.Empty, "the function sees rank-0 inputs");

        Assert.That(result.Passed, Is.True, result.ToString());
        Assert.That(result.ElementPosition, Is.Empty);
    }

    [Test]
    public void Large_inputs_can_be_checked_on_a_sample_of_elements()
    {
        var calls = 0;
        var options = new GradCheckOptions { MaxElementsPerInput = 5 };
        Func<Variable<double>[], Variable<double>> f = v => { calls++; return SquareTimes(v[0], v[1]); };

        var result = GradCheck.Check(f, options, Random(14, 10, 10), Random(15, 10, 10));

        Assert.That(result.Passed, Is.True, result.ToString());
        Assert.That(calls, Is.EqualTo(1 + 2 * (5 + 5) + 1), "one center, two per sampled element, one recorded pass");
        Assert.That(result.ElementsChecked, Is.EqualTo(10 * options.Projections));

        // The default checks every element, so an error anywhere is found.
        var broken = GradCheck.Check(v => SquareTimes(v[0], v[1], 0, 0, bug: 1), Random(14, 10, 10), Random(15, 10, 10));
        Assert.That(broken.Passed, Is.False);
    }

    [Test]
    public void The_documented_example_passes()
    {
        var x = NdArray.RandomNormal<double>(seed: 1, 3, 4);
        var w = NdArray.RandomNormal<double>(seed: 2, 4, 2);
        var result = GradCheck.Assert(v => Autograd.Ops.Tanh(Autograd.Ops.MatMul(v[0], v[1])), x, w);

        Assert.That(result.Passed, Is.True);
        Assert.That(result.Directions, Is.EqualTo(6), "a [3, 2] output is checked row by row");
    }

    [Test]
    public void Misuse_is_rejected_with_a_message()
    {
        Assert.Throws<ArgumentException>(() => GradCheck.Check(v => v[0]));
        var exception = Assert.Throws<ArgumentException>(() => GradCheck.Check(_ => null!, Random(1, 2)));
        Assert.That(exception!.Message, Does.Contain("returned null"));
        using (Variable.NoGrad())
            Assert.That(() => GradCheck.Check(v => SquareTimes(v[0], v[0]), Random(1, 2)), Throws.InvalidOperationException.With.Message.Contains("NoGrad"));
    }
}
