// Compiles only if the package's generator ran: Square(Variable<double>) is generated.
using System;
using Autograd;

var x = NdArray.Create([3.0]).ToVariable("x");
var y = ConsumerOps.Square(x);
y.Backward();
Console.WriteLine(x.Grad!.ToScalar() == 6.0 ? "package ok: generator ran, d(x^2)/dx = 6" : $"package wrong: got {x.Grad}");
return x.Grad!.ToScalar() == 6.0 ? 0 : 1;

/// <summary>x squared.</summary>
public static partial class ConsumerOps
{
    /// <summary>x * x.</summary>
    [DifferentiableOp]
    public static NdArray<double> Square(NdArray<double> x) => NdArray.Multiply(x, x);

    private static void SquareBackward(NdArray<double> dy, NdArray<double> x, GradSlot<double> dx) =>
        dx.Accumulate(NdArray.Multiply(NdArray.Multiply(dy, x), 2.0));
}
