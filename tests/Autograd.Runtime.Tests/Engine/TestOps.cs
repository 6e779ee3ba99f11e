using Autograd.Engine;

namespace Autograd.Runtime.Tests.Engine;

/// <summary>
/// Hand-written graph nodes, so the engine is tested on its own, independent of the generator.
/// Each records the way generated code does: untracked result when nothing requires grad.
/// </summary>
internal static class TestOps
{
    public static int BackwardCalls;

    public static Variable<double> Mul(Variable<double> a, Variable<double> b)
    {
        var value = NdArray.Multiply(a.Value, b.Value);
        return Record(value, a.RequiresGrad || b.RequiresGrad, () => new MulNode(a, b));
    }

    public static Variable<double> Add(Variable<double> a, Variable<double> b)
    {
        var value = NdArray.Add(a.Value, b.Value);
        return Record(value, a.RequiresGrad || b.RequiresGrad, () => new AddNode(a, b));
    }

    public static Variable<double> Scale(Variable<double> a, double factor)
    {
        var value = NdArray.Multiply(a.Value, factor);
        return Record(value, a.RequiresGrad, () => new ScaleNode(a, factor));
    }

    /// <summary>
    /// a + b, whose backward writes dy into b's gradient buffer and hands a view of that buffer on to a,
    /// as a backward may: the engine must count a's gradient as holding b's buffer.
    /// </summary>
    public static Variable<double> AddHandingOnBuffer(Variable<double> a, Variable<double> b) =>
        Record(NdArray.Add(a.Value, b.Value), a.RequiresGrad || b.RequiresGrad, () => new AddHandingOnBufferNode(a, b));

    /// <summary>The sum of every element, to a 0-d result; twice differentiable (its recorded backward broadcasts dy back).</summary>
    public static Variable<double> Sum(Variable<double> a) =>
        Record(NdArray.Sum(a.Value), a.RequiresGrad, () => new SumNode(a));

    /// <summary>x², whose first-order backward is right (2x) but whose recorded backward says 3x: second-order checks must catch it.</summary>
    public static Variable<double> WrongSecondDerivative(Variable<double> a) =>
        Record(NdArray.Multiply(a.Value, a.Value), a.RequiresGrad, () => new WrongSecondDerivativeNode(a));

    /// <summary>An op whose backward always throws, to test that a failed pass leaves nothing behind.</summary>
    public static Variable<double> Failing(Variable<double> a) =>
        Variable<double>.FromOp(a.Value.Clone(), new FailingNode(a));

    /// <summary>The identity, whose backward first runs <paramref name="duringBackward"/>: for passes that start or wait on other passes.</summary>
    public static Variable<double> Hooked(Variable<double> a, Action duringBackward) =>
        Variable<double>.FromOp(a.Value.Clone(), new HookedNode(a, duringBackward));

    private static Variable<double> Record(NdArray<double> value, bool anyRequiresGrad, Func<Node<double>> node) =>
        GradMode.IsEnabled && anyRequiresGrad ? Variable<double>.FromOp(value, node()) : new Variable<double>(value, requiresGrad: false);

    private sealed class MulNode(Variable<double> a, Variable<double> b) : Node<double>
    {
        private NdArray<double>? _a = a.Value;
        private NdArray<double>? _b = b.Value;

        public override string OpName => "mul";
        public override int InputCount => 2;
        public override Node<double>? GetInput(int index) => (index == 0 ? a : b).GraphNode;

        protected override void Backward(NdArray<double> outputGradient, BackwardPass<double> pass)
        {
            BackwardCalls++;
            pass.Slot(this, a.GraphNode).Accumulate(NdArray.Multiply(outputGradient, _b!));
            pass.Slot(this, b.GraphNode).Accumulate(NdArray.Multiply(outputGradient, _a!));
        }

        public override bool IsDifferentiableTwice => true;

        protected override void BackwardGraph(Variable<double> outputGradient, BackwardPass<double> pass)
        {
            BackwardCalls++;
            pass.Slot(this, a.GraphNode).Accumulate(Mul(outputGradient, b));
            pass.Slot(this, b.GraphNode).Accumulate(Mul(outputGradient, a));
        }

        protected override void ReleaseSavedState() => (_a, _b) = (null, null);
    }

    private sealed class AddHandingOnBufferNode(Variable<double> a, Variable<double> b) : Node<double>
    {
        public override string OpName => "add handing on b's buffer";
        public override int InputCount => 2;
        public override Node<double>? GetInput(int index) => (index == 0 ? a : b).GraphNode;

        protected override void Backward(NdArray<double> outputGradient, BackwardPass<double> pass)
        {
            var buffer = pass.Slot(this, b.GraphNode).GetBuffer(out var accumulate);
            if (accumulate)
                throw new InvalidOperationException("AddHandingOnBuffer: b must have no other use.");
            NdArray.Copy(outputGradient, buffer);
            pass.Slot(this, a.GraphNode).Accumulate(buffer.Reshape(buffer.Shape.ToArray()));
        }

        protected override void ReleaseSavedState()
        {
        }
    }

    private sealed class AddNode(Variable<double> a, Variable<double> b) : Node<double>
    {
        public override string OpName => "add";
        public override int InputCount => 2;
        public override Node<double>? GetInput(int index) => (index == 0 ? a : b).GraphNode;

        protected override void Backward(NdArray<double> outputGradient, BackwardPass<double> pass)
        {
            BackwardCalls++;
            // Both slots receive the very same buffer: the engine must copy before it adds into either.
            pass.Slot(this, a.GraphNode).Accumulate(outputGradient);
            pass.Slot(this, b.GraphNode).Accumulate(outputGradient);
        }

        public override bool IsDifferentiableTwice => true;

        protected override void BackwardGraph(Variable<double> outputGradient, BackwardPass<double> pass)
        {
            BackwardCalls++;
            pass.Slot(this, a.GraphNode).Accumulate(outputGradient);
            pass.Slot(this, b.GraphNode).Accumulate(outputGradient);
        }

        protected override void ReleaseSavedState()
        {
        }
    }

    private sealed class ScaleNode(Variable<double> a, double factor) : Node<double>
    {
        public override string OpName => "scale";
        public override int InputCount => 1;
        public override Node<double>? GetInput(int index) => a.GraphNode;

        protected override void Backward(NdArray<double> outputGradient, BackwardPass<double> pass)
        {
            BackwardCalls++;
            var slot = pass.Slot(this, a.GraphNode);
            if (slot.IsNeeded)
                NdArray.AddInPlace(slot.GetBuffer(), NdArray.Multiply(outputGradient, factor));
        }

        public override bool IsDifferentiableTwice => true;

        protected override void BackwardGraph(Variable<double> outputGradient, BackwardPass<double> pass)
        {
            BackwardCalls++;
            pass.Slot(this, a.GraphNode).Accumulate(Scale(outputGradient, factor));
        }

        protected override void ReleaseSavedState()
        {
        }
    }

    private sealed class FailingNode(Variable<double> a) : Node<double>
    {
        public override string OpName => "failing";
        public override int InputCount => 1;
        public override Node<double>? GetInput(int index) => a.GraphNode;

        protected override void Backward(NdArray<double> outputGradient, BackwardPass<double> pass)
        {
            pass.Slot(this, a.GraphNode).Accumulate(outputGradient);
            throw new InvalidOperationException("failing op's backward");
        }

        protected override void ReleaseSavedState()
        {
        }
    }

    private sealed class HookedNode(Variable<double> a, Action duringBackward) : Node<double>
    {
        public override string OpName => "hooked";
        public override int InputCount => 1;
        public override Node<double>? GetInput(int index) => a.GraphNode;

        protected override void Backward(NdArray<double> outputGradient, BackwardPass<double> pass)
        {
            duringBackward();
            pass.Slot(this, a.GraphNode).Accumulate(outputGradient);
        }

        protected override void ReleaseSavedState()
        {
        }
    }

    private sealed class SumNode(Variable<double> a) : Node<double>
    {
        public override string OpName => "sum";
        public override int InputCount => 1;
        public override Node<double>? GetInput(int index) => a.GraphNode;
        public override bool IsDifferentiableTwice => true;

        protected override void Backward(NdArray<double> outputGradient, BackwardPass<double> pass) =>
            pass.Slot(this, a.GraphNode).Accumulate(outputGradient.BroadcastTo(a.Value.Shape.ToArray()));

        protected override void BackwardGraph(Variable<double> outputGradient, BackwardPass<double> pass) =>
            pass.Slot(this, a.GraphNode).Accumulate(Autograd.Ops.BroadcastTo(outputGradient, a.Value.Shape.ToArray()));

        protected override void ReleaseSavedState()
        {
        }
    }

    private sealed class WrongSecondDerivativeNode(Variable<double> a) : Node<double>
    {
        public override string OpName => "wrongSecond";
        public override int InputCount => 1;
        public override Node<double>? GetInput(int index) => a.GraphNode;
        public override bool IsDifferentiableTwice => true;

        protected override void Backward(NdArray<double> outputGradient, BackwardPass<double> pass) =>
            pass.Slot(this, a.GraphNode).Accumulate(NdArray.Multiply(outputGradient, NdArray.Multiply(a.Value, 2.0)));

        protected override void BackwardGraph(Variable<double> outputGradient, BackwardPass<double> pass) =>
            pass.Slot(this, a.GraphNode).Accumulate(Mul(outputGradient, Scale(a, 3.0)));

        protected override void ReleaseSavedState()
        {
        }
    }
}
