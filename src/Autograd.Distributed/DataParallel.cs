using System.Numerics;

namespace Autograd.Distributed;

/// <summary>
/// Data-parallel training, as PyTorch's DistributedDataParallel: every rank holds the same model, runs
/// forward and backward on its own shard of each batch, and the gradients are averaged over the ranks,
/// so every rank's optimizer takes the identical step.
/// </summary>
/// <remarks>
/// <para>At construction (a collective: every rank must construct it, with the same model) the parameter
/// shapes are checked to match across ranks, and rank 0's parameter values are copied to every rank. An
/// optimizer made before any step holds no state yet, so its state is then the same on every rank too,
/// and identical steps keep it so.</para>
/// <para>Gradients travel in buckets of about <c>bucketBytes</c>, filled with the parameters in reverse
/// order (the order backward reaches them), one all-reduce per bucket.</para>
/// <para>A parameter that gets no gradient on any rank keeps its gradient untouched; one that gets a
/// gradient on some ranks only is an error on every rank (the others could not receive the mean).</para>
/// </remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class DataParallel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The default bucket size in bytes (1 MiB).</summary>
    public const int DefaultBucketBytes = 1 << 20;

    private readonly Variable<T>[] _parameters;
    private readonly GradientBucket<T>[] _buckets;

    /// <summary>Checks the model across ranks, gives every rank rank 0's parameters, and lays out the gradient buckets.</summary>
    /// <param name="communicator">The job's ranks.</param>
    /// <param name="parameters">The model's parameters, in the same order on every rank.</param>
    /// <param name="bucketBytes">The gradient bytes one all-reduce carries, at least; a parameter larger than this gets a bucket of its own.</param>
    /// <exception cref="ArgumentException">A parameter is null or does not require grad, or the parameters' count or shapes differ across ranks (on every rank, naming the parameter and the ranks).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bucketBytes"/> is not positive.</exception>
    public DataParallel(Communicator communicator, IReadOnlyList<Variable<T>> parameters, int bucketBytes = DefaultBucketBytes)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bucketBytes);
        Communicator = communicator;
        _parameters = [.. parameters];
        for (var i = 0; i < _parameters.Length; i++)
        {
            if (_parameters[i] is not { RequiresGrad: true })
                throw new ArgumentException($"DataParallel: parameter {i} is null or does not require grad, so it never gets a gradient.", nameof(parameters));
        }
        ModelCheck.ThrowIfDifferentAcrossRanks(communicator, _parameters);
        _buckets = LayOutBuckets(_parameters, bucketBytes);
        BroadcastParameters();
    }

    /// <summary>The ranks the gradients are averaged over.</summary>
    public Communicator Communicator { get; }

    /// <summary>The parameters, in the order given.</summary>
    public IReadOnlyList<Variable<T>> Parameters => _parameters;

    /// <summary>How many buckets (all-reduces) one step's gradients take.</summary>
    public int BucketCount => _buckets.Length;

    /// <summary>
    /// Replaces every parameter's <see cref="Variable{T}.Grad"/> with its mean over the ranks, one
    /// all-reduce per bucket. Call it on every rank after <c>loss.Backward()</c> and before
    /// <c>optimizer.Step()</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">A parameter has a gradient on some ranks but not on others (thrown on every rank).</exception>
    public void AverageGradients()
    {
        foreach (var bucket in _buckets)
        {
            for (var slot = 0; slot < bucket.Parameters.Length; slot++)
                bucket.Pack(slot, _parameters[bucket.Parameters[slot]].Grad);
            Communicator.AllReduceSum(bucket.Buffer.Span);
            bucket.Average(Communicator.Size);
            for (var slot = 0; slot < bucket.Parameters.Length; slot++)
                Unpack(bucket, slot, _parameters[bucket.Parameters[slot]].Grad);
        }
    }

    private void Unpack(GradientBucket<T> bucket, int slot, NdArray<T>? gradient)
    {
        var ranks = bucket.RanksWithGradient(slot);
        if (ranks == 0)
            return;
        if (ranks != Communicator.Size || gradient is null)
        {
            var index = bucket.Parameters[slot];
            throw new InvalidOperationException(
                $"DataParallel.AverageGradients: {ModelCheck.Describe(_parameters[index], index)} has a gradient on {ranks} of {Communicator.Size} ranks; " +
                "every rank must use a parameter in its loss, or none may (multiply an unused branch by zero to keep it in the graph).");
        }
        NdArray.Copy(bucket.View(slot), gradient);
    }

    private void BroadcastParameters()
    {
        foreach (var bucket in _buckets)
        {
            for (var slot = 0; slot < bucket.Parameters.Length; slot++)
                NdArray.Copy(_parameters[bucket.Parameters[slot]].Value, bucket.View(slot));
            Communicator.Broadcast(bucket.Values, root: 0);
            for (var slot = 0; slot < bucket.Parameters.Length; slot++)
                NdArray.Copy(bucket.View(slot), _parameters[bucket.Parameters[slot]].Value);
        }
    }

    // Reverse order: backward reaches the last layers first, so their bucket can leave first.
    private static GradientBucket<T>[] LayOutBuckets(Variable<T>[] parameters, int bucketBytes)
    {
        var elementsPerBucket = Math.Max(1, bucketBytes / System.Runtime.CompilerServices.Unsafe.SizeOf<T>());
        var buckets = new List<GradientBucket<T>>();
        var members = new List<int>();
        var elements = 0;
        for (var i = parameters.Length - 1; i >= 0; i--)
        {
            members.Add(i);
            elements += parameters[i].Value.Length;
            if (elements >= elementsPerBucket || i == 0)
            {
                buckets.Add(new GradientBucket<T>([.. members], [.. members.Select(m => parameters[m].Value.Shape.ToArray())]));
                members.Clear();
                elements = 0;
            }
        }
        return [.. buckets];
    }
}
