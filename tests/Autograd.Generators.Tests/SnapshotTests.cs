using Microsoft.CodeAnalysis;
using static Autograd.Generators.Tests.GeneratorHarness;

namespace Autograd.Generators.Tests;

/// <summary>Generated source for every op shape against the checked-in baselines; each shape compiles with no error or warning.</summary>
public class SnapshotTests
{
    private static IEnumerable<string> Shapes => OpSources.All.Keys;

    [TestCaseSource(nameof(Shapes))]
    public void Generated_source_matches_the_baseline_and_compiles(string shape)
    {
        var result = Run(Compile(OpSources.All[shape]));
        var diagnostics = result.GeneratorDiagnostics
            .Concat(result.Compilation.GetDiagnostics())
            .Concat(Analyze(result.Compilation))
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Select(d => d.Id)
            .ToList();
        var expected = shape == nameof(OpSources.ArityLimit) ? new[] { "AG0020" } : [];
        Assert.That(diagnostics, Is.EqualTo(expected), () => string.Join("\n", result.Compilation.GetDiagnostics()));
        Baseline.Match(shape, result.GeneratedSources);
    }

    [Test]
    public void Baselines_exist_only_for_known_shapes()
    {
        var folders = Directory.GetDirectories(Baseline.Directory()).Select(Path.GetFileName).ToList();
        Assert.That(folders, Is.SubsetOf(OpSources.All.Keys.Concat(["HandBuiltModel"])));
    }
}
