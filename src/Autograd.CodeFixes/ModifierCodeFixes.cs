using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace Autograd.CodeFixes;

/// <summary>AG0001: adds <c>partial</c> to the op's type and to every enclosing type that lacks it.</summary>
[ExportCodeFixProvider(Microsoft.CodeAnalysis.LanguageNames.CSharp, Name = nameof(MakePartialCodeFix)), Shared]
public sealed class MakePartialCodeFix : ModifierCodeFix
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("AG0001");

    private protected override string Title => "Make the type and its enclosing types partial";

    /// <summary>The type, its enclosing types, and the nested types between it and the ops it holds.</summary>
    private protected override IEnumerable<SyntaxNode> Targets(SyntaxNode node)
    {
        var type = node.FirstAncestorOrSelf<TypeDeclarationSyntax>();
        if (type is null)
            return [];
        var ops = type.DescendantNodes().OfType<MethodDeclarationSyntax>().Where(IsOp);
        return type.AncestorsAndSelf().OfType<TypeDeclarationSyntax>()
            .Concat(ops.SelectMany(op => op.Ancestors().OfType<TypeDeclarationSyntax>().TakeWhile(t => t != type)));
    }

    private static bool IsOp(MethodDeclarationSyntax method) =>
        method.AttributeLists.SelectMany(l => l.Attributes).Any(a => a.Name.ToString() is var name
            && (name.EndsWith("DifferentiableOp", StringComparison.Ordinal) || name.EndsWith("DifferentiableOpAttribute", StringComparison.Ordinal)));

    private protected override DeclarationModifiers Change(DeclarationModifiers modifiers) => modifiers.WithPartial(true);
}

/// <summary>AG0002 and AG0010: adds <c>static</c> to an op's forward or backward.</summary>
[ExportCodeFixProvider(Microsoft.CodeAnalysis.LanguageNames.CSharp, Name = nameof(MakeStaticCodeFix)), Shared]
public sealed class MakeStaticCodeFix : ModifierCodeFix
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("AG0002", "AG0010");

    private protected override string Title => "Make the method static";

    private protected override IEnumerable<SyntaxNode> Targets(SyntaxNode node) =>
        node.AncestorsAndSelf().OfType<MethodDeclarationSyntax>().Take(1);

    private protected override DeclarationModifiers Change(DeclarationModifiers modifiers) => modifiers.WithIsStatic(true);
}

/// <summary>
/// A fix that adds a modifier to declarations found from each diagnostic's location; Fix All applies
/// every diagnostic of a document in one edit, so nested or repeated targets are changed once.
/// </summary>
public abstract class ModifierCodeFix : CodeFixProvider
{
    private protected abstract string Title { get; }

    /// <summary>The declarations to change for a diagnostic on <paramref name="node"/>.</summary>
    private protected abstract IEnumerable<SyntaxNode> Targets(SyntaxNode node);

    private protected abstract DeclarationModifiers Change(DeclarationModifiers modifiers);

    /// <inheritdoc />
    public sealed override FixAllProvider GetFixAllProvider() =>
        FixAllProvider.Create(async (context, document, diagnostics) =>
            await ApplyAsync(document, diagnostics, context.CancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public sealed override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            context.RegisterCodeFix(
                CodeAction.Create(Title, token => ApplyAsync(context.Document, ImmutableArray.Create(diagnostic), token), equivalenceKey: GetType().Name),
                diagnostic);
        }
        return Task.CompletedTask;
    }

    private async Task<Document> ApplyAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
            return document;
        var generator = SyntaxGenerator.GetGenerator(document);
        var targets = diagnostics
            .SelectMany(d => Targets(root.FindNode(d.Location.SourceSpan)))
            .Where(node => Change(generator.GetModifiers(node)) != generator.GetModifiers(node))
            .Distinct()
            .ToList();
        var fixedRoot = root.ReplaceNodes(targets, (_, rewritten) => generator.WithModifiers(rewritten, Change(generator.GetModifiers(rewritten))));
        return document.WithSyntaxRoot(fixedRoot);
    }
}
