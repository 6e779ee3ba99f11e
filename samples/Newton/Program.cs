using Autograd;
using Autograd.Optimizers;

// Second derivatives at work. Newton's method needs the Hessian only through products H·v, which
// Functional.Hvp computes by a backward pass through a recorded backward (never forming H): a few
// conjugate-gradient steps on H·p = -g give each Newton direction. On the Rosenbrock function it
// converges in tens of steps where gradient descent needs tens of thousands.
const int n = 10;
var start = NdArray.Full(-1.0, n);

// Shift matrices pick x[0..n-2] and x[1..n-1] with MatMul, which (unlike Slice) is twice differentiable.
var first = NdArray.Zeros<double>(n - 1, n);
var next = NdArray.Zeros<double>(n - 1, n);
for (var i = 0; i < n - 1; i++)
{
    first[i, i] = 1;
    next[i, i + 1] = 1;
}

Variable<double> Rosenbrock(Variable<double> x)
{
    var xi = Ops.MatMul(first, x);
    var xNext = Ops.MatMul(next, x);
    var valley = xNext - xi * xi;
    var offset = 1.0 - xi;
    return Ops.Sum(valley * valley * 100.0 + offset * offset);
}

double Value(NdArray<double> x)
{
    using (Variable.NoGrad())
        return Rosenbrock(x.ToVariable(requiresGrad: false)).Value.ToScalar();
}

NdArray<double> Gradient(NdArray<double> x)
{
    var leaf = x.Clone().ToVariable("x");
    return Variable.Gradients(Rosenbrock(leaf), [leaf])[0].Value;
}

const double tolerance = 1e-10;

// Newton-CG: solve H p = -g approximately with conjugate gradients on H·v products, then backtrack.
var x = start.Clone();
var newtonSteps = 0;
var hessianProducts = 0;
while (Value(x) > tolerance && newtonSteps < 200)
{
    var g = Gradient(x);
    var p = NdArray.Zeros<double>(n);
    var r = NdArray.Negate(g);
    var d = r.Clone();
    var rr = NdArray.Sum(NdArray.Multiply(r, r)).ToScalar();
    for (var k = 0; k < n && rr > 1e-20; k++)
    {
        var hd = Functional.Hvp(Rosenbrock, x, d);
        hessianProducts++;
        var curvature = NdArray.Sum(NdArray.Multiply(d, hd)).ToScalar();
        if (curvature <= 0)
        {
            if (k == 0)
                p = r.Clone(); // not convex here: fall back to steepest descent
            break;
        }
        var alpha = rr / curvature;
        NdArray.AddInPlace(p, NdArray.Multiply(d, alpha));
        NdArray.SubtractInPlace(r, NdArray.Multiply(hd, alpha));
        var rrNext = NdArray.Sum(NdArray.Multiply(r, r)).ToScalar();
        d = NdArray.Add(r, NdArray.Multiply(d, rrNext / rr));
        rr = rrNext;
    }
    var step = 1.0;
    while (Value(NdArray.Add(x, NdArray.Multiply(p, step))) > Value(x) && step > 1e-8)
        step /= 2;
    x = NdArray.Add(x, NdArray.Multiply(p, step));
    newtonSteps++;
}
Console.WriteLine($"Newton-CG (Hessian-vector products): f = {Value(x):E2} after {newtonSteps} steps ({hessianProducts} H·v products)");

// Gradient descent from the same start, with the best fixed step that stays stable here.
var y = start.Clone();
var descentSteps = 0;
const int descentBudget = 20_000;
while (Value(y) > tolerance && descentSteps < descentBudget)
{
    NdArray.SubtractInPlace(y, NdArray.Multiply(Gradient(y), 1.5e-3));
    descentSteps++;
}
Console.WriteLine($"Gradient descent:                      f = {Value(y):E2} after {descentSteps} steps{(descentSteps == descentBudget ? " (budget spent)" : "")}");
if (!(Value(x) <= tolerance && newtonSteps < descentSteps))
    throw new InvalidOperationException("Newton-CG should converge, and in fewer steps than gradient descent.");

// A gradient penalty trained through: fit y = 3x with a small tanh network while penalizing the
// model's slope with respect to its input (WGAN-GP style), so each step differentiates a gradient.
// The penalty pulls the fitted slope down from 3, as it should.
var inputs = NdArray.Create([-1.0, -0.5, 0.0, 0.5, 1.0], 5, 1);
var targets = NdArray.Multiply(inputs, 3.0);
(double Fit, double Slope) Train(double weight)
{
    var w = NdArray.Create([0.1], 1, 1).ToVariable("w");
    var v = NdArray.Create([0.1], 1, 1).ToVariable("v");
    var adam = new Adam<double>([w, v], learningRate: 0.05);
    Variable<double> fit = null!, penalty = null!;
    for (var epoch = 0; epoch < 300; epoch++)
    {
        adam.ZeroGrad();
        var input = inputs.Clone().ToVariable("input");
        var prediction = Ops.MatMul(Ops.Tanh(Ops.MatMul(input, w)), v);
        var slope = Variable.Gradients(Ops.Sum(prediction), [input], createGraph: true)[0];
        fit = Ops.MeanSquaredError(prediction, targets);
        penalty = Ops.Mean(slope * slope);
        (fit + penalty * weight).Backward();
        adam.Step();
    }
    return (fit.Value.ToScalar(), Math.Sqrt(penalty.Value.ToScalar()));
}
var plain = Train(0);
var penalized = Train(0.5);
Console.WriteLine($"Without a gradient penalty: fit {plain.Fit:F4}, rms slope {plain.Slope:F3}");
Console.WriteLine($"With a gradient penalty:    fit {penalized.Fit:F4}, rms slope {penalized.Slope:F3}");
if (!(penalized.Slope < plain.Slope))
    throw new InvalidOperationException("The gradient penalty should flatten the fitted function.");
