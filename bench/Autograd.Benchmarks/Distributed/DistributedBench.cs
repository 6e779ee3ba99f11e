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
    private const int Batch = 256, Inputs = 64, Hidden = 512, Classes = 10, Warmup = 5, Steps = 30;

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
            var job = Process.Start(new ProcessStartInfo("mpirun")
            {
                ArgumentList = { "--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-np", $"{ranks}", "dotnet", typeof(DistributedBench).Assembly.Location, "distributed", "rank" },
                Environment = { ["TERM"] = "dumb" },
            })!;
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
        var blockedAfterBackward = 0.0;
        foreach (var overlap in new[] { false, true })
        {
            var random = new Random(1);
            Variable<float> Weight(int rows, int columns) =>
                NdArray.Multiply(NdArray.RandomNormal<float>(random, rows, columns), MathF.Sqrt(2f / rows)).ToVariable();
            Variable<float>[] p = [Weight(Inputs, Hidden), NdArray.Zeros<float>(Hidden).ToVariable(), Weight(Hidden, Hidden), NdArray.Zeros<float>(Hidden).ToVariable(), Weight(Hidden, Classes), NdArray.Zeros<float>(Classes).ToVariable()];
            using var parallel = new DataParallel<float>(world, p, bucketBytes: 256 << 10, overlap);
            var optimizer = new Adam<float>(p, learningRate: 1e-3);
            var (elapsed, waited) = (TimeSpan.Zero, TimeSpan.Zero);
            for (var step = 0; step < Warmup + Steps; step++)
            {
                world.Barrier();
                var clock = Stopwatch.StartNew();
                optimizer.ZeroGrad();
                var activations = Ops.Relu(Ops.MatMul(Ops.Relu(Ops.MatMul(x, p[0]) + p[1]), p[2]) + p[3]);
                Ops.CrossEntropy(Ops.MatMul(activations, p[4]) + p[5], labels).Backward();
                if (!overlap)
                    parallel.AverageGradients();
                optimizer.Step();
                if (step >= Warmup)
                    (elapsed, waited) = (elapsed + clock.Elapsed, waited + parallel.LastWait);
            }
            var (stepMs, blockedMs) = (elapsed.TotalMilliseconds / Steps, waited.TotalMilliseconds / Steps);
            // Averaging after backward blocks for the whole all-reduce; during it, only for what backward did not hide.
            var hidden = overlap && world.Size > 1 ? $"{100 * (1 - blockedMs / blockedAfterBackward):F0}%" : "—";
            blockedAfterBackward = blockedMs;
            if (world.Rank == 0)
                Console.WriteLine($"| {world.Size} | {(overlap ? "during backward" : "after backward")} | {stepMs:F1} | {stepMs * 1000 / Batch:F1} | {blockedMs:F2} | {hidden} |");
        }
    }
}
