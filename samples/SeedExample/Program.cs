// The seed JavaScript package's example, step by step, in C#: define an op once as a forward and
// a backward, call it on plain arrays (nothing recorded) and on variables (a graph recorded), then
// backpropagate with the default seed and with an explicit one.
using Autograd;
using Samples;

var a = NdArray.Create([2.0, 3.0, 4.0]);
var b = NdArray.Create([4.0, 5.0, 6.0]);

Console.WriteLine("1. Called with plain arrays, the op is just its forward: an NdArray back, no graph.");
NdArray<double> product = SeedOps.Mul(a, b);
Console.WriteLine($"   y = {product}");

Console.WriteLine("2. Called with variables, it returns a variable and records a node.");
var x1 = Variable.Create(a, "x1");
var x2 = b.ToVariable("x2");
Variable<double> y = SeedOps.Mul(x1, x2);
Console.WriteLine($"   y = {y.Value}   (recorded by op '{y.Node!.OpName}', isvariable: {Variable.IsVariable(y)})");

Console.WriteLine("3. y.Backward(): the seed gradient is ones of y's shape.");
y.Backward();
Console.WriteLine($"   y.Grad  = {y.Grad}");
Console.WriteLine($"   x1.Grad = {x1.Grad}   (= x2)");
Console.WriteLine($"   x2.Grad = {x2.Grad}   (= x1)");

Console.WriteLine("4. y.Backward(ones) after ZeroGrad(): an explicit seed, the same gradients.");
x1.ZeroGrad();
x2.ZeroGrad();
y.Backward(NdArray.Ones<double>(3));
Console.WriteLine($"   x1.Grad = {x1.Grad}");
Console.WriteLine($"   x2.Grad = {x2.Grad}");

Console.WriteLine("5. Without ZeroGrad(), leaf gradients add up across calls; a seed scales them.");
y.Backward(NdArray.Create([1.0, 10.0, 100.0]));
Console.WriteLine($"   y.Grad  = {y.Grad}");
Console.WriteLine($"   x1.Grad = {x1.Grad}   (= x2 + seed * x2)");

Console.WriteLine("6. A mix of a variable and a constant: only the variable gets a gradient.");
var x3 = a.Clone().ToVariable("x3");
SeedOps.Mul(x3, b).Backward();
Console.WriteLine($"   x3.Grad = {x3.Grad}");

namespace Samples
{
    /// <summary>The seed example's op: elementwise multiply, written once.</summary>
    public static partial class SeedOps
    {
        /// <summary>x1 * x2, elementwise.</summary>
        [DifferentiableOp(Name = "*")]
        public static NdArray<double> Mul(NdArray<double> x1, NdArray<double> x2) => NdArray.Multiply(x1, x2);

        // d(x1 * x2) = dy * x2 for x1 and dy * x1 for x2; each only if that input needs it.
        private static void MulBackward(NdArray<double> dy, NdArray<double> x1, NdArray<double> x2, GradSlot<double> dx1, GradSlot<double> dx2)
        {
            if (dx1.IsNeeded)
                dx1.Accumulate(NdArray.Multiply(dy, x2));
            if (dx2.IsNeeded)
                dx2.Accumulate(NdArray.Multiply(dy, x1));
        }
    }
}
