using Autograd.Benchmarks.Table;
using BenchmarkDotNet.Running;

// `--table [--short]` runs the performance table (see README, Performance); anything else goes to BenchmarkDotNet's switcher.
if (args.Contains("--table"))
    PerformanceTable.Run(quick: args.Contains("--short"));
else
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
