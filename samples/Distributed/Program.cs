// Trains the spiral MLP of samples/Training data-parallel: run alone, it trains under `mpirun -np 1`
// and `mpirun -np 2` and prints that both reach the same accuracy; under mpirun (`train`), each rank
// trains on its shard of every epoch and rank 0 prints the result.
using System.Diagnostics;
using Autograd;
using Autograd.Distributed;
using Autograd.Optimizers;

if (args is ["train"])
{
    Train();
    return 0;
}

var accuracies = new List<string>();
foreach (var ranks in new[] { 1, 2 })
{
    Console.WriteLine($"$ mpirun -np {ranks} dotnet Distributed.dll train");
    Process job;
    try
    {
        job = Process.Start(MpiRun.OnThisMachine(ranks, typeof(Spiral).Assembly.Location, "train"))!;
    }
    catch (System.ComponentModel.Win32Exception)
    {
        Console.Error.WriteLine("mpirun was not found: install Open MPI (apt-get install openmpi-bin libopenmpi-dev).");
        return 1;
    }
    var errors = job.StandardError.ReadToEndAsync();
    var output = job.StandardOutput.ReadToEnd();
    job.WaitForExit();
    Console.Write(output);
    if (job.ExitCode != 0)
    {
        Console.Error.Write(errors.Result);
        return job.ExitCode;
    }
    accuracies.Add(output.Split('\n').Single(line => line.StartsWith("accuracy", StringComparison.Ordinal)));
}
var same = accuracies.Distinct().Count() == 1;
Console.WriteLine(same ? "1 and 2 ranks reach the same accuracy." : "1 and 2 ranks reach different accuracies!");
return same ? 0 : 1;

static void Train()
{
    const int classes = 3, pointsPerClass = 100, hidden = 32, epochs = 400;
    using var world = Communicator.Initialize();
    var (points, labels) = Spiral.Generate(pointsPerClass, classes, seed: 0);

    // Each rank may start from different values: DataParallel gives every rank rank 0's.
    var random = new Random(42 + world.Rank);
    var w1 = NdArray.Multiply(NdArray.RandomNormal<double>(random, 2, hidden), Math.Sqrt(2.0 / 2)).ToVariable("w1");
    var b1 = NdArray.Zeros<double>(hidden).ToVariable("b1");
    var w2 = NdArray.Multiply(NdArray.RandomNormal<double>(random, hidden, classes), Math.Sqrt(2.0 / hidden)).ToVariable("w2");
    var b2 = NdArray.Zeros<double>(classes).ToVariable("b2");
    using var parallel = new DataParallel<double>(world, [w1, b1, w2, b2]);
    var optimizer = new Adam<double>(parallel.Parameters, learningRate: 0.02);
    Variable<double> Logits(Variable<double> x) => Ops.MatMul(Ops.Relu(Ops.MatMul(x, w1) + b1), w2) + b2;

    // One step per epoch on the whole data set, shared among the ranks: each rank's gradient is the
    // mean over its shard, and DataParallel averages those during backward.
    var sampler = new DistributedSampler(labels.Length, world, seed: 7);
    var clock = Stopwatch.StartNew();
    for (var epoch = 0; epoch < epochs; epoch++)
    {
        var shard = sampler.Indices(epoch);
        var x = NdArray.Zeros<double>(shard.Length, 2);
        for (var i = 0; i < shard.Length; i++)
            (x[i, 0], x[i, 1]) = (points[shard[i], 0], points[shard[i], 1]);
        optimizer.ZeroGrad();
        Ops.CrossEntropy(Logits(x.ToVariable(requiresGrad: false)), [.. shard.Select(i => labels[i])]).Backward();
        optimizer.Step();
    }
    var elapsed = clock.Elapsed;

    using (Variable.NoGrad())
    {
        var predicted = NdArray.ArgMax(Logits(points.ToVariable(requiresGrad: false)).Value, axis: 1);
        var correct = labels.Where((label, i) => predicted[i] == label).Count();
        if (world.Rank == 0)
        {
            Console.WriteLine($"  {world.Size} rank(s), {sampler.ShardSize} points each per step, {epochs} steps in {elapsed.TotalSeconds:F2} s");
            Console.WriteLine($"accuracy {100.0 * correct / labels.Length:F1}%");
        }
    }
}
