using System.ComponentModel;
using System.Numerics;
using Autograd.Engine;

namespace Autograd;

/// <summary>What every <see cref="Variable{T}"/> is, whatever its element type.</summary>
public interface IVariable
{
    /// <summary>The variable's value.</summary>
    INdArray Value { get; }

    /// <summary>The name given at creation, for messages and graph export.</summary>
    string? Name { get; }

    /// <summary>Whether gradients flow to this variable.</summary>
    bool RequiresGrad { get; }
}

/// <summary>
/// A value tracked for differentiation: ops called with it record a graph node, and
/// <see cref="Backward"/> fills <see cref="Grad"/> on every variable it depends on.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed partial class Variable<T> : IVariable
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>A leaf variable holding <paramref name="value"/> (not copied).</summary>
    /// <param name="value">The value.</param>
    /// <param name="name">An optional name for messages and graph export.</param>
    /// <param name="requiresGrad">False for a constant that ops should not differentiate.</param>
    public Variable(NdArray<T> value, string? name = null, bool requiresGrad = true)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
        Name = name;
        RequiresGrad = requiresGrad;
        if (requiresGrad)
            value.GradLeafName ??= name ?? ""; // in-place writes to it are refused while recording
    }

    private Variable(NdArray<T> value, Vertex<T> vertex)
    {
        Value = value;
        (_store, _index) = (vertex.Store, vertex.Index);
        RequiresGrad = true;
    }

    /// <summary>
    /// A variable over <paramref name="value"/> whose gradient flows into <paramref name="vertex"/>:
    /// the leaf itself for a leaf's vertex, else a variable sharing the op's vertex (so gradients of a
    /// recorded backward that reads a saved input or output reach the graph that produced it).
    /// </summary>
    internal static Variable<T> OfVertex(NdArray<T> value, Vertex<T> vertex) => vertex.ExistingNode?.Leaf ?? new(value, vertex);

    /// <summary>Made by generated op code: the result of an op recorded as <paramref name="node"/>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static Variable<T> FromOp(NdArray<T> value, Node<T> node)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(node);
        node.SetOutputShape(value.ShapeArray);
        if (AnomalyMode.IsEnabled)
            AnomalyMode.CheckForward(value, node);
        return new(value, node.Vertex);
    }

    /// <summary>
    /// Made by generated op code: the result of an application of <paramref name="op"/> to the tracked
    /// inputs given (null for a constant), recorded in a tape with the arrays its backward reads.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static Variable<T> FromOp(NdArray<T> value, TapeOp<T> op, Variable<T>? input0, Variable<T>? input1, NdArray<T>? saved0, NdArray<T>? saved1)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(op);
        var vertex = TapeChunk<T>.Append(op, input0?.GraphVertex ?? default, input1?.GraphVertex ?? default, saved0, saved1, value.ShapeArray);
        if (AnomalyMode.IsEnabled)
            AnomalyMode.CheckForward(value, vertex.Node);
        return new(value, vertex);
    }

    /// <summary>The variable's value.</summary>
    public NdArray<T> Value { get; }

    /// <summary>
    /// The gradient of the last <see cref="Backward"/> root with respect to this variable, of the
    /// value's shape; null before any backward pass reached it. Kept on leaves (accumulating across
    /// calls), on the root, and on variables that called <see cref="RetainGrad"/>.
    /// </summary>
    public NdArray<T>? Grad
    {
        get => ReferenceEquals(_grad, OnesGrad) ? MakeOnesGrad() : _grad;
        internal set => _grad = value;
    }

    // Grad's array, or OnesGrad: ones of the value's shape, made when first read (SetOnesGrad).
    private NdArray<T>? _grad;
    private static readonly NdArray<T> OnesGrad = new([0]);

    /// <summary>
    /// The gradient as a recorded variable, set by <c>Backward(createGraph: true)</c> (and summed like
    /// <see cref="Grad"/>, whose value it holds), so it can be used in further computation and
    /// differentiated again; null otherwise.
    /// </summary>
    public Variable<T>? GradVariable => _extras?.GradVariable;

    /// <summary>The name given at creation, for messages and graph export.</summary>
    public string? Name
    {
        get => _store is not null ? _store.ExistingNodeOf(_index)?.OutputName : _name;
        set
        {
            if (Node is { } node)
                node.OutputName = value; // where the graph finds it: a node does not know its output variable
            else
                _name = value;
        }
    }

    private string? _name;

    /// <summary>Whether gradients flow to this variable.</summary>
    public bool RequiresGrad { get; }

    /// <summary>True for a variable the user created; false for the result of a recorded op.</summary>
    public bool IsLeaf => _store is null;

    /// <summary>The graph node of the op that produced this variable; null for leaves.</summary>
    public Node<T>? Node => _store?.NodeOf(_index);

    // The op's vertex (none for a leaf), in two fields rather than a Vertex: the index then fits beside
    // the flags, and the variable keeps its 72 bytes.
    private readonly VertexStore<T>? _store;
    private readonly int _index;

    /// <summary>
    /// The node gradients of this variable flow into, which ops recorded as node objects keep as their input: the
    /// op's <see cref="Node"/>, a leaf's own node (made on first use), or null when the variable does
    /// not require grad.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Node<T>? GraphNode => Node ?? (RequiresGrad ? _leafNode ?? MakeLeafNode() : null);

    /// <summary>The vertex gradients of this variable flow into, like <see cref="GraphNode"/>, without making a node object for a tape record.</summary>
    internal Vertex<T> GraphVertex => _store is not null ? new(_store, _index) : RequiresGrad ? (_leafNode ?? MakeLeafNode()).Vertex : default;

    private LeafNode<T>? _leafNode;

    private LeafNode<T> MakeLeafNode()
    {
        Interlocked.CompareExchange(ref _leafNode, new LeafNode<T>(this), null);
        return _leafNode;
    }

    /// <summary>The shape of <see cref="Value"/>.</summary>
    public ReadOnlySpan<int> Shape => Value.Shape;

    /// <summary>True after <see cref="RetainGrad"/>: a non-leaf that keeps its gradient.</summary>
    public bool RetainsGrad { get; private set; }

    INdArray IVariable.Value => Value;

    // What few variables need (those a pass commits a gradient to), in one object made on first use so
    // that the variables of a recorded graph stay small.
    private Extras? _extras;

    private Extras EnsureExtras() => LazyInitializer.EnsureInitialized(ref _extras);

    /// <summary>
    /// Backpropagates from this variable: the seed gradient is <paramref name="gradient"/>, or ones
    /// of this variable's shape. Leaf gradients add to what earlier calls left until
    /// <see cref="ZeroGrad"/>; afterwards this variable's <see cref="Grad"/> is the seed. Passes on
    /// different threads run at once, also over graphs that share leaves: each pass keeps its own
    /// running sums, and only adding them into a leaf's <see cref="Grad"/> takes that leaf's lock.
    /// A pass that fails commits nothing.
    /// </summary>
    /// <param name="gradient">The seed, of exactly this variable's shape.</param>
    /// <param name="retainGraph">False frees the buffers ops saved for backward, so the graph cannot be walked again.</param>
    /// <exception cref="ArgumentException">The seed's shape differs from this variable's.</exception>
    /// <exception cref="InvalidOperationException">
    /// The variable does not require grad, the graph was freed, or an array an op saved for backward
    /// was written in place since (the message names the op and the array).
    /// </exception>
    /// <param name="createGraph">
    /// True records the backward computations, so that <see cref="GradVariable"/> holds each gradient
    /// as a variable that can be differentiated again (every op on the way must be
    /// <see cref="Node{T}.IsDifferentiableTwice"/>).
    /// </param>
    public void Backward(NdArray<T>? gradient = null, bool retainGraph = true, bool createGraph = false) =>
        BackwardEngine.Backward(this, gradient, retainGraph, createGraph);

    /// <summary>
    /// Calls <paramref name="hook"/> with this variable's gradient in every backward pass, once it is
    /// complete (every use has delivered its contribution) and before it is used: before the op that
    /// produced this variable runs its backward, or before it is added into a leaf's
    /// <see cref="Grad"/>. A hook returning an array of this variable's shape replaces the gradient;
    /// returning null keeps it. Hooks run in the order registered, on the thread running the pass.
    /// Do not write into the array a hook receives: it may be a view, such as the ones of
    /// <see cref="Backward"/>'s implied seed, one element broadcast to the variable's shape.
    /// </summary>
    /// <returns>A registration; disposing it removes the hook.</returns>
    /// <exception cref="InvalidOperationException">The variable does not require grad, so no gradient reaches it.</exception>
    public IDisposable RegisterHook(Func<NdArray<T>, NdArray<T>?> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        var node = GraphNode ?? throw new InvalidOperationException(
            $"RegisterHook: {BackwardPass<T>.Describe(this)} does not require grad, so no gradient reaches it and the hook would never run.");
        UpdateHooks(node, hooks => [.. hooks ?? [], hook]);
        return new HookRegistration(() => UpdateHooks(node, hooks => hooks?.Where(h => h != hook).ToArray() is { Length: > 0 } rest ? rest : null));
    }

    // On the node, where a pass finds them: the node of an op does not know its output variable.
    private static void UpdateHooks(Node<T> node, Func<Func<NdArray<T>, NdArray<T>?>[]?, Func<NdArray<T>, NdArray<T>?>[]?> change)
    {
        ref var hooks = ref node.Hooks;
        Func<NdArray<T>, NdArray<T>?>[]? seen, next;
        do
        {
            seen = Volatile.Read(ref hooks);
            next = change(seen);
        }
        while (Interlocked.CompareExchange(ref hooks, next, seen) != seen);
    }

    /// <summary>
    /// Clears the gradient (and its recorded form), so the next <see cref="Backward"/> starts from zero,
    /// keeping its array for reuse: a training step then allocates no new gradient. With
    /// <paramref name="setToNone"/> (the default) <see cref="Grad"/> becomes null, as if no pass had
    /// reached this variable (optimizers skip it), and the next pass that does writes its gradient into
    /// the kept array. Otherwise <see cref="Grad"/> stays the same array, filled with zeros (PyTorch's
    /// <c>set_to_none=False</c>; optimizers then step it with a zero gradient). Either way an array read
    /// from <see cref="Grad"/> before changes with later passes: <see cref="NdArray{T}.Clone"/> it to keep it.
    /// </summary>
    public void ZeroGrad(bool setToNone = true)
    {
        if (Grad is null && _extras is null)
            return;
        var extras = EnsureExtras();
        lock (extras.GradLock)
        {
            extras.GradVariable = null;
            if (Grad is not { } grad)
                return;
            if (setToNone)
                (extras.SpareGrad, Grad) = (grad, null);
            else
                NdArray.Fill(grad, T.Zero);
        }
    }

    /// <summary>Keeps this non-leaf variable's gradient after <see cref="Backward"/>, accumulating like a leaf's.</summary>
    public void RetainGrad()
    {
        RetainsGrad = true;
        if (Node is { } node)
            node.RetainingOutput = this; // where a pass finds the variable to commit to
    }

    /// <summary>A new leaf sharing this value that gradients do not flow through.</summary>
    public Variable<T> Detach() => new(Value, Name, requiresGrad: false);

    /// <summary>The graph that produced this variable in Graphviz DOT: variables as boxes, ops as ellipses named by their op names.</summary>
    public string ToDot() => GraphExport.ToDot(this);

    /// <inheritdoc />
    public override string ToString() => Name is null ? $"Variable({Value})" : $"Variable {Name}({Value})";

    /// <summary>
    /// Makes <see cref="Grad"/> ones of the value's shape, as a backward from this variable with the
    /// default seed leaves it; the array is made only if somebody reads Grad (the seed the pass used was
    /// its own buffer).
    /// </summary>
    internal void SetOnesGrad()
    {
        lock (EnsureExtras().GradLock)
            _grad = OnesGrad;
    }

    private NdArray<T>? MakeOnesGrad()
    {
        var ones = NdArray<T>.ForResult(Value); // sharing the value's shape array
        ones.Data.AsSpan().Fill(T.One);
        var seen = Interlocked.CompareExchange(ref _grad, ones, OnesGrad);
        return ReferenceEquals(seen, OnesGrad) ? ones : seen; // another thread made it, or a pass replaced it, first
    }

    /// <summary>The array <see cref="ZeroGrad"/> kept, now the caller's (a pass that will make it Grad), or null.</summary>
    internal NdArray<T>? TakeSpareGrad()
    {
        if (_extras is not { } extras)
            return null;
        lock (extras.GradLock)
        {
            if (_grad is not null)
                return null;
            var spare = extras.SpareGrad;
            extras.SpareGrad = null;
            return spare;
        }
    }

    /// <summary>
    /// Adds <paramref name="gradient"/> into <see cref="Grad"/>, or makes it Grad when there is none
    /// or <paramref name="replace"/>: copied into the array <see cref="ZeroGrad"/> kept, else the array
    /// itself when it is a contiguous buffer the pass <paramref name="owned"/> (returns true: the pass
    /// must not reuse it), else a copy; likewise <paramref name="recorded"/> (from a pass that created
    /// a graph) into <see cref="GradVariable"/>, as a recorded sum.
    /// </summary>
    internal bool CommitGrad(NdArray<T> gradient, bool owned, Variable<T>? recorded, bool replace)
    {
        var extras = EnsureExtras();
        lock (extras.GradLock)
        {
            var adopted = false;
            if (Grad is not null && !replace)
            {
                NdArray.AddInPlace(Grad, gradient);
            }
            else if (!replace && extras.SpareGrad is { } spare)
            {
                Grad = NdArray.Copy(gradient, spare);
                extras.SpareGrad = null;
            }
            else
            {
                adopted = owned && gradient.IsContiguous;
                Grad = adopted ? gradient : gradient.Clone();
            }
            if (recorded is not null)
                extras.GradVariable = extras.GradVariable is null || replace ? recorded : GradientNodes.Add(extras.GradVariable, recorded);
            return adopted;
        }
    }

    private sealed class Extras
    {
        public readonly Lock GradLock = new();           // taken by a pass adding into Grad
        public Variable<T>? GradVariable;
        public NdArray<T>? SpareGrad;                    // Grad's array, kept by ZeroGrad for the next pass to write into
    }

    private sealed class HookRegistration(Action remove) : IDisposable
    {
        private Action? _remove = remove;

        public void Dispose() => Interlocked.Exchange(ref _remove, null)?.Invoke();
    }
}
