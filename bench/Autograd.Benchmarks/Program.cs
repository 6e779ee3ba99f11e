using Autograd.Benchmarks.Distributed;
using Autograd.Benchmarks.Table;
using BenchmarkDotNet.Running;

// `--table [--short]` runs the performance table and `distributed` the multi-rank step (see README,
// Performance and Beyond one machine); anything else goes to BenchmarkDotNet's switcher.
if (args is ["distributed", ..])
    return DistributedBench.Run(args);
if (args.Contains("--table"))
    PerformanceTable.Run(quick: args.Contains("--short"));
else
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
