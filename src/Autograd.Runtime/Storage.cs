using System.Numerics;

namespace Autograd;

/// <summary>
/// The buffer behind an <see cref="NdArray{T}"/> and every view of it, with what the autograd engine
/// needs to know about writes to it: how many there have been, and whether the buffer is the value
/// of a leaf variable that requires grad (where an in-place write is refused while recording).
/// </summary>
internal sealed class Storage<T>(T[] data)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T[] Data { get; } = data;

    /// <summary>Bumped by every in-place write; a saved array compares it with the version it saw.</summary>
    public int Version;

    /// <summary>Set once a leaf variable that requires grad holds this buffer: that leaf's name, or "" when unnamed.</summary>
    public string? GradLeafName;
}
