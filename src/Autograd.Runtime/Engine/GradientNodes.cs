using System.Numerics;

namespace Autograd.Engine;

/// <summary>
/// The two computations a pass that creates a graph records itself: adding the contributions of a
/// variable's uses, and reducing a broadcast gradient to its input's shape (and its adjoint,
/// expanding back). Their backwards only route gradients, recorded the same way, so gradients can
/// be differentiated to any order, and the engine needs no op to do it.
/// </summary>
internal static class GradientNodes
{
    public static Variable<T> Add<T>(Variable<T> a, Variable<T> b)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Record(NdArray.Add(a.Value, b.Value), a.RequiresGrad || b.RequiresGrad, () => new AddNode<T>(a.GraphNode, b.GraphNode));

    /// <summary><paramref name="x"/> summed down to <paramref name="shape"/>, which broadcasts to x's shape.</summary>
    public static Variable<T> ReduceTo<T>(Variable<T> x, int[] shape)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Record(NdArray.SumToShape(x.Value, shape), x.RequiresGrad, () => new ReshapeNode<T>(x.GraphNode!, reduce: true));

    /// <summary><paramref name="x"/> broadcast to <paramref name="shape"/> (a copy), the adjoint of <see cref="ReduceTo"/>.</summary>
    public static Variable<T> ExpandTo<T>(Variable<T> x, int[] shape)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Record(x.Value.BroadcastTo(shape).Clone(), x.RequiresGrad, () => new ReshapeNode<T>(x.GraphNode!, reduce: false));

    private static Variable<T> Record<T>(NdArray<T> value, bool tracked, Func<Node<T>> node)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        tracked && GradMode.IsEnabled ? Variable<T>.FromOp(value, node()) : new Variable<T>(value, requiresGrad: false);

    private sealed class AddNode<T>(Node<T>? a, Node<T>? b) : Node<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public override string OpName => "gradient sum";
        public override int InputCount => 2;
        public override bool IsDifferentiableTwice => true;
        public override Node<T>? GetInput(int index) => index == 0 ? a : b;

        protected override void Backward(NdArray<T> outputGradient, BackwardPass<T> pass)
        {
            pass.Slot(this, a).Accumulate(outputGradient);
            pass.Slot(this, b).Accumulate(outputGradient);
        }

        protected override void BackwardGraph(Variable<T> outputGradient, BackwardPass<T> pass)
        {
            pass.Slot(this, a).Accumulate(outputGradient);
            pass.Slot(this, b).Accumulate(outputGradient);
        }

        protected override void ReleaseSavedState()
        {
        }
    }

    /// <summary>A reduce-to-shape (whose adjoint is expanding back) or an expand-to-shape (whose adjoint is reducing back).</summary>
    private sealed class ReshapeNode<T>(Node<T> x, bool reduce) : Node<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public override string OpName => reduce ? "gradient reduction" : "gradient expansion";
        public override int InputCount => 1;
        public override bool IsDifferentiableTwice => true;
        public override Node<T>? GetInput(int index) => x;

        protected override void Backward(NdArray<T> outputGradient, BackwardPass<T> pass) =>
            pass.Slot(this, x).Accumulate(reduce ? outputGradient.BroadcastTo(x.OutputShape.ToArray()) : NdArray.SumToShape(outputGradient, x.OutputShape));

        protected override void BackwardGraph(Variable<T> outputGradient, BackwardPass<T> pass) =>
            pass.Slot(this, x).Accumulate(reduce ? ExpandTo(outputGradient, x.OutputShape.ToArray()) : ReduceTo(outputGradient, x.OutputShape.ToArray()));

        protected override void ReleaseSavedState()
        {
        }
    }
}
