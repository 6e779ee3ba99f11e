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
    }

    private Variable(NdArray<T> value, Node<T> node)
    {
        Value = value;
        Node = node;
        RequiresGrad = true;
    }

    /// <summary>Made by generated op code: the result of an op recorded as <paramref name="node"/>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static Variable<T> FromOp(NdArray<T> value, Node<T> node)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(node);
        return new(value, node);
    }

    /// <summary>The variable's value.</summary>
    public NdArray<T> Value { get; }

    /// <summary>
    /// The gradient of the last <see cref="Backward"/> root with respect to this variable, of the
    /// value's shape; null before any backward pass reached it. Kept on leaves (accumulating across
    /// calls), on the root, and on variables that called <see cref="RetainGrad"/>.
    /// </summary>
    public NdArray<T>? Grad { get; internal set; }

    /// <summary>The name given at creation, for messages and graph export.</summary>
    public string? Name { get; set; }

    /// <summary>Whether gradients flow to this variable.</summary>
    public bool RequiresGrad { get; }

    /// <summary>True for a variable the user created; false for the result of a recorded op.</summary>
    public bool IsLeaf => Node is null;

    /// <summary>The graph node of the op that produced this variable; null for leaves.</summary>
    public Node<T>? Node { get; }

    /// <summary>The shape of <see cref="Value"/>.</summary>
    public ReadOnlySpan<int> Shape => Value.Shape;

    /// <summary>True after <see cref="RetainGrad"/>: a non-leaf that keeps its gradient.</summary>
    public bool RetainsGrad { get; private set; }

    INdArray IVariable.Value => Value;

    // The backward engine's working state for one pass: the gradient summed so far, and whether
    // that buffer is this variable's own to add into (else it is shared and copied on write).
    internal NdArray<T>? PendingGrad;
    internal bool PendingOwned;
    internal long VisitMark;

    /// <summary>
    /// Backpropagates from this variable: the seed gradient is <paramref name="gradient"/>, or ones
    /// of this variable's shape. Leaf gradients add to what earlier calls left until
    /// <see cref="ZeroGrad"/>; afterwards this variable's <see cref="Grad"/> is the seed. Calls on
    /// different threads run one after another, so graphs that share leaves may be backpropagated
    /// concurrently.
    /// </summary>
    /// <param name="gradient">The seed, of exactly this variable's shape.</param>
    /// <param name="retainGraph">False frees the buffers ops saved for backward, so the graph cannot be walked again.</param>
    /// <exception cref="ArgumentException">The seed's shape differs from this variable's.</exception>
    /// <exception cref="InvalidOperationException">The variable does not require grad, or the graph was freed.</exception>
    public void Backward(NdArray<T>? gradient = null, bool retainGraph = true) =>
        BackwardEngine.Run(this, gradient, retainGraph);

    /// <summary>Forgets the gradient, so the next <see cref="Backward"/> starts from zero.</summary>
    public void ZeroGrad() => Grad = null;

    /// <summary>Keeps this non-leaf variable's gradient after <see cref="Backward"/>, accumulating like a leaf's.</summary>
    public void RetainGrad() => RetainsGrad = true;

    /// <summary>A new leaf sharing this value that gradients do not flow through.</summary>
    public Variable<T> Detach() => new(Value, Name, requiresGrad: false);

    /// <summary>The graph that produced this variable in Graphviz DOT: variables as boxes, ops as ellipses named by their op names.</summary>
    public string ToDot() => GraphExport.ToDot(this);

    /// <inheritdoc />
    public override string ToString() => Name is null ? $"Variable({Value})" : $"Variable {Name}({Value})";

    /// <summary>Adds a gradient contribution for the current pass, copying on write any buffer it does not own.</summary>
    internal void AccumulatePending(NdArray<T> gradient)
    {
        if (PendingGrad is null)
        {
            PendingGrad = gradient;
            PendingOwned = false;
        }
        else if (PendingOwned)
        {
            NdArray.AddInPlace(PendingGrad, gradient);
        }
        else
        {
            PendingGrad = NdArray.Add(PendingGrad, gradient);
            PendingOwned = true;
        }
    }

    /// <summary>The pending gradient as a buffer this variable owns, zeros if nothing arrived yet.</summary>
    internal NdArray<T> OwnedPendingGrad()
    {
        if (PendingGrad is null)
            PendingGrad = NdArray.Zeros<T>(Value.Shape.ToArray());
        else if (!PendingOwned)
            PendingGrad = PendingGrad.Clone();
        PendingOwned = true;
        return PendingGrad;
    }

    /// <summary>Moves the pending gradient into <see cref="Grad"/>: added to what is there, or (when <paramref name="replace"/>) instead of it.</summary>
    internal void CommitPendingGrad(bool replace)
    {
        if (PendingGrad is not null)
        {
            if (Grad is null || replace)
                Grad = PendingOwned && PendingGrad.IsContiguous ? PendingGrad : PendingGrad.Clone();
            else
                NdArray.AddInPlace(Grad, PendingGrad);
        }
        ClearPendingGrad();
    }

    internal void ClearPendingGrad()
    {
        PendingGrad = null;
        PendingOwned = false;
    }
}
