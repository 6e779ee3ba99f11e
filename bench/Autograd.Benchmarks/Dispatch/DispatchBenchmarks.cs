using Autograd;
using BenchmarkDotNet.Attributes;

namespace Autograd.Benchmarks.Dispatch;

/// <summary>
/// What a generated op costs per call beyond its kernel: the constant call is the forward itself;
/// the tracked call adds one node and one variable; under NoGrad it adds only the variable, plus
/// what entering and leaving the scope costs (two AsyncLocal writes, paid once per scope, not per op).
/// The backward cases add the engine: one multiply then its backward, and a 100-op chain per node.
/// The memory diagnoser shows the allocations: result buffer and array, node, variable, nothing else.
/// </summary>
[MemoryDiagnoser]
public class DispatchBenchmarks
{
    private readonly NdArray<double> _a = NdArray.Full(2.0, 4);
    private readonly NdArray<double> _b = NdArray.Full(3.0, 4);
    private Variable<double> _x = null!;
    private Variable<double> _y = null!;

    [GlobalSetup]
    public void Setup()
    {
        _x = _a.ToVariable("x");
        _y = _b.ToVariable("y");
    }

    [Benchmark(Baseline = true)]
    public NdArray<double> Constants() => BenchOps.Mul(_a, _b);

    [Benchmark]
    public Variable<double> Tracked() => BenchOps.Mul(_x, _y);

    [Benchmark]
    public Variable<double> TrackedAndConstant() => BenchOps.Mul(_x, _b);

    /// <summary>The seed's example at this size: record one multiply of two variables, then backpropagate through it.</summary>
    [Benchmark]
    public NdArray<double> TrackedThenBackward()
    {
        _x.ZeroGrad();
        _y.ZeroGrad();
        BenchOps.Mul(_x, _y).Backward();
        return _x.Grad!;
    }

    /// <summary>A chain of 100 recorded multiplies, then one backward through all of them: the engine's cost per node.</summary>
    [Benchmark(OperationsPerInvoke = 100)]
    public NdArray<double> ChainOf100ThenBackward()
    {
        _x.ZeroGrad();
        var y = _x;
        for (var i = 0; i < 100; i++)
            y = BenchOps.Mul(y, _b);
        y.Backward();
        return _x.Grad!;
    }

    /// <summary>A built-in with a recorded backward (relu), recorded and backpropagated without creating a graph: the recorded backward must cost nothing here.</summary>
    [Benchmark]
    public NdArray<double> BuiltInReluThenBackward()
    {
        _x.ZeroGrad();
        Ops.Relu(_x).Backward();
        return _x.Grad!;
    }

    [Benchmark]
    public Variable<double> UnderNoGrad()
    {
        using (Variable.NoGrad())
            return BenchOps.Mul(_x, _y);
    }
}

/// <summary>A user-style op, defined the way the README shows.</summary>
public static partial class BenchOps
{
    /// <summary>x1 * x2, elementwise.</summary>
    [DifferentiableOp(Name = "*")]
    public static NdArray<double> Mul(NdArray<double> x1, NdArray<double> x2) => NdArray.Multiply(x1, x2);

    private static void MulBackward(NdArray<double> dy, NdArray<double> x1, NdArray<double> x2, GradSlot<double> dx1, GradSlot<double> dx2)
    {
        if (dx1.IsNeeded)
            dx1.Accumulate(NdArray.Multiply(dy, x2));
        if (dx2.IsNeeded)
            dx2.Accumulate(NdArray.Multiply(dy, x1));
    }
}
