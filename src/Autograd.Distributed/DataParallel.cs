using System.Diagnostics;
using System.Numerics;
using Autograd.Engine;
using Autograd.Optimizers;

namespace Autograd.Distributed;

/// <summary>
/// Data-parallel training, as PyTorch's DistributedDataParallel: every rank holds the same model, runs
/// forward and backward on its own shard of each batch, and the gradients are averaged over the ranks
/// while backward still runs, so every rank's optimizer takes the identical step.
/// </summary>
/// <remarks>
/// <para>At construction (a collective: every rank constructs it, with the same model) the parameter
/// shapes are checked to match across ranks, and rank 0's parameter values are copied to every rank. An
/// optimizer made before the first step holds no state yet, so its state is then the same on every rank
/// too, and identical steps keep it so.</para>
/// <para>Gradients travel in buckets of about <c>bucketBytes</c>, filled with the parameters in reverse
/// order (the order backward reaches them). With <c>overlap</c> (the default) a gradient hook on each
/// parameter copies its gradient into its bucket as soon as it is final, a full bucket's all-reduce
/// starts at once (<c>MPI_Iallreduce</c>, buckets in the same order on every rank) while backward goes
/// on, and the pass waits for them all just before it commits the leaf gradients, which are then the
/// means over the ranks. Every backward pass through the model on one rank must be matched by one on
/// every other rank. Without <c>overlap</c>, call <see cref="AverageGradients"/> after backward. In a job
/// of one rank, gradients are left as they are.</para>
/// <para>A parameter that gets no gradient on any rank keeps its gradient as it was; one that gets a
/// gradient on some ranks only is an error on every rank (the others could not take the mean).</para>
/// <para>Run one backward pass through the model at a time. A pass that fails on one rank (an op's
/// backward throws) leaves the ranks out of step: let the exception end the job, as it does unless
/// caught (see <see cref="Distributed.Communicator"/>).</para>
/// </remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class DataParallel<T> : IDisposable
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The default bucket size in bytes (1 MiB).</summary>
    public const int DefaultBucketBytes = 1 << 20;

    private readonly Variable<T>[] _parameters;
    private readonly GradientBucket<T>[] _buckets;
    private readonly IDisposable[] _hooks;
    private readonly CollectiveRequest?[] _requests;
    private int _launched;      // buckets whose all-reduce has started in the current pass
    private bool _passStarted;  // a hook fired and the pass's wait is queued

    /// <summary>Checks the model across ranks, gives every rank rank 0's parameters, and lays out the gradient buckets.</summary>
    /// <param name="communicator">The job's ranks.</param>
    /// <param name="parameters">The model's parameters, in the same order on every rank.</param>
    /// <param name="bucketBytes">The gradient bytes one all-reduce carries, at least; a parameter larger than this gets a bucket of its own.</param>
    /// <param name="overlap">True to average during backward through gradient hooks; false to average in <see cref="AverageGradients"/>.</param>
    /// <exception cref="ArgumentException">A parameter is null or does not require grad, or the parameters' count or shapes differ across ranks (on every rank, naming the parameter and the ranks).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bucketBytes"/> is not positive.</exception>
    public DataParallel(Communicator communicator, IReadOnlyList<Variable<T>> parameters, int bucketBytes = DefaultBucketBytes, bool overlap = true)
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
        _requests = new CollectiveRequest?[_buckets.Length];
        BroadcastParameters();
        Overlaps = overlap;
        _hooks = overlap && communicator.Size > 1 ? [.. EveryBucketSlot().Select(at => _parameters[at.Bucket.Parameters[at.Slot]].RegisterHook(g => OnGradient(at.Bucket, at.Slot, g)))] : [];
    }

    /// <summary>The ranks the gradients are averaged over.</summary>
    public Communicator Communicator { get; }

    /// <summary>The parameters, in the order given.</summary>
    public IReadOnlyList<Variable<T>> Parameters => _parameters;

    /// <summary>How many buckets (all-reduces) one step's gradients take.</summary>
    public int BucketCount => _buckets.Length;

    /// <summary>Whether gradients are averaged during backward (else by <see cref="AverageGradients"/>).</summary>
    public bool Overlaps { get; }

    /// <summary>
    /// How long the last averaging blocked: with overlap, the wait at the end of backward for the
    /// all-reduces still running (communication not hidden behind backward); without, the whole of
    /// <see cref="AverageGradients"/>.
    /// </summary>
    public TimeSpan LastWait { get; private set; }

    /// <summary>
    /// Replaces every parameter's <see cref="Variable{T}.Grad"/> with its mean over the ranks, one
    /// all-reduce per bucket. Call it on every rank after <c>loss.Backward()</c> and before
    /// <c>optimizer.Step()</c>; only for a <see cref="DataParallel{T}"/> made with <c>overlap: false</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">Gradients are already averaged during backward (<c>overlap: true</c>), or a parameter has a gradient on some ranks but not on others (thrown on every rank).</exception>
    public void AverageGradients()
    {
        if (Overlaps)
            throw new InvalidOperationException("DataParallel.AverageGradients: this DataParallel averages gradients during backward (overlap: true); make it with overlap: false to average after backward instead.");
        if (Communicator.Size == 1)
            return; // each gradient is its own mean
        var clock = Stopwatch.StartNew();
        foreach (var bucket in _buckets)
        {
            for (var slot = 0; slot < bucket.Parameters.Length; slot++)
                bucket.Pack(slot, _parameters[bucket.Parameters[slot]].Grad);
            Communicator.AllReduceSum(bucket.Buffer.Span);
            bucket.Average(Communicator.Size);
            for (var slot = 0; slot < bucket.Parameters.Length; slot++)
            {
                if (TakesMean(bucket, slot, "AverageGradients"))
                    NdArray.Copy(bucket.View(slot), _parameters[bucket.Parameters[slot]].Grad!);
            }
        }
        LastWait = clock.Elapsed;
    }

    /// <summary>Removes the gradient hooks; backward no longer averages.</summary>
    public void Dispose()
    {
        foreach (var hook in _hooks)
            hook.Dispose();
    }

    // A parameter's gradient is final: it goes into its bucket, which leaves once full (and every
    // bucket before it has left). The pass commits the bucket's view, which holds the mean by then.
    private NdArray<T> OnGradient(GradientBucket<T> bucket, int slot, NdArray<T> gradient)
    {
        if (!_passStarted)
        {
            _passStarted = true;
            BackwardPass.QueueCallback(FinishPass);
        }
        if (bucket.Pack(slot, gradient))
            LaunchReadyBuckets();
        else if (_launched > 0)
            _requests[_launched - 1]!.Test(); // Open MPI moves a non-blocking collective on only inside MPI calls
        return bucket.View(slot);
    }

    private void LaunchReadyBuckets()
    {
        while (_launched < _buckets.Length && _buckets[_launched].IsFull)
        {
            _requests[_launched] = Communicator.StartAllReduceSum(_buckets[_launched].Buffer);
            _launched++;
        }
    }

    // Runs once every gradient of the pass is computed, before the leaves' are committed. Parameters
    // the pass did not reach go out as zeros with their flag unset.
    private void FinishPass()
    {
        var clock = Stopwatch.StartNew();
        _passStarted = false;
        foreach (var bucket in _buckets)
            bucket.PackMissing();
        LaunchReadyBuckets();
        _launched = 0;
        foreach (var bucket in _buckets)
            bucket.Clear();
        for (var i = 0; i < _buckets.Length; i++)
        {
            _requests[i]!.Wait();
            _requests[i] = null;
            _buckets[i].Average(Communicator.Size);
        }
        foreach (var (bucket, slot) in EveryBucketSlot())
            TakesMean(bucket, slot, "backward");
        LastWait = clock.Elapsed;
    }

    // Whether every rank had a gradient for the slot (false when none had); throws when only some had.
    private bool TakesMean(GradientBucket<T> bucket, int slot, string during)
    {
        var ranks = bucket.RanksWithGradient(slot);
        if (ranks == 0)
            return false;
        if (ranks == Communicator.Size)
            return true;
        var index = bucket.Parameters[slot];
        throw new InvalidOperationException(
            $"DataParallel ({during}): {ModelCheck.Describe(_parameters[index], index)} has a gradient on {ranks} of {Communicator.Size} ranks; " +
            "every rank must use a parameter in its loss, or none may (multiply an unused branch by zero to keep it in the graph).");
    }

    /// <summary>
    /// Gives every rank rank 0's optimizer state (step count, and each state array such as momentum
    /// or Adam's moments, present or not), so a job resumed from a checkpoint loaded on rank 0 alone,
    /// or an optimizer made after some steps, steps identically everywhere. Call it on every rank.
    /// </summary>
    /// <exception cref="ArgumentException">The optimizer's parameters are not this wrapper's, in the same order.</exception>
    public void BroadcastOptimizerState(Optimizer<T> optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (optimizer.Parameters.Count != _parameters.Length || optimizer.Parameters.Where((p, i) => p != _parameters[i]).Any())
            throw new ArgumentException("DataParallel.BroadcastOptimizerState: the optimizer's parameters must be this wrapper's, in the same order.", nameof(optimizer));
        Span<int> steps = [optimizer.StepCount];
        Communicator.Broadcast(steps, root: 0);
        optimizer.StepCount = steps[0];
        foreach (var name in optimizer.StateNames)
        {
            var present = _parameters.Select((_, i) => optimizer.GetState(name, i) is null ? 0 : 1).ToArray();
            Communicator.Broadcast<int>(present, root: 0);
            for (var i = 0; i < _parameters.Length; i++)
            {
                if (present[i] == 0)
                {
                    optimizer.SetState(name, i, null);
                    continue;
                }
                var mine = optimizer.GetState(name, i);
                var shape = RootShape(mine);
                var state = mine is { IsContiguous: true } && mine.Shape.SequenceEqual(shape) ? mine : NdArray.Zeros<T>(shape);
                Communicator.Broadcast(state.AsSpan(), root: 0);
                optimizer.SetState(name, i, state);
            }
        }
    }

    /// <summary>Rank 0's shape of an array that may be missing or shaped otherwise here (a state such as Adam's 0-D step).</summary>
    private int[] RootShape(NdArray<T>? mine)
    {
        Span<int> rank = [mine?.Rank ?? 0];
        Communicator.Broadcast(rank, root: 0);
        var shape = mine is not null && mine.Rank == rank[0] ? mine.Shape.ToArray() : new int[rank[0]];
        Communicator.Broadcast<int>(shape, root: 0);
        return shape;
    }

    private void BroadcastParameters()
    {
        using var noGrad = Variable.NoGrad(); // an in-place write to leaves, as an optimizer step
        foreach (var bucket in _buckets)
        {
            for (var slot = 0; slot < bucket.Parameters.Length; slot++)
                NdArray.Copy(_parameters[bucket.Parameters[slot]].Value, bucket.View(slot));
            Communicator.Broadcast(bucket.Values, root: 0);
            for (var slot = 0; slot < bucket.Parameters.Length; slot++)
                NdArray.Copy(bucket.View(slot), _parameters[bucket.Parameters[slot]].Value);
        }
    }

    private IEnumerable<(GradientBucket<T> Bucket, int Slot)> EveryBucketSlot() =>
        _buckets.SelectMany(bucket => Enumerable.Range(0, bucket.Parameters.Length).Select(slot => (bucket, slot)));

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
