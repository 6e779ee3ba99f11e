using System.ComponentModel;
using System.Numerics;

namespace Autograd.Engine;

/// <summary>
/// An array a node saved for its backward, with the <see cref="NdArray{T}.Version"/> it had then:
/// reading it back after an in-place write would compute the gradient from values the forward
/// never saw, so <see cref="Unpack(Node{T}, string)"/> refuses (PyTorch's saved-variable check).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct SavedArray<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly NdArray<T>? _array;
    private readonly int _version;

    /// <summary>Saves <paramref name="array"/> (null for a null state) at its current version.</summary>
    public SavedArray(NdArray<T>? array)
    {
        _array = array;
        _version = array?.Version ?? 0;
    }

    /// <summary>The saved array, once checked unchanged.</summary>
    /// <param name="node">The node reading it, named in the error.</param>
    /// <param name="description">What the array is to the op, e.g. <c>input 'x'</c> or <c>the output</c>.</param>
    /// <exception cref="InvalidOperationException">The array was written in place since it was saved.</exception>
    public NdArray<T>? Unpack(Node<T> node, string description) => Unpack(node, 0, description);

    /// <summary>The saved array of vertex <paramref name="index"/> of <paramref name="store"/>, which names the op in the error.</summary>
    internal NdArray<T>? Unpack(VertexStore<T> store, int index, string description)
    {
        if (_array is not null && _array.Version != _version)
        {
            throw new InvalidOperationException(
                $"Backward of op '{store.OpNameOf(index)}': {description} (shape {ShapeText.Of(_array.Shape)}) was saved for backward at version {_version} " +
                $"but is now at version {_array.Version}: it was modified in place after the op used it, so its gradient would be wrong. " +
                "Modify a Clone() of it instead, or modify it only after Backward().");
        }
        return _array;
    }

    /// <summary>
    /// For a recorded backward: the saved array, once checked unchanged, as a variable whose gradient
    /// flows into <paramref name="source"/> (the node of the input or output it is the value of) or,
    /// for a constant (null), as an untracked variable; null when null was saved (an array saved only
    /// for gradients that cannot be needed, <see cref="SavedForAttribute"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The array was written in place since it was saved.</exception>
    public Variable<T>? Track(Node<T> node, string description, Node<T>? source) => Track(node, 0, description, source?.Vertex ?? default);

    internal Variable<T>? Track(VertexStore<T> store, int index, string description, Vertex<T> source) => Unpack(store, index, description) switch
    {
        null => null,
        var array when !source.Exists => new Variable<T>(array, requiresGrad: false),
        var array => Variable<T>.OfVertex(array, source),
    };
}
