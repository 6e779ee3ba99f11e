using System.Collections.Immutable;
using Autograd.CodeFixes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Autograd.Generators.Tests;

/// <summary>Runs the code fixes as an IDE does: one document in an <see cref="AdhocWorkspace"/>, the analyzer's diagnostics, the fix's edit.</summary>
internal static class CodeFixHarness
{
    public static readonly CodeFixProvider[] Providers =
        [new MakePartialCodeFix(), new MakeStaticCodeFix(), new AddBackwardCodeFix(), new AddRecordedBackwardCodeFix(), new FixBackwardParametersCodeFix()];

    public static Document Document(string source)
    {
        var workspace = new AdhocWorkspace();
        var project = workspace.AddProject(ProjectInfo.Create(
            ProjectId.CreateNewId(), VersionStamp.Default, "User", "UserAssembly", LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
            parseOptions: GeneratorHarness.ParseOptions,
            metadataReferences: GeneratorHarness.References));
        return workspace.AddDocument(project.Id, "Source0.cs", SourceText.From(source));
    }

    /// <summary>The analyzer's diagnostics with <paramref name="id"/> on the document.</summary>
    public static ImmutableArray<Diagnostic> Diagnostics(Document document, string id)
    {
        var compilation = document.Project.GetCompilationAsync().GetAwaiter().GetResult()!;
        var all = compilation.WithAnalyzers(GeneratorHarness.Analyzers).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        return [.. all.Where(d => d.Id == id).OrderBy(d => d.Location.SourceSpan.Start)];
    }

    /// <summary>Applies the one fix offered for the first <paramref name="id"/> diagnostic; returns the fixed text and the fix's title.</summary>
    public static (string Text, string Title) Fix(string source, string id)
    {
        var document = Document(source);
        var diagnostics = Diagnostics(document, id);
        Assert.That(diagnostics, Is.Not.Empty, "the source has no " + id);
        var actions = new List<CodeAction>();
        var provider = Providers.Single(p => p.FixableDiagnosticIds.Contains(id));
        var context = new CodeFixContext(document, diagnostics[0], (action, _) => actions.Add(action), CancellationToken.None);
        provider.RegisterCodeFixesAsync(context).GetAwaiter().GetResult();
        Assert.That(actions, Has.Count.EqualTo(1), "fixes offered for " + id);
        return (Apply(document, actions[0]), actions[0].Title);
    }

    /// <summary>Fix All in the document for <paramref name="id"/>.</summary>
    public static string FixAll(string source, string id)
    {
        var document = Document(source);
        var provider = Providers.Single(p => p.FixableDiagnosticIds.Contains(id));
        var fixAll = provider.GetFixAllProvider();
        Assert.That(fixAll, Is.Not.Null, id + " supports Fix All");
        var context = new FixAllContext(document, provider, FixAllScope.Document, provider.GetType().Name, [id], new Provider(id), CancellationToken.None);
        var action = fixAll!.GetFixAsync(context).GetAwaiter().GetResult();
        Assert.That(action, Is.Not.Null);
        return Apply(document, action!);
    }

    private static string Apply(Document document, CodeAction action)
    {
        var operations = action.GetOperationsAsync(CancellationToken.None).GetAwaiter().GetResult();
        var solution = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
        return solution.GetDocument(document.Id)!.GetTextAsync().GetAwaiter().GetResult().ToString();
    }

    private sealed class Provider(string id) : FixAllContext.DiagnosticProvider
    {
        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult(project.Documents.SelectMany(d => Diagnostics(d, id)));

        public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(Diagnostics(document, id));

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult(Enumerable.Empty<Diagnostic>());
    }
}
