using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Autograd;
using Basic.Reference.Assemblies;

/// <summary>
/// The same 500-op source built by the SDK's own compiler (its ReadyToRun <c>csc.dll</c>), one new
/// process per build and no build server: what <c>dotnet build -p:UseSharedCompilation=false</c>
/// runs for the project, so every build is cold and pays the JIT of the generator and analyzers.
/// Four configurations, interleaved so that a change in the machine's load hits them alike; the one
/// that compiles the generated files as plain sources tells the generator's own run apart from the
/// compiler's work on what it wrote.
/// </summary>
internal static class RealCompiler
{
    public static void Measure(string source, string generatorPath, int runs)
    {
        var csc = CompilerPath();
        var directory = Directory.CreateTempSubdirectory("autograd-genbench-");
        try
        {
            var sourcePath = Path.Combine(directory.FullName, "Ops.cs");
            File.WriteAllText(sourcePath, source);
            var references = new List<string> { typeof(NdArray<>).Assembly.Location };
            foreach (var info in Net100.ReferenceInfos.All)
            {
                var path = Path.Combine(directory.FullName, info.FileName);
                File.WriteAllBytes(path, info.ImageBytes);
                references.Add(path);
            }
            var responseFile = Path.Combine(directory.FullName, "build.rsp");
            File.WriteAllLines(responseFile,
            [
                "/nologo", "/target:library", "/optimize+", "/deterministic+", "/nullable:enable", "/langversion:preview", "/reportanalyzer",
                "/out:" + Quote(Path.Combine(directory.FullName, "FiveHundredOps.dll")),
                .. references.Select(r => "/reference:" + Quote(r)),
                Quote(sourcePath),
            ]);

            // The generated files, as csc writes them out (it wants their folder to exist).
            var generated = Path.Combine(directory.FullName, "generated");
            var generatedFiles = Path.Combine(generated, "Autograd.Generators", "Autograd.Generators.DifferentiableOpGenerator");
            Directory.CreateDirectory(generatedFiles);
            Build([csc, "@" + responseFile, "/analyzer:" + generatorPath, "/skipanalyzers+", "/generatedfilesout:" + generated]);

            (string Name, string[] Arguments)[] configurations =
            [
                ("no generator", ["/skipanalyzers+"]),
                ("its output as sources", ["/skipanalyzers+", Path.Combine(generatedFiles, "*.cs")]),
                ("generator", ["/analyzer:" + generatorPath, "/skipanalyzers+"]),
                ("generator + analyzers", ["/analyzer:" + generatorPath]),
                ("floor (Floor.cs)", ["/analyzer:" + typeof(FloorGenerator).Assembly.Location]),
            ];
            Console.WriteLine($"The SDK's compiler ({csc}) with {generatorPath}: a new process per build (cold, JIT included), {runs} builds each, medians:");
            var results = configurations.Select(_ => new List<Result>()).ToArray();
            for (var run = 0; run < runs; run++)
            {
                for (var c = 0; c < configurations.Length; c++)
                    results[c].Add(Build([csc, "@" + responseFile, .. configurations[c].Arguments]));
            }

            Console.WriteLine("configuration           CPU      wall     generator  analyzers  (CPU and wall: the whole csc process; the last two: what csc reports for them)");
            for (var c = 0; c < configurations.Length; c++)
            {
                var builds = results[c];
                Console.WriteLine($"{configurations[c].Name,-22}  {Median(builds, b => b.Cpu),5:F2} s  {Median(builds, b => b.Wall),5:F2} s  {Median(builds, b => b.Generator),7:F3} s  {Median(builds, b => b.Analyzers),7:F3} s");
            }
            var cpu = results.Select(builds => Median(builds, b => b.Cpu)).ToArray();
            Console.WriteLine($"added CPU: compiling the generated code {cpu[1] - cpu[0]:F2} s, the generator's run {cpu[2] - cpu[1]:F2} s, the analyzers {cpu[3] - cpu[2]:F2} s; in all {cpu[3] - cpu[0]:F2} s");
            var written = Directory.GetFiles(generatedFiles, "*.cs").Select(path => File.ReadAllText(path)).ToList();
            Console.WriteLine($"generated: {written.Count} files, {written.Sum(t => t.Count(c => c == '\n')):N0} lines, {written.Sum(t => t.Length) / 1e6:F2} MB");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private readonly record struct Result(double Cpu, double Wall, double Generator, double Analyzers);

    private static Result Build(string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        var before = ChildrenCpuSeconds();
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var wall = clock.Elapsed.TotalSeconds;
        if (process.ExitCode != 0 || output.Contains("warning", StringComparison.Ordinal))
            throw new InvalidOperationException("csc did not build the 500-op source cleanly:\n" + output + errors.Result);
        return new Result(ChildrenCpuSeconds() - before, wall, Reported(output, "generator"), Reported(output, "analyzer"));
    }

    /// <summary>The total csc's <c>/reportanalyzer</c> prints for generators or analyzers; 0 when it printed none.</summary>
    private static double Reported(string output, string what)
    {
        var match = Regex.Match(output, "Total " + what + " execution time: ([0-9.]+) seconds");
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    private static double Median(List<Result> builds, Func<Result, double> value)
    {
        var sorted = builds.Select(value).Order().ToList();
        return sorted[(sorted.Count - 1) / 2];
    }

    private static string Quote(string path) => "\"" + path + "\"";

    /// <summary>The SDK's csc.dll: the SDK that <c>dotnet --version</c> picks here, under the running runtime's dotnet root.</summary>
    private static string CompilerPath()
    {
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var version = new ProcessStartInfo("dotnet", "--version") { RedirectStandardOutput = true };
        using var process = Process.Start(version)!;
        var sdk = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        var csc = Path.Combine(root, "sdk", sdk, "Roslyn", "bincore", "csc.dll");
        return File.Exists(csc) ? csc : throw new FileNotFoundException("no csc.dll in the SDK " + sdk, csc);
    }

    /// <summary>CPU seconds (user + system) of every child process this one has waited for.</summary>
    private static double ChildrenCpuSeconds()
    {
        if (GetResourceUsage(-1, out var usage) != 0)
            throw new InvalidOperationException("getrusage failed");
        return usage.UserSeconds + usage.UserMicroseconds / 1e6 + usage.SystemSeconds + usage.SystemMicroseconds / 1e6;
    }

    [DllImport("libc", EntryPoint = "getrusage")]
    private static extern int GetResourceUsage(int who, out ResourceUsage usage);

    /// <summary>Linux's 64-bit <c>struct rusage</c>: two <c>timeval</c>s, then 14 counters this bench does not read.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 144)]
    private struct ResourceUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
    }
}
