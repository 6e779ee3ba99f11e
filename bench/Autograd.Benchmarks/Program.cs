using Autograd.Benchmarks.Distributed;
using Autograd.Benchmarks.Kernels;
using Autograd.Benchmarks.Table;
using BenchmarkDotNet.Running;

// `--table [--short]` runs the performance table, `mlp-steps` 1,000 MLP training steps (bytes and
// collections per step), `fresh-4m [--batch] [part…] [interleaved]` where a 4M-element multiply
// with a new result spends its time (collector, page faults, kernel), `distributed` the multi-rank
// step (see README, Performance and Beyond one machine) and `matmul-cpu` the matmul kernel cases by
// CPU time (see Kernels/RESULTS.md); anything else goes to BenchmarkDotNet's switcher.
if (args is ["distributed", ..])
    return DistributedBench.Run(args);
if (args is ["mlp-steps"])
    return MlpStep.RunSteps();
if (args is ["fresh-4m", .. var parts])
    return FreshResult.Run(parts);
if (args is ["matmul-cpu", .. var shapes])
    return MatMulCpuTime.Run(shapes);
if (args.Contains("--table"))
    PerformanceTable.Run(quick: args.Contains("--short"));
else
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
