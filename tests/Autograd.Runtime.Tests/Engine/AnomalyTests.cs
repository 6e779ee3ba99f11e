using System.Runtime.CompilerServices;
using AutogradOps = Autograd.Ops;

namespace Autograd.Runtime.Tests.Engine;

public class AnomalyTests
{
    private static int Line([CallerLineNumber] int line = 0) => line;

    [Test]
    public void An_op_producing_NaN_is_named_with_the_line_that_called_it()
    {
        var x = NdArray.Create([1.0, -1.0]).ToVariable("x");

        var line = 0;

        var error = Assert.Throws<ArithmeticException>(() =>
        {
            using (Variable.DetectAnomaly())
            {
                line = Line() + 1;
                AutogradOps.Log(x);
            }
        });

        Assert.That(error!.Message, Does.Contain("op 'Log'").And.Contain("NaN").And.Contain("[1]").And.Contain($"AnomalyTests.cs:line {line}"));
    }

    [Test]
    public void A_backward_producing_infinity_is_named_with_where_the_op_was_called()
    {
        var x = NdArray.Create([4.0, 0.0]).ToVariable("x");
        using (Variable.DetectAnomaly())
        {
            var line = Line() + 1;
            var y = AutogradOps.Sum(AutogradOps.Sqrt(x)); // sqrt(0) is fine; its derivative is not

            var error = Assert.Throws<ArithmeticException>(() => y.Backward());

            Assert.That(error!.Message, Does.Contain("backward of op 'Sqrt'").And.Contain("infinity").And.Contain("'x'").And.Contain($"AnomalyTests.cs:line {line}"));
        }
        Assert.That(x.Grad, Is.Null);
    }

    [Test]
    public void Outside_the_scope_nothing_is_checked_and_nothing_recorded()
    {
        var x = NdArray.Create([4.0, 0.0]).ToVariable("x");
        using (Variable.DetectAnomaly())
        {
        }
        var y = AutogradOps.Sum(AutogradOps.Sqrt(x));

        y.Backward();

        Assert.That(double.IsPositiveInfinity(x.Grad![1]), Is.True);
        Assert.That(y.Node!.RecordedAt, Is.Null);
    }

    [Test]
    public void The_scope_covers_only_its_own_thread()
    {
        var x = NdArray.Create([-1.0]).ToVariable("x");
        using var inScope = new Barrier(2);
        Exception? checkedThread = null;
        var result = 0.0;
        var checking = new Thread(() =>
        {
            using (Variable.DetectAnomaly())
            {
                inScope.SignalAndWait();
                checkedThread = Assert.Throws<ArithmeticException>(() => AutogradOps.Log(x));
                inScope.SignalAndWait();
            }
        });
        var plain = new Thread(() =>
        {
            inScope.SignalAndWait(); // the other thread's scope is open now
            result = AutogradOps.Log(x).Value[0];
            inScope.SignalAndWait();
        });
        checking.Start();
        plain.Start();
        checking.Join();
        plain.Join();

        Assert.That(checkedThread, Is.Not.Null);
        Assert.That(double.IsNaN(result), Is.True);
    }
}
