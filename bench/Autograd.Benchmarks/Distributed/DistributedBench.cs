using System.Diagnostics;
using Autograd.Distributed;
using Autograd.Optimizers;

namespace Autograd.Benchmarks.Distributed;

/// <summary>
/// The MLP training step on 1 and 2 ranks (BenchmarkDotNet runs one process; this needs mpirun).
/// <c>dotnet run -c Release --project bench/Autograd.Benchmarks -- distributed</c> launches
/// <c>mpirun -np 1</c> and <c>-np 2</c> of this same program, which time the step with gradients
/// averaged after backward and during it, and prints one table.
/// </summary>
internal static class DistributedBench
{
    private const int Batch = 256, Inputs = 64, Hidden = 512, Classes = 10, Warmup = 15, Steps = 30;

    public static int Run(string[] args)
    {
        if (args is [_, "rank"])
        {
            MeasureOnEveryRank();
            return 0;
        }
        Console.WriteLine($"MLP {Inputs}-{Hidden}-{Hidden}-{Classes} (float), global batch {Batch}, Adam, {Steps} steps after {Warmup} warm-up; {Environment.ProcessorCount} cores");
        Console.WriteLine("| ranks | averaging | ms per step | µs per sample | blocked in all-reduce per step (ms) | all-reduce time hidden behind backward |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var ranks in new[] { 1, 2 })
        {
            var start = MpiRun.OnThisMachine(ranks, typeof(DistributedBench).Assembly.Location, "distributed", "rank");
            start.RedirectStandardOutput = start.RedirectStandardError = false;
            var job = Process.Start(start)!;
            job.WaitForExit();
            if (job.ExitCode != 0)
                return job.ExitCode;
        }
        return 0;
    }

    private static void MeasureOnEveryRank()
    {
        using var world = Communicator.Initialize();
        var perRank = Batch / world.Size;
        var x = NdArray.RandomNormal<float>(world.Rank, perRank, Inputs).ToVariable(requiresGrad: false);
        var labels = Enumerable.Range(0, perRank).Select(i => i % Classes).ToArray();
        // Both ways of averaging train their own copy of the model, step by step in turn, so neither
        // runs while the JIT is still warming up more than the other.
        Trainer[] trainers = [new(world, overlap: false), new(world, overlap: true)];
        for (var step = 0; step < Warmup + Steps; step++)
        {
            foreach (var trainer in trainers)
                trainer.Step(x, labels, measured: step >= Warmup);
        }
        foreach (var trainer in trainers)
        {
            var (stepMs, blockedMs) = (trainer.Elapsed.TotalMilliseconds / Steps, trainer.Blocked.TotalMilliseconds / Steps);
            // Averaging after backward blocks for the whole all-reduce; during it, only for what backward did not hide.
            var hidden = trainer.Parallel.Overlaps && world.Size > 1 ? $"{100 * (1 - (trainer.Blocked / trainers[0].Blocked)):F0}%" : "—";
            if (world.Rank == 0)
                Console.WriteLine($"| {world.Size} | {(trainer.Parallel.Overlaps ? "during backward" : "after backward")} | {stepMs:F1} | {stepMs * 1000 / Batch:F1} | {blockedMs:F2} | {hidden} |");
        }
        if (world.Size > 1)
            TimeAllReduceAlone(world);
    }

    // What the wire costs, without waiting for a slower rank: every rank enters together.
    private static void TimeAllReduceAlone(Communicator world)
    {
        var gradients = new float[(Inputs * Hidden) + Hidden + (Hidden * Hidden) + Hidden + (Hidden * Classes) + Classes];
        var elapsed = TimeSpan.Zero;
        for (var i = 0; i < Warmup + Steps; i++)
        {
            world.Barrier();
            var clock = Stopwatch.StartNew();
            world.AllReduceSum<float>(gradients);
            if (i >= Warmup)
                elapsed += clock.Elapsed;
        }
        if (world.Rank == 0)
            Console.WriteLine($"\nAll-reduce of the {gradients.Length} gradient floats alone, every rank entering together: {elapsed.TotalMilliseconds / Steps:F2} ms on {world.Size} ranks.");
    }

    private sealed class Trainer
    {
        private readonly Variable<float>[] _p;
        private readonly Adam<float> _optimizer;

        public Trainer(Communicator world, bool overlap)
        {
            var random = new Random(1);
            Variable<float> Weight(int rows, int columns) =>
                NdArray.Multiply(NdArray.RandomNormal<float>(random, rows, columns), MathF.Sqrt(2f / rows)).ToVariable();
            _p = [Weight(Inputs, Hidden), NdArray.Zeros<float>(Hidden).ToVariable(), Weight(Hidden, Hidden), NdArray.Zeros<float>(Hidden).ToVariable(), Weight(Hidden, Classes), NdArray.Zeros<float>(Classes).ToVariable()];
            Parallel = new DataParallel<float>(world, _p, bucketBytes: 256 << 10, overlap);
            _optimizer = new Adam<float>(_p, learningRate: 1e-3);
        }

        public DataParallel<float> Parallel { get; }

        public TimeSpan Elapsed { get; private set; }

        public TimeSpan Blocked { get; private set; }

        public void Step(Variable<float> x, int[] labels, bool measured)
        {
            Parallel.Communicator.Barrier();
            var clock = Stopwatch.StartNew();
            _optimizer.ZeroGrad();
            var activations = Ops.Relu(Ops.MatMul(Ops.Relu(Ops.MatMul(x, _p[0]) + _p[1]), _p[2]) + _p[3]);
            Ops.CrossEntropy(Ops.MatMul(activations, _p[4]) + _p[5], labels).Backward();
            if (!Parallel.Overlaps)
                Parallel.AverageGradients();
            _optimizer.Step();
            if (measured)
                (Elapsed, Blocked) = (Elapsed + clock.Elapsed, Blocked + Parallel.LastWait);
        }
    }
}
