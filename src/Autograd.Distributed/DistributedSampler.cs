namespace Autograd.Distributed;

/// <summary>
/// Splits a data set's indices among the ranks for each epoch, as PyTorch's DistributedSampler: one
/// seeded permutation per epoch, the same on every rank, padded by repeating its first indices to a
/// multiple of the rank count, and rank r takes positions r, r + size, r + 2·size, …. Every rank gets
/// <see cref="ShardSize"/> indices, the shards of one epoch are disjoint (but for the padding) and
/// together cover the data set.
/// </summary>
public sealed class DistributedSampler
{
    /// <summary>A sampler for this rank of <paramref name="communicator"/>.</summary>
    /// <param name="count">The data set's size, at least 1.</param>
    /// <param name="communicator">The job: which rank this is, of how many.</param>
    /// <param name="seed">The same on every rank; epoch e's order comes from (seed, e).</param>
    /// <param name="shuffle">False to keep the data set's order (then rank r takes r, r + size, …).</param>
    public DistributedSampler(int count, Communicator communicator, int seed, bool shuffle = true)
        : this(count, (communicator ?? throw new ArgumentNullException(nameof(communicator))).Rank, communicator.Size, seed, shuffle)
    {
    }

    /// <summary>A sampler for rank <paramref name="rank"/> of <paramref name="size"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> or <paramref name="size"/> is below 1, or <paramref name="rank"/> is not in [0, size).</exception>
    public DistributedSampler(int count, int rank, int size, int seed, bool shuffle = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        if ((uint)rank >= (uint)size)
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"DistributedSampler: rank {rank} is not in [0, {size}).");
        (Count, Rank, Size, Seed, Shuffle) = (count, rank, size, seed, shuffle);
    }

    /// <summary>The data set's size.</summary>
    public int Count { get; }

    /// <summary>This rank.</summary>
    public int Rank { get; }

    /// <summary>How many ranks share the data.</summary>
    public int Size { get; }

    /// <summary>The seed shared by every rank.</summary>
    public int Seed { get; }

    /// <summary>Whether each epoch is a fresh permutation.</summary>
    public bool Shuffle { get; }

    /// <summary>How many indices each rank gets per epoch: ⌈<see cref="Count"/> / <see cref="Size"/>⌉.</summary>
    public int ShardSize => (Count + Size - 1) / Size;

    /// <summary>This rank's indices for epoch <paramref name="epoch"/>.</summary>
    public int[] Indices(int epoch)
    {
        var order = Enumerable.Range(0, Count).ToArray();
        if (Shuffle)
            new Random(unchecked((Seed * 1_000_003) + epoch)).Shuffle(order);
        var shard = new int[ShardSize];
        for (var i = 0; i < shard.Length; i++)
            shard[i] = order[(Rank + (i * Size)) % Count];
        return shard;
    }
}
