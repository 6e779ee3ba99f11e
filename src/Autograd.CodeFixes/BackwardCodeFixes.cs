using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Autograd.Generators;
using Autograd.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace Autograd.CodeFixes;

/// <summary>
/// AG0008: writes the missing backward after the forward, with its exact signature (the output
/// gradient, the forward's parameters, one <c>GradSlot</c> per array input, the forward's type
/// parameters and constraints) and a body that throws for every slot until it is written.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddBackwardCodeFix)), Shared]
public sealed class AddBackwardCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("AG0008");

    /// <inheritdoc />
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        if (await BackwardParameters.MethodAtAsync(context).ConfigureAwait(false) is not var (root, _, forward, symbol))
            return;
        var diagnostic = context.Diagnostics[0];
        var name = Symbols.BackwardName(symbol, Symbols.OpAttribute(symbol));
        context.RegisterCodeFix(
            CodeAction.Create("Generate backward '" + name + "'",
                _ => Task.FromResult(context.Document.WithSyntaxRoot(root.InsertNodesAfter(forward, [Backward(forward, symbol, name)]))),
                equivalenceKey: nameof(AddBackwardCodeFix)),
            diagnostic);
    }

    private static MemberDeclarationSyntax Backward(MethodDeclarationSyntax forward, IMethodSymbol symbol, string name)
    {
        Symbols.IsNdArray(symbol.ReturnType, out var element);
        var arrays = symbol.Parameters.Where(p => Symbols.IsArrayInput(p.Type)).ToList();
        var taken = new HashSet<string>(symbol.Parameters.Select(p => p.Name));
        var slots = arrays.Select(p => BackwardParameters.Unique("d" + p.Name, taken)).ToList();
        var gradient = BackwardParameters.Unique(taken.Contains("dy") ? "outputGradient" : "dy", taken);
        var each = BackwardParameters.Unique("slot", taken);

        var parameters = new List<string> { Type(symbol.ReturnType) + " " + gradient };
        parameters.AddRange(symbol.Parameters.Select(p => Type(p.Type) + " " + Identifiers.Escape(p.Name)));
        parameters.AddRange(slots.Select((s, i) => BackwardParameters.SlotType(element, arrays[i]) + " " + s));

        var text = new StringBuilder();
        text.Append("static void ").Append(name).Append(forward.TypeParameterList?.ToString() ?? string.Empty)
            .Append('(').Append(string.Join(", ", parameters)).Append(')');
        foreach (var clause in forward.ConstraintClauses)
            text.Append(' ').Append(clause.WithoutTrivia().ToString());
        text.Append('\n').Append(BackwardParameters.ThrowingBody(slots.Select((s, i) => (s, Symbols.IsVariadicInput(arrays[i].Type, out _))), each));
        return BackwardParameters.Annotate(SyntaxFactory.ParseMemberDeclaration(text.ToString())!);
    }

    private static string Type(ITypeSymbol type) => type.ToDisplayString(Symbols.TypeFormat);
}

/// <summary>
/// AG0027: writes the recorded backward (on <c>Variable</c>s) the diagnostic names, with the same signature,
/// after the array backward (or the forward), and a body that throws for every slot until it is written.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddRecordedBackwardCodeFix)), Shared]
public sealed class AddRecordedBackwardCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("AG0027");

    /// <inheritdoc />
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        if (await BackwardParameters.MethodAtAsync(context).ConfigureAwait(false) is not var (root, _, forward, symbol)
            || !Symbols.IsNdArray(symbol.ReturnType, out var element))
        {
            return;
        }
        var name = Symbols.BackwardName(symbol, Symbols.OpAttribute(symbol));
        var arrays = OpParser.BackwardCandidates(symbol.ContainingType, name, element).Arrays;
        var backward = arrays.Count == 1 ? arrays[0] : null;
        var forwardParameters = symbol.Parameters.Where(p => p.RefKind != RefKind.Out).ToList();
        var state = symbol.Parameters.FirstOrDefault(p => p.RefKind == RefKind.Out);
        var signature = OpParser.RecordedSignature(symbol, backward, element, forwardParameters, state, name, qualified: true);
        var after = backward?.DeclaringSyntaxReferences.Select(r => r.GetSyntax(context.CancellationToken))
            .OfType<MethodDeclarationSyntax>().FirstOrDefault(m => m.SyntaxTree == root.SyntaxTree) ?? forward;
        context.RegisterCodeFix(
            CodeAction.Create("Generate recorded backward '" + name + "'",
                _ => Task.FromResult(context.Document.WithSyntaxRoot(root.InsertNodesAfter(after, [Recorded(signature)]))),
                equivalenceKey: nameof(AddRecordedBackwardCodeFix)),
            context.Diagnostics[0]);
    }

    private static MemberDeclarationSyntax Recorded(string signature)
    {
        var parameters = ((MethodDeclarationSyntax)SyntaxFactory.ParseMemberDeclaration(signature + ";")!).ParameterList.Parameters;
        var slots = parameters.Where(p => IsSlot(p.Type)).Select(p => (p.Identifier.Text, p.Type is QualifiedNameSyntax { Right.Identifier.ValueText: "ReadOnlySpan" })).ToList();
        var each = BackwardParameters.Unique("slot", new HashSet<string>(parameters.Select(p => p.Identifier.ValueText)));
        return BackwardParameters.Annotate(SyntaxFactory.ParseMemberDeclaration(signature + "\n" + BackwardParameters.ThrowingBody(slots, each))!);
    }

    /// <summary>True for <c>GradSlot&lt;E&gt;</c> and <c>ReadOnlySpan&lt;GradSlot&lt;E&gt;&gt;</c> as <see cref="OpParser.RecordedSignature"/> writes them.</summary>
    private static bool IsSlot(TypeSyntax? type) => type is QualifiedNameSyntax { Right: GenericNameSyntax generic }
        && (generic.Identifier.ValueText == "GradSlot" || generic.Identifier.ValueText == "ReadOnlySpan" && IsSlot(generic.TypeArgumentList.Arguments[0]));
}

/// <summary>
/// AG0016, AG0017 and AG0029: rewrites a backward's parameter list in the order the op contract wants:
/// the output gradient, what it takes from the forward in the forward's order (then the state, then
/// <c>output</c>), then one slot per array input (<c>GradSlot</c>, or <c>ReadOnlySpan&lt;GradSlot&gt;</c>
/// for a variadic one). Slots already declared keep their names.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(FixBackwardParametersCodeFix)), Shared]
public sealed class FixBackwardParametersCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("AG0016", "AG0017", "AG0029");

    /// <inheritdoc />
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        if (await BackwardParameters.MethodAtAsync(context).ConfigureAwait(false) is not var (root, model, backward, symbol)
            || backward.ParameterList.Parameters.Count == 0
            || BackwardParameters.ForwardOf(symbol) is not { } forward)
        {
            return;
        }
        var diagnostic = context.Diagnostics[0];
        var list = BackwardParameters.Fix(backward.ParameterList, model, forward, context.CancellationToken);
        context.RegisterCodeFix(
            CodeAction.Create("Fix the parameter list of '" + symbol.Name + "'",
                _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(backward.ParameterList, list))),
                equivalenceKey: nameof(FixBackwardParametersCodeFix)),
            diagnostic);
    }
}

/// <summary>The backward parameter rules the fixes share.</summary>
internal static class BackwardParameters
{
    /// <summary>The method declaration at the first diagnostic of <paramref name="context"/>, with its symbol.</summary>
    public static async Task<(SyntaxNode Root, SemanticModel Model, MethodDeclarationSyntax Method, IMethodSymbol Symbol)?> MethodAtAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        var method = root?.FindNode(context.Diagnostics[0].Location.SourceSpan).FirstAncestorOrSelf<MethodDeclarationSyntax>();
        if (root is null || model is null || method is null || model.GetDeclaredSymbol(method, context.CancellationToken) is not { } symbol)
            return null;
        return (root, model, method, symbol);
    }

    /// <summary>The op whose backward is <paramref name="backward"/>, or null.</summary>
    public static IMethodSymbol? ForwardOf(IMethodSymbol backward) =>
        backward.ContainingType.GetMembers().OfType<IMethodSymbol>()
            .FirstOrDefault(m => Symbols.OpAttribute(m) is { } attribute && Symbols.BackwardName(m, attribute) == backward.Name);

    /// <summary><paramref name="name"/>, or with a number appended when taken; the result is marked taken.</summary>
    public static string Unique(string name, HashSet<string> taken)
    {
        var candidate = name;
        for (var i = 2; !taken.Add(candidate); i++)
            candidate = name + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Identifiers.Escape(candidate);
    }

    /// <summary>A body with a line per slot that throws while the slot is needed; a variadic slot's elements are each tested as <paramref name="each"/>.</summary>
    public static string ThrowingBody(IEnumerable<(string Slot, bool Variadic)> slots, string each)
    {
        var text = new StringBuilder("{\n");
        foreach (var (slot, variadic) in slots)
        {
            if (variadic)
                text.Append("foreach (var ").Append(each).Append(" in ").Append(slot).Append(")\n    ");
            text.Append("if (").Append(variadic ? each : slot).Append(".IsNeeded) throw new global::System.NotImplementedException();\n");
        }
        return text.Append("}\n").ToString();
    }

    /// <summary><paramref name="method"/> on a line of its own, for the simplifier to shorten its <c>global::</c> names and the formatter to indent it.</summary>
    public static MemberDeclarationSyntax Annotate(MemberDeclarationSyntax method) =>
        method.WithLeadingTrivia(SyntaxFactory.ElasticCarriageReturnLineFeed).WithAdditionalAnnotations(Simplifier.Annotation, Formatter.Annotation);

    /// <summary>
    /// The slot type of array input <paramref name="input"/>: <c>GradSlot&lt;E&gt;</c>, or <c>ReadOnlySpan&lt;GradSlot&lt;E&gt;&gt;</c>
    /// for a variadic one; <c>global::</c>-qualified for the simplifier to shorten.
    /// </summary>
    public static string SlotType(ITypeSymbol element, IParameterSymbol input)
    {
        var slot = "global::Autograd.GradSlot<" + element.ToDisplayString(Symbols.TypeFormat) + ">";
        return Symbols.IsVariadicInput(input.Type, out _) ? "global::System.ReadOnlySpan<" + slot + ">" : slot;
    }

    public static ParameterListSyntax Fix(ParameterListSyntax list, SemanticModel model, IMethodSymbol forward, CancellationToken cancellationToken)
    {
        Symbols.IsNdArray(forward.ReturnType, out var element);
        var forwardParameters = forward.Parameters.Where(p => p.RefKind != RefKind.Out).ToList();
        var state = forward.Parameters.FirstOrDefault(p => p.RefKind == RefKind.Out);
        int Ordinal(ParameterSyntax parameter)
        {
            var name = parameter.Identifier.ValueText;
            var index = forwardParameters.FindIndex(p => p.Name == name);
            if (index >= 0)
                return index;
            if (state?.Name == name)
                return forwardParameters.Count;
            return name == OpParser.OutputName ? forwardParameters.Count + 1 : forwardParameters.Count + 2;
        }
        bool IsSlot(ParameterSyntax parameter) =>
            model.GetDeclaredSymbol(parameter, cancellationToken) is { } symbol && Symbols.IsSlotLike(symbol.Type);

        var rest = list.Parameters.Skip(1).ToList();
        var slots = rest.Where(IsSlot).ToList();
        var parameters = new List<ParameterSyntax> { list.Parameters[0] };
        parameters.AddRange(rest.Where(p => !IsSlot(p)).OrderBy(Ordinal));

        var arrays = forwardParameters.Where(p => Symbols.IsArrayInput(p.Type)).ToList();
        var taken = new HashSet<string>(list.Parameters.Select(p => p.Identifier.ValueText));
        for (var i = 0; i < arrays.Count; i++)
        {
            var slotType = SyntaxFactory.ParseTypeName(SlotType(element, arrays[i])).WithAdditionalAnnotations(Simplifier.Annotation);
            var slot = i < slots.Count
                ? slots[i]
                : SyntaxFactory.Parameter(SyntaxFactory.Identifier(Unique("d" + arrays[i].Name, taken)));
            parameters.Add(slot.WithType(slotType).WithModifiers(default).WithDefault(null));
        }
        return list.WithParameters(SyntaxFactory.SeparatedList(parameters.Select(p => p.WithoutTrivia())))
            .WithAdditionalAnnotations(Formatter.Annotation);
    }
}
