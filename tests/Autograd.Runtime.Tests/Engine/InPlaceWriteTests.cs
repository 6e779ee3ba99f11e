using Autograd.Optimizers;
using AutogradOps = Autograd.Ops;

namespace Autograd.Runtime.Tests.Engine;

/// <summary>
/// Version counters and the leaf guard: an array an op saved for backward and then written in place
/// must make backward throw (naming the op, the array and both versions), never give a silently
/// wrong gradient; the value of a leaf that requires grad refuses in-place writes while recording.
/// </summary>
public class InPlaceWriteTests
{
    private static Variable<double> Vector(string name, params double[] values) => NdArray.Create(values).ToVariable(name);

    [Test]
    public void Writing_a_leafs_value_in_place_while_recording_is_refused_naming_the_leaf()
    {
        // The first case: y = x1 * x2, then x2 *= 10 in place, then backward gave x1.Grad = [40, 50, 60].
        var x1 = Vector("x1", 1, 2, 3);
        var x2 = Vector("x2", 4, 5, 6);
        var y = x1 * x2;

        var error = Assert.Throws<InvalidOperationException>(() => NdArray.MultiplyInPlace(x2.Value, NdArray.Scalar(10.0)));

        Assert.That(error!.Message, Does.Contain("MultiplyInPlace").And.Contain("'x2'").And.Contain("Variable.NoGrad()"));
        y.Backward();
        Assert.That(x1.Grad!.ToArray(), Is.EqualTo(new[] { 4.0, 5.0, 6.0 }));
    }

    [Test]
    public void A_saved_input_written_in_place_makes_backward_throw_naming_op_input_and_versions()
    {
        var x1 = Vector("x1", 1, 2, 3);
        var x2 = Vector("x2", 4, 5, 6);
        var y = x1 * x2;
        using (Variable.NoGrad())
            NdArray.MultiplyInPlace(x2.Value, NdArray.Scalar(10.0));

        var error = Assert.Throws<InvalidOperationException>(() => y.Backward());

        Assert.That(error!.Message, Does.Contain("op '*'").And.Contain("input 'x2'").And.Contain("version 0").And.Contain("version 1").And.Contain("Clone()"));
        Assert.That(x1.Grad, Is.Null, "a refused pass commits nothing");
    }

    [Test]
    public void A_constant_operand_written_in_place_makes_backward_throw()
    {
        var x = Vector("x", 1, 2, 3);
        var c = NdArray.Create([4.0, 5.0, 6.0]);
        var y = AutogradOps.Multiply(x, c);
        NdArray.AddInPlace(c, NdArray.Scalar(1.0));

        Assert.That(() => y.Backward(), Throws.InvalidOperationException.With.Message.Contain("op '*'").And.Message.Contain("input 'x2'"));
    }

    [Test]
    public void A_saved_output_written_through_the_indexer_makes_backward_throw()
    {
        // The second case: y = exp(x), then y[0] = 0: exp's backward reads its output.
        var x = Vector("x", 0.5, 1.5);
        var y = AutogradOps.Exp(x);
        y.Value[0] = 0;

        Assert.That(() => y.Backward(), Throws.InvalidOperationException.With.Message.Contain("op 'Exp'").And.Message.Contain("the output"));
    }

    [Test]
    public void An_optimizer_step_between_forward_and_backward_makes_backward_throw()
    {
        // The third case: x's gradient would be taken at the stepped weights (x requires grad: with x
        // a constant, MatMul would not save w at all, since w's own gradient does not read it).
        var w = NdArray.Create([1.0, 2.0], 2, 1).ToVariable("w");
        var x = NdArray.Create([1.0, 2.0, 3.0, 4.0], 2, 2).ToVariable("x");
        var optimizer = new Sgd<double>([w], learningRate: 0.1);
        AutogradOps.Sum(AutogradOps.MatMul(x, w)).Backward();
        var next = AutogradOps.Sum(AutogradOps.MatMul(x, w));

        optimizer.Step();

        Assert.That(() => next.Backward(), Throws.InvalidOperationException.With.Message.Contain("op 'MatMul'").And.Message.Contain("input 'b'"));
    }

    [Test]
    public void A_write_through_another_view_of_a_saved_array_is_caught()
    {
        var x = Vector("x", 0.5, 1.5, 2.5, 3.5);
        var y = AutogradOps.Exp(x);
        var view = y.Value.Reshape(2, 2).Transpose();

        view[1, 0] = 7;

        Assert.That(y.Value.Version, Is.EqualTo(1), "views share their base's counter; a fresh result starts at 0");
        Assert.That(() => y.Backward(), Throws.InvalidOperationException.With.Message.Contain("op 'Exp'"));
    }

    [Test]
    public void Writes_after_backward_and_reads_at_any_time_are_fine()
    {
        var x = Vector("x", 0.5, 1.5);
        var y = AutogradOps.Exp(x);
        _ = y.Value[0];
        _ = y.Value.ToArray();
        _ = y.Value.AsReadOnlySpan()[1];
        _ = NdArray.Add(y.Value, y.Value);

        y.Backward();
        y.Value[0] = 0;

        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { Math.Exp(0.5), Math.Exp(1.5) }).Within(1e-12));
    }

    private static IEnumerable<TestCaseData> InPlaceWrites()
    {
        yield return new TestCaseData((Action<NdArray<double>>)(a => NdArray.AddInPlace(a, a.Clone()))).SetArgDisplayNames("AddInPlace");
        yield return new TestCaseData((Action<NdArray<double>>)(a => NdArray.MultiplyInPlace(a, NdArray.Scalar(2.0)))).SetArgDisplayNames("MultiplyInPlace scalar");
        yield return new TestCaseData((Action<NdArray<double>>)(a => NdArray.Add(a.Clone(), a.Clone(), into: a))).SetArgDisplayNames("into: destination");
        yield return new TestCaseData((Action<NdArray<double>>)(a => NdArray.Exp(a.Clone(), into: a))).SetArgDisplayNames("unary into:");
        yield return new TestCaseData((Action<NdArray<double>>)(a => NdArray.MatMul(a.Clone(), NdArray.Ones<double>(3, 3), into: a))).SetArgDisplayNames("MatMul into:");
        yield return new TestCaseData((Action<NdArray<double>>)(a => NdArray.Fill(a, 1.0))).SetArgDisplayNames("Fill");
        yield return new TestCaseData((Action<NdArray<double>>)(a => NdArray.Copy(NdArray.Zeros<double>(3), a))).SetArgDisplayNames("Copy");
        yield return new TestCaseData((Action<NdArray<double>>)(a => a[1, 2] = 5)).SetArgDisplayNames("indexer [i, j]");
        yield return new TestCaseData((Action<NdArray<double>>)(a => a[[0, 1]] = 5)).SetArgDisplayNames("indexer params");
        yield return new TestCaseData((Action<NdArray<double>>)(a => a.Slice(0, 1, 2)[0, 0] = 5)).SetArgDisplayNames("indexer on a view");
        yield return new TestCaseData((Action<NdArray<double>>)(a => a.Pick(0, 0)[1] = 5)).SetArgDisplayNames("indexer [i] on a pick");
        yield return new TestCaseData((Action<NdArray<double>>)(a => a.Reshape(2, 3, 1)[0, 0, 0] = 5)).SetArgDisplayNames("indexer [i, j, k]");
        yield return new TestCaseData((Action<NdArray<double>>)(a => a.AsSpan()[0] = 5)).SetArgDisplayNames("AsSpan");
    }

    [TestCaseSource(nameof(InPlaceWrites))]
    public void Every_in_place_write_moves_the_version_by_one(Action<NdArray<double>> write)
    {
        var array = NdArray.RandomUniform<double>(seed: 1, 0.5, 1.5, 2, 3);
        var before = array.Version;

        write(array);

        Assert.That(array.Version, Is.EqualTo(before + 1));
    }

    [TestCaseSource(nameof(InPlaceWrites))]
    public void Every_in_place_write_to_a_leaf_is_refused_while_recording_and_allowed_in_NoGrad(Action<NdArray<double>> write)
    {
        var leaf = NdArray.RandomUniform<double>(seed: 1, 0.5, 1.5, 2, 3).ToVariable("w");

        Assert.That(() => write(leaf.Value), Throws.InvalidOperationException.With.Message.Contain("leaf variable 'w'"));
        Assert.That(leaf.Value.Version, Is.Zero);
        using (Variable.NoGrad())
            write(leaf.Value);
        Assert.That(leaf.Value.Version, Is.EqualTo(1));
    }

    [Test]
    public void A_leaf_that_does_not_require_grad_is_not_guarded()
    {
        var constant = NdArray.Create([1.0, 2.0]).ToVariable(requiresGrad: false);

        constant.Value[0] = 3;

        Assert.That(constant.Value.ToArray(), Is.EqualTo(new[] { 3.0, 2.0 }));
    }

    [Test]
    public void Writing_through_the_indexer_of_a_broadcast_view_is_refused()
    {
        var row = NdArray.Create([1.0, 2.0, 3.0]);
        var broadcast = row.BroadcastTo(4, 3);

        Assert.That(() => broadcast[2, 1] = 9, Throws.ArgumentException.With.Message.Contain("NdArray indexer").And.Message.Contain("broadcast view"));
        Assert.That(row.ToArray(), Is.EqualTo(new[] { 1.0, 2.0, 3.0 }));
        Assert.That(broadcast[2, 1], Is.EqualTo(2.0), "reading a broadcast view stays allowed");
    }
}
