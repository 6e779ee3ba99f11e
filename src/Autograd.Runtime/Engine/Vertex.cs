using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Autograd.Engine;

/// <summary>
/// What holds graph vertices: a <see cref="Node{T}"/> object, which is one, or a <see cref="TapeChunk{T}"/>,
/// which holds many as records. The backward pass walks vertices through it by index. Public only as
/// <see cref="Node{T}"/>'s base: nothing outside the library derives from it or calls it.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class VertexStore<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private protected VertexStore()
    {
    }

    internal abstract string OpNameOf(int index);

    internal abstract int InputCountOf(int index);

    /// <summary>Input <paramref name="input"/> of vertex <paramref name="index"/>; none (<see cref="Vertex{T}.Exists"/> false) for a constant.</summary>
    internal abstract Vertex<T> InputOf(int index, int input);

    internal abstract int[] OutputShapeOf(int index);

    /// <summary>The id of the backward pass that holds the vertex's entry (0 for none), and where.</summary>
    internal abstract ref long PassIdOf(int index);

    internal abstract ref int PassSlotOf(int index);

    /// <summary>The vertex's node object when one exists (always, but for a record nobody asked about), which holds its hooks, name and leaf.</summary>
    internal abstract Node<T>? ExistingNodeOf(int index);

    /// <summary>The vertex's node object, made for a record on first use.</summary>
    internal abstract Node<T> NodeOf(int index);

    internal abstract void RunBackward(int index, NdArray<T> outputGradient, BackwardPass<T> pass);

    internal abstract void RunBackwardGraph(int index, Variable<T> outputGradient, BackwardPass<T> pass);

    internal abstract void Release(int index);
}

/// <summary>One vertex of the recorded graph: its store and its index there (0 for a node object). The default value is no vertex (a constant input).</summary>
internal readonly struct Vertex<T>(VertexStore<T> store, int index) : IEquatable<Vertex<T>>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public readonly VertexStore<T>? Store = store;
    public readonly int Index = index;

    public bool Exists => Store is not null;

    public string OpName => Store!.OpNameOf(Index);

    public int InputCount => Store!.InputCountOf(Index);

    public Vertex<T> Input(int input) => Store!.InputOf(Index, input);

    public ReadOnlySpan<int> OutputShape => Store is null ? default : Store.OutputShapeOf(Index);

    public ref long PassId => ref Store!.PassIdOf(Index);

    public ref int PassSlot => ref Store!.PassSlotOf(Index);

    public Node<T>? ExistingNode => Store!.ExistingNodeOf(Index);

    public Node<T> Node => Store!.NodeOf(Index);

    public bool Equals(Vertex<T> other) => ReferenceEquals(Store, other.Store) && Index == other.Index;

    public override bool Equals(object? obj) => obj is Vertex<T> other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(RuntimeHelpers.GetHashCode(Store), Index);
}
