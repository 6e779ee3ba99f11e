using Autograd.Benchmarks.Distributed;
using BenchmarkDotNet.Running;

if (args is ["distributed", ..])
    return DistributedBench.Run(args);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
