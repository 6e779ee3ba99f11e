// One scenario per launch, on every rank of `mpirun -np N dotnet Autograd.Distributed.Worker.dll <scenario>`.
// A check that fails throws, which aborts the job with the rank's message; a check that passes prints
// "rank r/N ok: …", which the tests count.
using System.Runtime.InteropServices;
using Autograd;
using Autograd.Distributed;
using Autograd.Optimizers;

using var world = Communicator.Initialize();
switch (args[0])
{
    case "train":
        foreach (var overlap in new[] { false, true })
        {
            foreach (var model in new[] { Model.Mlp(world.Rank), Model.SharedWeight(world.Rank) })
                Train(model, overlap);
            if (world.Size > 1)
                RefuseAGradientOnSomeRanksOnly(overlap);
        }
        break;
    case "throw":
        world.AllReduceSum<float>(new float[4]);
        if (world.Rank == 1)
            throw new InvalidOperationException("rank 1 gives up on purpose");
        world.Barrier(); // the other ranks would wait here forever without the abort
        break;
    case "mismatch":
        _ = new DataParallel<float>(world, Model.Mlp(world.Rank, outputs: world.Rank == 1 ? 4 : 3).Parameters);
        break;
    default:
        throw new ArgumentException($"unknown scenario '{args[0]}'");
}
world.Barrier();

void Ok(string what) => Console.WriteLine($"rank {world.Rank}/{world.Size} ok: {what}");

// Each rank takes its contiguous share of one batch; the reference is the same model trained in this
// process on the whole batch, starting from the values DataParallel broadcast from rank 0.
void Train(Model model, bool overlap)
{
    const int batch = 12, steps = 20;
    var x = NdArray.RandomNormal<float>(7, batch, 4);
    var labels = Enumerable.Range(0, batch).Select(i => i % 3).ToArray();
    var (start, stop) = (world.Rank * batch / world.Size, (world.Rank + 1) * batch / world.Size);
    var shard = x.Slice(0, start, stop).Clone();

    using var parallel = new DataParallel<float>(world, model.Parameters, bucketBytes: 32, overlap); // several buckets
    var mode = overlap ? "during backward" : "after backward";
    void Average()
    {
        if (!overlap)
            parallel.AverageGradients();
    }
    var reference = model.Parameters.Select(p => p.Value.Clone().ToVariable(p.Name)).ToArray();

    model.Loss(model.Parameters, shard, labels[start..stop]).Backward();
    Average();
    model.Loss(reference, x, labels).Backward();
    var gradientDifference = MaxDifference(model.Parameters.Select(p => p.Grad!), reference.Select(p => p.Grad!), 1e-5f, $"{model.Name} gradients");
    Ok($"{model.Name} gradients averaged {mode} in {parallel.BucketCount} buckets match one process (max difference {gradientDifference:E1})");

    var optimizer = new Adam<float>(model.Parameters, learningRate: 0.05);
    var referenceOptimizer = new Adam<float>(reference, learningRate: 0.05);
    for (var step = 0; step < steps; step++)
    {
        optimizer.ZeroGrad();
        model.Loss(model.Parameters, shard, labels[start..stop]).Backward();
        Average();
        optimizer.Step();
        referenceOptimizer.ZeroGrad();
        model.Loss(reference, x, labels).Backward();
        referenceOptimizer.Step();
    }
    var valueDifference = MaxDifference(model.Parameters.Select(p => p.Value), reference.Select(p => p.Value), 1e-4f, $"{model.Name} parameters after {steps} steps");
    ThrowUnlessIdenticalOnEveryRank(model);
    Ok($"{model.Name} parameters after {steps} steps averaged {mode} are bit-identical on every rank and match one process (max difference {valueDifference:E1})");

    // Optimizer state: scramble it on the other ranks (as a resume that loaded a checkpoint on rank 0 would leave it); the broadcast restores rank 0's.
    var rootMoments = optimizer.StateNames.SelectMany(name => model.Parameters.Select((_, i) => optimizer.GetState(name, i)!.Clone())).ToArray();
    if (world.Rank != 0)
    {
        optimizer.StepCount = 1000 + world.Rank;
        optimizer.SetState("exp_avg", 0, NdArray.RandomNormal<float>(world.Rank, model.Parameters[0].Shape.ToArray()));
        optimizer.SetState("exp_avg_sq", 1, null);
        optimizer.SetState("step", 0, null); // a 0-D state missing here: its shape comes from rank 0
    }
    parallel.BroadcastOptimizerState(optimizer);
    var restored = optimizer.StateNames.SelectMany(name => model.Parameters.Select((_, i) => optimizer.GetState(name, i)!)).ToArray();
    MaxDifference(restored, rootMoments, 0f, $"{model.Name} optimizer state after the broadcast");
    if (optimizer.StepCount != steps)
        throw new InvalidOperationException($"{model.Name}: the step count is {optimizer.StepCount} after the broadcast, not rank 0's {steps}.");
    Ok($"{model.Name} optimizer state (step count, both Adam moments, per-parameter steps) is rank 0's on every rank after BroadcastOptimizerState");
}

// Rank 1 leaves b2 out of its loss: every rank must refuse the step, and the next step must work.
void RefuseAGradientOnSomeRanksOnly(bool overlap)
{
    var model = Model.Mlp(world.Rank);
    using var parallel = new DataParallel<float>(world, model.Parameters, bucketBytes: 64, overlap);
    var x = NdArray.RandomNormal<float>(3, 2, 4).ToVariable(requiresGrad: false);
    var hidden = Ops.Tanh(Ops.MatMul(x, model.Parameters[0]) + model.Parameters[1]);
    var logits = Ops.MatMul(hidden, model.Parameters[2]);
    var loss = Ops.CrossEntropy(world.Rank == 1 ? logits : logits + model.Parameters[3], [0, 1]);
    try
    {
        loss.Backward();
        if (!overlap)
            parallel.AverageGradients();
        throw new InvalidOperationException("a parameter with a gradient on one rank only was not refused");
    }
    catch (InvalidOperationException e) when (e.Message.Contains($"parameter 3 ('b2') has a gradient on {world.Size - 1} of {world.Size} ranks", StringComparison.Ordinal))
    {
    }
    foreach (var parameter in model.Parameters)
        parameter.ZeroGrad();
    Ops.CrossEntropy(logits + model.Parameters[3], [0, 1]).Backward();
    if (!overlap)
        parallel.AverageGradients();
    Ok($"a gradient on some ranks only is refused on every rank {(overlap ? "during" : "after")} backward, and the next step works");
}

static float MaxDifference(IEnumerable<NdArray<float>> actual, IEnumerable<NdArray<float>> expected, float tolerance, string what)
{
    var largest = 0f;
    foreach (var (a, e) in actual.Zip(expected))
    {
        for (var i = 0; i < a.Length; i++)
        {
            var (x, y) = (a.AsReadOnlySpan()[i], e.AsReadOnlySpan()[i]);
            if (!(Math.Abs(x - y) <= tolerance * (1 + Math.Abs(y))))
                throw new InvalidOperationException($"{what}: element {i} of shape [{string.Join(", ", a.Shape.ToArray())}] is {x} but one process gives {y}.");
            largest = Math.Max(largest, Math.Abs(x - y));
        }
    }
    return largest;
}

void ThrowUnlessIdenticalOnEveryRank(Model model)
{
    foreach (var parameter in model.Parameters)
    {
        var mine = parameter.Value.AsReadOnlySpan();
        var rootCopy = mine.ToArray();
        world.Broadcast<float>(rootCopy, root: 0);
        Span<int> differing = [MemoryMarshal.AsBytes(mine).SequenceEqual(MemoryMarshal.AsBytes(rootCopy.AsSpan())) ? 0 : 1];
        world.AllReduceSum(differing);
        if (differing[0] != 0)
            throw new InvalidOperationException($"{model.Name}: parameter '{parameter.Name}' differs from rank 0's on {differing[0]} ranks.");
    }
}

internal sealed record Model(string Name, Variable<float>[] Parameters, Func<Variable<float>[], NdArray<float>, int[], Variable<float>> Loss)
{
    // Initial values differ per rank: DataParallel must replace them with rank 0's.
    public static Model Mlp(int rank, int outputs = 3) => new(
        "mlp",
        [Parameter(rank, "w1", 4, 8), Parameter(rank, "b1", 8), Parameter(rank, "w2", 8, outputs), Parameter(rank, "b2", outputs)],
        static (p, x, labels) => Ops.CrossEntropy(Ops.MatMul(Ops.Tanh(Ops.MatMul(x.ToVariable(requiresGrad: false), p[0]) + p[1]), p[2]) + p[3], labels));

    // w is used twice, so its gradient sums two contributions before it is averaged.
    public static Model SharedWeight(int rank) => new(
        "shared-weight",
        [Parameter(rank, "w", 4, 4), Parameter(rank, "v", 4, 3)],
        static (p, x, labels) => Ops.CrossEntropy(Ops.MatMul(Ops.Tanh(Ops.MatMul(Ops.Tanh(Ops.MatMul(x.ToVariable(requiresGrad: false), p[0])), p[0])), p[1]), labels));

    private static Variable<float> Parameter(int rank, string name, params int[] shape) =>
        NdArray.Multiply(NdArray.RandomNormal<float>(100 + rank, shape), 0.5f).ToVariable(name);
}
