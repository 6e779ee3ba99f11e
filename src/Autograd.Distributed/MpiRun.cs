using System.Diagnostics;

namespace Autograd.Distributed;

/// <summary>Starts jobs on this machine with Open MPI's <c>mpirun</c>: for tests, samples and benchmarks that launch themselves.</summary>
public static class MpiRun
{
    /// <summary>
    /// <c>mpirun --allow-run-as-root --oversubscribe --bind-to none --mca mpi_yield_when_idle 1 -np
    /// <paramref name="ranks"/> dotnet <paramref name="assembly"/> <paramref name="arguments"/></c>, with
    /// <c>TERM=dumb</c>: every rank may use every core (without <c>--bind-to none</c> each sees one), ranks
    /// waiting in MPI yield their core instead of spinning (on a machine with fewer free cores than ranks,
    /// spinning makes an all-reduce hundreds of times slower), and no rank prints terminal escape codes.
    /// Standard output and error are redirected.
    /// </summary>
    /// <param name="ranks">How many processes.</param>
    /// <param name="assembly">The path of the .NET program every rank runs.</param>
    /// <param name="arguments">Its command-line arguments.</param>
    public static ProcessStartInfo OnThisMachine(int ranks, string assembly, params string[] arguments)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ranks);
        ArgumentNullException.ThrowIfNull(assembly);
        var start = new ProcessStartInfo("mpirun")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["TERM"] = "dumb" },
        };
        foreach (var argument in (string[])["--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "--mca", "mpi_yield_when_idle", "1", "-np", $"{ranks}", "dotnet", assembly, .. arguments])
            start.ArgumentList.Add(argument);
        return start;
    }
}
