using System.Collections;
using System.Numerics;

namespace Autograd.Nn;

/// <summary>A batch of inputs (rows of the loader's inputs) and their labels.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly record struct Batch<T>(NdArray<T> Inputs, int[] Labels)
    where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>
/// Batches of examples along axis 0 of <c>inputs</c> with their labels: each enumeration is one epoch.
/// With shuffling, each epoch takes a fresh permutation from a generator seeded once, so a run is
/// reproducible from its seed and epochs differ. The last batch is smaller unless <c>dropLast</c>.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class DataLoader<T> : IEnumerable<Batch<T>>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly NdArray<T> _inputs;
    private readonly int[] _labels;
    private readonly Random? _random;

    /// <summary>Batches <paramref name="inputs"/> ([count, …]) with <paramref name="labels"/> ([count]).</summary>
    /// <exception cref="ArgumentException">The inputs have no axis, or the label count differs from the example count.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The batch size is below 1.</exception>
    public DataLoader(NdArray<T> inputs, int[] labels, int batchSize, bool shuffle = true, int seed = 0, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (inputs.Rank == 0 || inputs.Shape[0] != labels.Length)
            throw new ArgumentException($"DataLoader: inputs of shape {ShapeFormat.Of(inputs.Shape)} were given with {labels.Length} labels; give one label per row of axis 0.", nameof(labels));
        _inputs = inputs;
        _labels = labels;
        BatchSize = batchSize;
        DropLast = dropLast;
        _random = shuffle ? new Random(seed) : null;
    }

    /// <summary>The examples per batch (the last may have fewer).</summary>
    public int BatchSize { get; }

    /// <summary>Whether a last, smaller batch is dropped.</summary>
    public bool DropLast { get; }

    /// <summary>The batches in one epoch.</summary>
    public int Count => DropLast ? _labels.Length / BatchSize : (_labels.Length + BatchSize - 1) / BatchSize;

    /// <summary>One epoch of batches (draws the next permutation when shuffling).</summary>
    public IEnumerator<Batch<T>> GetEnumerator()
    {
        var order = Enumerable.Range(0, _labels.Length).ToArray();
        _random?.Shuffle(order);
        for (var b = 0; b < Count; b++)
        {
            var indices = order[(b * BatchSize)..Math.Min(order.Length, (b + 1) * BatchSize)];
            yield return new(Ops.IndexSelect(_inputs, 0, indices), [.. indices.Select(i => _labels[i])]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
