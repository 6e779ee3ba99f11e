using System.Numerics;
using System.Numerics.Tensors;

namespace Autograd.Distributed;

/// <summary>
/// Several parameters' gradients flattened into one pinned buffer, so one all-reduce serves them all.
/// The buffer holds each parameter's elements, then one flag per parameter (1 where this rank has a
/// gradient for it); after the sum over ranks, a flag counts the ranks that had one.
/// </summary>
internal sealed class GradientBucket<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _buffer;
    private readonly NdArray<T>[] _views;
    private readonly int _flags;
    private readonly bool[] _packed;
    private int _packedCount;

    /// <param name="parameters">Indices into the model's parameter list, in the order they fill the bucket.</param>
    /// <param name="shapes">The parameters' shapes, in the same order.</param>
    public GradientBucket(int[] parameters, int[][] shapes)
    {
        Parameters = parameters;
        var lengths = shapes.Select(shape => shape.Aggregate(1, (count, length) => count * length)).ToArray();
        _flags = lengths.Sum();
        _buffer = GC.AllocateArray<T>(_flags + parameters.Length, pinned: true); // pinned for the non-blocking all-reduce
        var whole = NdArray.Create(_buffer);
        _views = new NdArray<T>[parameters.Length];
        _packed = new bool[parameters.Length];
        for (int i = 0, offset = 0; i < parameters.Length; i++)
        {
            _views[i] = whole.Slice(0, offset, offset + lengths[i]).Reshape(shapes[i]);
            offset += lengths[i];
        }
    }

    /// <summary>Indices into the model's parameter list, in bucket order.</summary>
    public int[] Parameters { get; }

    /// <summary>The whole buffer: gradients then flags.</summary>
    public Memory<T> Buffer => _buffer;

    /// <summary>The gradient elements only (no flags).</summary>
    public Span<T> Values => _buffer.AsSpan(0, _flags);

    /// <summary>Bucket slot <paramref name="slot"/>'s elements, shaped like its parameter.</summary>
    public NdArray<T> View(int slot) => _views[slot];

    /// <summary>Whether every slot has been packed since the last <see cref="Clear"/>.</summary>
    public bool IsFull => _packedCount == _packed.Length;

    /// <summary>
    /// Copies this rank's gradient for slot <paramref name="slot"/> in (zeros and flag 0 when it has none);
    /// returns whether that made the bucket full.
    /// </summary>
    public bool Pack(int slot, NdArray<T>? gradient)
    {
        if (gradient is null)
            NdArray.Fill(_views[slot], T.Zero);
        else
            NdArray.Copy(gradient, _views[slot]);
        _buffer[_flags + slot] = gradient is null ? T.Zero : T.One;
        if (!_packed[slot])
        {
            _packed[slot] = true;
            _packedCount++;
        }
        return IsFull;
    }

    /// <summary>Packs "no gradient" into every slot not packed since the last <see cref="Clear"/>.</summary>
    public void PackMissing()
    {
        for (var slot = 0; slot < _packed.Length; slot++)
        {
            if (!_packed[slot])
                Pack(slot, null);
        }
    }

    /// <summary>Marks every slot unpacked, for the next pass (the data stays until then).</summary>
    public void Clear()
    {
        Array.Clear(_packed);
        _packedCount = 0;
    }

    /// <summary>After the all-reduce: how many ranks had a gradient for slot <paramref name="slot"/>.</summary>
    public int RanksWithGradient(int slot) => int.CreateChecked(_buffer[_flags + slot]);

    /// <summary>Turns the summed gradients into their mean over <paramref name="ranks"/> ranks.</summary>
    public void Average(int ranks) => TensorPrimitives.Divide(Values, T.CreateChecked(ranks), Values);
}
