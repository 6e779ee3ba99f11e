using static Autograd.Generators.Tests.GeneratorHarness;

namespace Autograd.Generators.Tests;

/// <summary>User ops compiled in memory with the generator, loaded and run; gradients compared with hand-computed values.</summary>
public class CompileAndRunTests
{
    private const string MulOps = Usings + """
        namespace User;

        public static partial class MyOps
        {
            [DifferentiableOp(Name = "*")]
            public static NdArray<T> Mul<T>(NdArray<T> x1, NdArray<T> x2) where T : unmanaged, IFloatingPointIeee754<T>
                => NdArray.Multiply(x1, x2);

            static void MulBackward<T>(NdArray<T> dy, NdArray<T> x1, NdArray<T> x2, GradSlot<T> dx1, GradSlot<T> dx2)
                where T : unmanaged, IFloatingPointIeee754<T>
            {
                if (dx1.IsNeeded) dx1.Accumulate(NdArray.Multiply(dy, x2));
                if (dx2.IsNeeded) dx2.Accumulate(NdArray.Multiply(dy, x1));
            }
        }

        public static class Scenario
        {
            public static double[][] Run()
            {
                var a = NdArray.Create(new[] { 1.0, 2.0, 3.0 }, 3).ToVariable("a");
                var b = NdArray.Create(new[] { 4.0, 5.0, 6.0 }, 3).ToVariable("b");
                var c = NdArray.Create(new[] { 10.0, 20.0, 30.0 }, 3);
                var y = MyOps.Mul(MyOps.Mul(a, b), c);   // (a*b)*c, c constant
                y.Backward();
                var plain = MyOps.Mul(c, c);             // all-constant call: the user's forward
                return new[] { y.Value.ToArray(), a.Grad!.ToArray(), b.Grad!.ToArray(), plain.ToArray(), new[] { y.Node!.OpName == "*" ? 1.0 : 0.0 } };
            }
        }
        """;

    [Test]
    public void Mul_records_a_graph_and_backward_gives_the_product_rule()
    {
        var assembly = CompileAndLoad(MulOps);
        var results = (double[][])Invoke(assembly, "User.Scenario", "Run")!;
        Assert.That(results[0], Is.EqualTo(new[] { 40.0, 200.0, 540.0 }));
        Assert.That(results[1], Is.EqualTo(new[] { 40.0, 100.0, 180.0 }));   // b * c
        Assert.That(results[2], Is.EqualTo(new[] { 10.0, 40.0, 90.0 }));     // a * c
        Assert.That(results[3], Is.EqualTo(new[] { 100.0, 400.0, 900.0 }));
        Assert.That(results[4], Is.EqualTo(new[] { 1.0 }));
    }
}
