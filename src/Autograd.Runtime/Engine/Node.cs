using System.Numerics;
using System.Runtime.CompilerServices;

namespace Autograd.Engine;

/// <summary>
/// A vertex of the recorded graph (PyTorch's grad_fn): one recorded op application, or a leaf
/// variable's node, where gradients for that leaf end. A node knows its inputs' nodes and runs the
/// op's backward; it does not know its inputs' variables, so a variable the backward does not read
/// is freed as soon as the user drops it, and a deep graph keeps only its nodes and the arrays its
/// backwards save. The generator writes one sealed subclass per <see cref="DifferentiableOpAttribute"/>
/// op that does not fit a tape record (<see cref="TapeOp{T}"/>), holding the input nodes and whatever
/// the backward needs as plain fields (arrays as <see cref="SavedArray{T}"/>, so a stale one is
/// caught). A tape record's node is a view of the record, made when first asked for.
/// </summary>
public abstract class Node<T> : VertexStore<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private int[] _outputShape = [];

    // What few nodes need (hooks, a retaining or named output), in one object made on first use and
    // kept beside the node rather than in a field of it: the nodes of a deep graph are what it keeps
    // alive, and every 8 bytes of them cost the collector (chain-profile).
    private static readonly ConditionalWeakTable<Node<T>, Extras> ExtrasOfNode = [];
    private bool _hasExtras;

    // The backward pass that holds this node's entry (its id; 0 for none), and where: read and written
    // only by that pass. An id, not a reference: a pass is young and the nodes of a big graph are old,
    // so a reference written into each of them would make every young collection during the pass scan
    // the whole graph (each write dirties a card).
    private long _passId;
    private int _passSlot;

    /// <summary>The op's name, for messages and graph export.</summary>
    public abstract string OpName { get; }

    /// <summary>How many array inputs the op has, tracked or not.</summary>
    public abstract int InputCount { get; }

    /// <summary>True once a <c>Backward(retainGraph: false)</c> freed what the op saved.</summary>
    public virtual bool IsReleased => _released;

    private bool _released;

    /// <summary>The vertex this node is: itself, or the tape record it shows.</summary>
    internal virtual Vertex<T> Vertex => new(this, 0);

    /// <summary>Where user code called the op, when it was recorded under <see cref="Variable.DetectAnomaly"/>; else null.</summary>
    public string? RecordedAt => AnomalyMode.CallSiteOf(this);

    /// <summary>
    /// The node of array input <paramref name="index"/>: the node of the op that produced it, or the
    /// leaf's node (<see cref="Leaf"/>); null where a constant or a variable that does not require
    /// grad was passed.
    /// </summary>
    public abstract Node<T>? GetInput(int index);

    /// <summary>The leaf variable whose node this is; null for an op's node.</summary>
    public virtual Variable<T>? Leaf => null;

    /// <summary>The shape of the variable this node produced: the shape of the gradient that flows into it.</summary>
    public ReadOnlySpan<int> OutputShape => _outputShape;

    /// <summary>The name of the variable this node produced, for messages and graph export.</summary>
    public virtual string? OutputName
    {
        get => ExtrasIfAny?.Name;
        internal set => EnsureExtras().Name = value;
    }

    /// <summary>The output variable, kept by the node when it retains its gradient (<see cref="Variable{T}.RetainGrad"/>); else null.</summary>
    internal Variable<T>? RetainingOutput
    {
        get => ExtrasIfAny?.RetainingOutput;
        set => EnsureExtras().RetainingOutput = value;
    }

    /// <summary>The hooks registered on the variable this node produced (replaced whole, never changed in place: a running pass keeps its copy).</summary>
    internal ref Func<NdArray<T>, NdArray<T>?>[]? Hooks => ref EnsureExtras().Hooks;

    internal Func<NdArray<T>, NdArray<T>?>[]? HooksIfAny => ExtrasIfAny is { } extras ? Volatile.Read(ref extras.Hooks) : null;

    internal void SetOutputShape(int[] shape) => _outputShape = shape;

    private Extras? ExtrasIfAny => Volatile.Read(ref _hasExtras) && ExtrasOfNode.TryGetValue(this, out var extras) ? extras : null;

    private Extras EnsureExtras()
    {
        var extras = ExtrasOfNode.GetOrAdd(this, _ => new Extras());
        Volatile.Write(ref _hasExtras, true);
        return extras;
    }

    /// <summary>
    /// Runs the op's backward for <paramref name="outputGradient"/>, accumulating into the inputs'
    /// slots, which <paramref name="pass"/> hands out with <see cref="BackwardPass{T}.Slot(Node{T}, Node{T})"/>.
    /// </summary>
    protected abstract void Backward(NdArray<T> outputGradient, BackwardPass<T> pass);

    /// <summary>Drops the references to saved inputs, outputs and state.</summary>
    protected abstract void ReleaseSavedState();

    /// <summary>True when the op's backward can be recorded (<see cref="BackwardGraph"/>), so its gradients can be differentiated again.</summary>
    public virtual bool IsDifferentiableTwice => false;

    /// <summary>
    /// The op's backward computed with recorded ops, for a pass that creates a graph: it receives
    /// the output gradient as a variable and accumulates variables into the slots (a saved input or
    /// output it reads is tracked again with <see cref="SavedArray{T}.Track(Node{T}, string, Node{T})"/>).
    /// An op without one is first-order only, and a pass with <c>createGraph: true</c> through it throws.
    /// </summary>
    protected virtual void BackwardGraph(Variable<T> outputGradient, BackwardPass<T> pass) => throw FirstOrderOnly(OpName);

    internal static NotSupportedException FirstOrderOnly(string opName) => new(
        $"Backward(createGraph: true): op '{opName}' is first-order only: its backward computes on arrays and cannot be recorded, " +
        "so its gradient cannot be differentiated again. Give the op a backward written with Variable<T> (see the README's higher-order section).");

    internal static InvalidOperationException Released(string opName) => new(
        $"Backward: the graph through op '{opName}' was freed by an earlier Backward(retainGraph: false); " +
        "pass retainGraph: true (the default) to that call to backpropagate through the graph again.");

    // A node object is one vertex, at index 0 of itself.
    internal sealed override string OpNameOf(int index) => OpName;

    internal sealed override int InputCountOf(int index) => InputCount;

    internal sealed override Vertex<T> InputOf(int index, int input) => GetInput(input)?.Vertex ?? default;

    internal sealed override int[] OutputShapeOf(int index) => _outputShape;

    internal sealed override ref long PassIdOf(int index) => ref _passId;

    internal sealed override ref int PassSlotOf(int index) => ref _passSlot;

    internal sealed override Node<T> ExistingNodeOf(int index) => this;

    internal sealed override Node<T> NodeOf(int index) => this;

    internal sealed override void RunBackward(int index, NdArray<T> outputGradient, BackwardPass<T> pass)
    {
        if (IsReleased)
            throw Released(OpName);
        Backward(outputGradient, pass);
    }

    internal sealed override void RunBackwardGraph(int index, Variable<T> outputGradient, BackwardPass<T> pass)
    {
        if (IsReleased)
            throw Released(OpName);
        BackwardGraph(outputGradient, pass);
    }

    internal sealed override void Release(int index)
    {
        ReleaseSavedState();
        _released = true;
    }

    private sealed class Extras
    {
        public Func<NdArray<T>, NdArray<T>?>[]? Hooks;
        public Variable<T>? RetainingOutput;
        public string? Name;
    }
}

/// <summary>
/// A leaf variable's node (PyTorch's AccumulateGrad): where gradients for the leaf end. It has no
/// inputs and no backward; a pass commits what reaches it into the leaf's <see cref="Variable{T}.Grad"/>.
/// </summary>
internal sealed class LeafNode<T> : Node<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public LeafNode(Variable<T> leaf)
    {
        Leaf = leaf;
        SetOutputShape(leaf.Value.ShapeArray);
    }

    public override Variable<T> Leaf { get; }

    public override string OpName => "leaf";

    public override int InputCount => 0;

    public override string? OutputName
    {
        get => Leaf.Name;
        internal set => Leaf.Name = value;
    }

    public override Node<T>? GetInput(int index) => throw new ArgumentOutOfRangeException(nameof(index), index, "A leaf's node has no inputs.");

    protected override void Backward(NdArray<T> outputGradient, BackwardPass<T> pass) =>
        throw new InvalidOperationException("A leaf's node has no backward.");

    protected override void ReleaseSavedState()
    {
    }
}
