using System.Diagnostics;

namespace Autograd.Distributed.Tests;

/// <summary>Runs the test worker as a job of N ranks under mpirun (or as one plain process), with a time limit.</summary>
internal static class MpiJob
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    public sealed record Result(int ExitCode, string Output, TimeSpan Elapsed);

    /// <summary>
    /// <c>mpirun -np <paramref name="ranks"/> dotnet Autograd.Distributed.Worker.dll <paramref name="scenario"/></c>;
    /// with no <paramref name="ranks"/>, the worker alone, without mpirun. Ignores a test that needs mpirun
    /// where it is missing, and fails the test when the job outlives <see cref="Limit"/> (a hang).
    /// </summary>
    public static Result Run(string scenario, int? ranks, IReadOnlyDictionary<string, string>? environment = null)
    {
        var worker = Path.Combine(AppContext.BaseDirectory, "Autograd.Distributed.Worker.dll");
        if (ranks is not null)
            IgnoreWithoutOpenMpi();
        var start = ranks is null
            ? new ProcessStartInfo("dotnet") { ArgumentList = { worker, scenario }, RedirectStandardOutput = true, RedirectStandardError = true }
            : MpiRun.OnThisMachine(ranks.Value, worker, scenario);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"the {ranks ?? 1}-rank job '{scenario}' still ran after {Limit.TotalSeconds} s (a hang); its output:\n{output.Result}\n{error.Result}");
        }
        process.WaitForExit(); // drains the redirected streams
        return new Result(process.ExitCode, output.Result + error.Result, clock.Elapsed);
    }

    /// <summary>Ignores the test, saying how to install Open MPI, where mpirun is not on the PATH.</summary>
    public static void IgnoreWithoutOpenMpi()
    {
        if (FindOnPath("mpirun") is null)
            Assert.Ignore("mpirun is not on the PATH: install Open MPI (.ci/install-mpi, or apt-get install openmpi-bin libopenmpi-dev) to run the distributed tests.");
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);
}
