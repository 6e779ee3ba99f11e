using System.Runtime.CompilerServices;
using AutogradOps = Autograd.Ops;

namespace Autograd.Runtime.Tests.Ops;

/// <summary>
/// The built-in ops whose backward reads an operand only for the other operand's gradient
/// (<see cref="SavedForAttribute"/>): with that other operand a constant, a chain through them keeps
/// no intermediate value alive, and gradients (first and second order) still match finite differences.
/// </summary>
public class SavedForTests
{
    private static NdArray<double> Positive(int seed, params int[] shape) => NdArray.RandomUniform<double>(seed, 0.5, 1.5, shape);

    private static IEnumerable<TestCaseData> Cases()
    {
        TestCaseData Case(string name, Func<Variable<double>, Variable<double>, Variable<double>> op, int[] x, int[] c) =>
            new TestCaseData(op, x, c).SetArgDisplayNames(name);
        yield return Case("Multiply, broadcast constant", (v, c) => v * c, [2, 3], [3]);
        yield return Case("Multiply, constant first", (v, c) => c * v, [2, 3], [2, 3]);
        yield return Case("Divide (the output is saved for the divisor only)", (v, c) => v / c, [2, 3], [2, 1]);
        yield return Case("MatMul, constant B", (v, c) => AutogradOps.MatMul(v, c), [3, 3], [3, 3]);
        yield return Case("MatMul, constant A, batched and broadcast", (v, c) => AutogradOps.MatMul(c, v), [2, 3, 3], [3, 3]);
        yield return Case("MatMul, vector times constant matrix", (v, c) => AutogradOps.MatMul(v, c), [3], [3, 3]);
        yield return Case("MatMul, constant matrix times vector", (v, c) => AutogradOps.MatMul(c, v), [3], [3, 3]);
        yield return Case("Gate by a constant factor", (v, c) => AutogradOps.Gate(v, c), [2, 3], [3]);
    }

    // h = op(x, c) and y = op(h, c): only y, x and a weak reference to h's value leave this method.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (Variable<double> Y, Variable<double> X, WeakReference Hidden) Chain(
        Func<Variable<double>, Variable<double>, Variable<double>> op, int[] xShape, int[] cShape, bool cRequiresGrad)
    {
        var x = Positive(1, xShape).ToVariable("x");
        var c = Positive(2, cShape).ToVariable("c", requiresGrad: cRequiresGrad);
        var h = op(x, c);
        return (op(h, c), x, new WeakReference(h.Value));
    }

    private static bool Collected(WeakReference reference)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return !reference.IsAlive;
    }

    [TestCaseSource(nameof(Cases))]
    public void A_chain_with_a_constant_operand_keeps_no_intermediate_value(Func<Variable<double>, Variable<double>, Variable<double>> op, int[] x, int[] c)
    {
        var (y, leaf, hidden) = Chain(op, x, c, cRequiresGrad: false);

        Assert.That(Collected(hidden), Is.True, "h's value, which only c's gradient would read");
        Assert.That(y.Node, Is.Not.Null);
        AutogradOps.Sum(y).Backward();
        Assert.That(leaf.Grad, Is.Not.Null);

        var (tracked, _, kept) = Chain(op, x, c, cRequiresGrad: true);
        Assert.That(Collected(kept), Is.False, "c requires grad: its gradient reads h's value");
        GC.KeepAlive(tracked);
    }

    [TestCaseSource(nameof(Cases))]
    public void Gradients_with_a_constant_operand_match_finite_differences(Func<Variable<double>, Variable<double>, Variable<double>> op, int[] x, int[] c)
    {
        var untracked = Positive(3, c).ToVariable(requiresGrad: false);
        var options = new GradCheckOptions { RelativeTolerance = 1e-6 };

        Assert.Multiple(() =>
        {
            Assert.That(GradCheck.Check(v => op(op(v[0], untracked), untracked), options, Positive(4, x)).Passed, Is.True, "first order");
            Assert.That(GradCheck.CheckSecondOrder(v => AutogradOps.Sin(op(op(v[0], untracked), untracked)), options, Positive(5, x)).Passed, Is.True, "second order");
            Assert.That(GradCheck.CheckSecondOrder(v => AutogradOps.Sin(op(v[0], v[1])), options, Positive(6, x), Positive(7, c)).Passed, Is.True, "both tracked");
        });
    }
}
