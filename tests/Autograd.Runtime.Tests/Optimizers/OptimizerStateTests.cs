using Autograd.Optimizers;

namespace Autograd.Runtime.Tests.Optimizers;

/// <summary>Reading and restoring optimizer state: a restored optimizer continues exactly as the original would.</summary>
public class OptimizerStateTests
{
    private static Variable<double> Parameter() => Variable.Create(NdArray.Create([1.0, -2, 3], 3));

    private static void Train(Optimizer<double> optimizer, int steps)
    {
        for (var i = 0; i < steps; i++)
        {
            optimizer.ZeroGrad();
            var p = optimizer.Parameters[0];
            Autograd.Ops.Sum(p * p * p.Value).Backward();
            optimizer.Step();
        }
    }

    private static IEnumerable<Func<Variable<double>, Optimizer<double>>> Optimizers()
    {
        yield return p => new Sgd<double>([p], learningRate: 0.01, momentum: 0.9);
        yield return p => new Adam<double>([p], learningRate: 0.01);
    }

    [TestCaseSource(nameof(Optimizers))]
    public void A_restored_optimizer_continues_bit_for_bit(Func<Variable<double>, Optimizer<double>> make)
    {
        var original = make(Parameter());
        Train(original, 3);

        var restoredParameter = Variable.Create(original.Parameters[0].Value.Clone());
        var restored = make(restoredParameter);
        foreach (var name in original.StateNames)
            restored.SetState(name, 0, original.GetState(name, 0)!.Clone());
        restored.StepCount = original.StepCount;

        Train(original, 2);
        Train(restored, 2);
        Assert.That(restoredParameter.Value.ToArray(), Is.EqualTo(original.Parameters[0].Value.ToArray()));
        Assert.That(restored.StepCount, Is.EqualTo(5));
    }

    [Test]
    public void State_names_follow_PyTorch_and_are_null_before_the_first_step()
    {
        var adam = new Adam<double>([Parameter()]);
        Assert.That(adam.StateNames, Is.EqualTo(new[] { "exp_avg", "exp_avg_sq", "step" }));
        Assert.That(adam.StateNames.Select(n => adam.GetState(n, 0)), Has.All.Null);
        Train(adam, 2);
        Assert.That(adam.GetState("step", 0)!.ToScalar(), Is.EqualTo(2));
        Assert.That(new Sgd<double>([Parameter()], 0.1, momentum: 0.5).StateNames, Is.EqualTo(new[] { "momentum_buffer" }));
        Assert.That(new Sgd<double>([Parameter()], 0.1).StateNames, Is.Empty);
    }

    [Test]
    public void Wrong_state_is_refused_with_a_message()
    {
        var adam = new Adam<double>([Parameter()]);
        Assert.That(() => adam.SetState("exp_avg", 0, NdArray.Zeros<double>(2)),
            Throws.ArgumentException.With.Message.Contains("Adam.SetState: state 'exp_avg' of parameter 0 must have shape [3], not [2]"));
        Assert.That(() => adam.SetState("step", 0, NdArray.Scalar(1.5)), Throws.ArgumentException.With.Message.Contains("whole number"));
        Assert.That(() => adam.GetState("momentum_buffer", 0),
            Throws.ArgumentException.With.Message.Contains("Adam: there is no state 'momentum_buffer' (this optimizer keeps: exp_avg, exp_avg_sq, step)"));
        Assert.That(() => adam.GetState("exp_avg", 1), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new Sgd<double>([Parameter()], 0.1).GetState("momentum_buffer", 0), Throws.ArgumentException.With.Message.Contains("keeps: none"));
        Assert.That(() => adam.StepCount = -1, Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
