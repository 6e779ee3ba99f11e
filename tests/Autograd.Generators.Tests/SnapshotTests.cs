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
        var expected = shape switch
        {
            nameof(OpSources.ArityLimit) => new[] { "AG0020" },
            nameof(OpSources.BrokenBackward) => ["AG0008"],
            _ => [],
        };
        Assert.That(diagnostics, Is.EqualTo(expected), () => string.Join("\n", result.Compilation.GetDiagnostics()));
        Baseline.Match(shape, result.GeneratedSources);
    }

    [Test]
    public void The_forwards_docs_on_the_overloads_compile_cleanly_when_docs_are_diagnosed()
    {
        // As in a build with GenerateDocumentationFile: crefs and params in the copied docs are checked.
        var options = GeneratorHarness.ParseOptions.WithDocumentationMode(Microsoft.CodeAnalysis.DocumentationMode.Diagnose);
        var compilation = Microsoft.CodeAnalysis.CSharp.CSharpCompilation.Create("Docs",
            [Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(OpSources.Documented, options)],
            References, new Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Microsoft.CodeAnalysis.CSharp.CSharpGeneratorDriver.Create([new DifferentiableOpGenerator().AsSourceGenerator()], parseOptions: options)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var generated = output.SyntaxTrees.Single(t => t.FilePath.EndsWith("StretchNode.g.cs", StringComparison.Ordinal)).ToString();
        Assert.That(generated, Does.Contain("/// <summary>Stretches <paramref name=\"x\"/>"));
        var thin = output.SyntaxTrees.Single(t => t.FilePath.EndsWith("ThinNode.g.cs", StringComparison.Ordinal)).ToString();
        Assert.That(thin, Does.Contain("/// <summary>Scales <paramref name=\"x\"/> by <c>mask</c>,").And.Not.Contain("<param name=\"mask\">"),
            "the overloads have no out state: its param tag goes, a paramref to it becomes code text");
        Assert.That(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning), Is.Empty);
    }

    [Test]
    public void Baselines_exist_only_for_known_shapes()
    {
        var folders = Directory.GetDirectories(Baseline.Directory()).Select(Path.GetFileName).ToList();
        Assert.That(folders, Is.SubsetOf(OpSources.All.Keys.Concat(["HandBuiltModel"])));
    }
}
