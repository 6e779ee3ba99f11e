using System.Runtime.CompilerServices;
using AutogradOps = Autograd.Ops;

namespace Autograd.Runtime.Tests.Ops;

/// <summary>
/// The ops whose backward needs only their inputs' shapes (reshapes, transpose, sum, mean, index
/// select, concat) read them from the inputs' gradient slots and save nothing of the inputs: writing
/// into an input after the op does not stop backward, and a reduction does not keep its input alive.
/// </summary>
public class ShapeOnlyBackwardTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        TestCaseData Case(string name, Func<Variable<double>, Variable<double>> op, double gradient) =>
            new TestCaseData(op, gradient).SetArgDisplayNames(name);
        yield return Case("Reshape", h => AutogradOps.Reshape(h, [3, 2]), 1);
        yield return Case("Squeeze", h => AutogradOps.Squeeze(AutogradOps.Reshape(h, [2, 1, 3]), 1), 1);
        yield return Case("Unsqueeze", h => AutogradOps.Unsqueeze(h, 0), 1);
        yield return Case("Transpose", h => AutogradOps.Transpose(h), 1);
        yield return Case("Sum over an axis", h => AutogradOps.Sum(h, [1]), 1);
        yield return Case("Mean over an axis", h => AutogradOps.Mean(h, [1]), 1.0 / 3);
        yield return Case("IndexSelect, every index once", h => AutogradOps.IndexSelect(h, 1, [2, 0, 1]), 1);
    }

    [TestCaseSource(nameof(Cases))]
    public void Writing_into_the_input_after_the_op_does_not_stop_its_backward(Func<Variable<double>, Variable<double>> op, double gradient)
    {
        var x = NdArray.RandomNormal<double>(1, 2, 3).ToVariable("x");
        var h = x * 1.0; // an intermediate, which may be written in place
        var y = op(h);
        NdArray.Fill(h.Value, 7.0);

        AutogradOps.Sum(y).Backward();

        Assert.That(x.Grad!.ToArray(), Is.All.EqualTo(gradient).Within(1e-12));
    }

    [TestCaseSource(nameof(Cases))]
    public void Gradients_match_finite_differences(Func<Variable<double>, Variable<double>> op, double gradient)
    {
        GradCheck.Assert(v => AutogradOps.Sum(AutogradOps.Sin(op(v[0]))), NdArray.RandomNormal<double>(2, 2, 3));
        GradCheck.AssertSecondOrder(v => AutogradOps.Sum(AutogradOps.Sin(op(v[0]))), NdArray.RandomNormal<double>(3, 2, 3));
    }

    [Test]
    public void Writing_into_concatenated_arrays_afterwards_does_not_stop_backward_and_a_constant_element_keeps_its_place()
    {
        var x = NdArray.Create([1.0, 2.0]).ToVariable("x");
        var constant = NdArray.Create([3.0, 4.0, 5.0]).ToVariable("c", requiresGrad: false); // its slot still knows its length
        var z = NdArray.Create([6.0]).ToVariable("z");
        var h = x * 1.0;
        var y = AutogradOps.Concat([h, constant, z]);
        NdArray.Fill(h.Value, 0.0);
        NdArray.Fill(constant.Value, 0.0);

        AutogradOps.Sum(y * NdArray.Create([10.0, 20.0, 30.0, 40.0, 50.0, 60.0])).Backward();

        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 10.0, 20.0 }));
        Assert.That(z.Grad!.ToArray(), Is.EqualTo(new[] { 60.0 }), "after the constant's three elements");
    }

    [Test]
    public void A_reduction_does_not_keep_its_input_alive()
    {
        var (y, hidden) = Reduced();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.That(hidden.IsAlive, Is.False, "the sum's input, which its backward no longer saves");
        y.Backward();
    }

    // h = x * c and y = Sum(Mean(h)): only y and a weak reference to h's value leave this method.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (Variable<double> Y, WeakReference Hidden) Reduced()
    {
        var x = NdArray.RandomNormal<double>(4, 2, 3).ToVariable("x");
        var h = x * 2.0;
        return (AutogradOps.Sum(AutogradOps.Mean(h, [1])), new WeakReference(h.Value));
    }
}
