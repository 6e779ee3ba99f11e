using System.Collections.Immutable;
using System.Reflection;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Autograd.Generators.Tests;

/// <summary>Compiles user code in memory with the generator and the analyzer, as a real build would.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview);

    public static readonly ImmutableArray<MetadataReference> References =
    [
        .. Net100.References.All,
        MetadataReference.CreateFromFile(typeof(NdArray<>).Assembly.Location),
    ];

    public const string Usings = "using System;\nusing System.Numerics;\nusing Autograd;\n";

    public static CSharpCompilation Compile(params string[] sources) => CompileAs("UserAssembly", sources);

    public static CSharpCompilation CompileAs(string assemblyName, params string[] sources) =>
        CSharpCompilation.Create(
            assemblyName,
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            [new DifferentiableOpGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator; returns the compilation with generated sources and the generator's own diagnostics.</summary>
    public static GeneratorResult Run(CSharpCompilation compilation)
    {
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        return new GeneratorResult(driver, (CSharpCompilation)output, generatorDiagnostics, driver.GetRunResult());
    }

    /// <summary>The analyzer's diagnostics on <paramref name="compilation"/> (after generation, as in a build).</summary>
    public static ImmutableArray<Diagnostic> Analyze(Compilation compilation) =>
        compilation.WithAnalyzers(Analyzers).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();

    /// <summary>Every analyzer the package ships.</summary>
    public static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = [new DifferentiableOpAnalyzer(), new InPlaceWriteAnalyzer()];

    /// <summary>Generates, checks there is no error or warning anywhere, emits and loads the assembly.</summary>
    public static Assembly CompileAndLoad(params string[] sources) => CompileAndLoadAllowing([], sources);

    /// <summary>Like <see cref="CompileAndLoad"/>, tolerating the warnings listed in <paramref name="allowed"/>.</summary>
    public static Assembly CompileAndLoadAllowing(string[] allowed, params string[] sources)
    {
        var result = Run(Compile(sources));
        var problems = result.GeneratorDiagnostics
            .Concat(result.Compilation.GetDiagnostics())
            .Concat(Analyze(result.Compilation))
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && !(d.Severity == DiagnosticSeverity.Warning && allowed.Contains(d.Id)))
            .ToList();
        Assert.That(problems, Is.Empty, () => string.Join("\n", problems) + "\n" + string.Join("\n\n", result.GeneratedSources.Select(s => s.Text)));
        using var stream = new MemoryStream();
        var emit = result.Compilation.Emit(stream);
        Assert.That(emit.Success, Is.True, () => string.Join("\n", emit.Diagnostics));
        return Assembly.Load(stream.ToArray());
    }

    public static object? Invoke(Assembly assembly, string typeName, string methodName, params object?[] args)
    {
        var type = assembly.GetType(typeName, throwOnError: true)!;
        var method = type.GetMethod(methodName, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!;
        try
        {
            return method.Invoke(null, args);
        }
        catch (TargetInvocationException exception) when (exception.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(exception.InnerException).Throw();
            throw;
        }
    }
}

internal sealed record GeneratorResult(
    GeneratorDriver Driver,
    CSharpCompilation Compilation,
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    GeneratorDriverRunResult RunResult)
{
    public IReadOnlyList<(string HintName, string Text)> GeneratedSources =>
        RunResult.Results.SelectMany(r => r.GeneratedSources).Select(s => (s.HintName, s.SourceText.ToString())).ToList();
}
