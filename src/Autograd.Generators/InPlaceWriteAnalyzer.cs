using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Autograd.Generators.Diagnostics;
using Autograd.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Autograd.Generators;

/// <summary>
/// Warns where an op's forward writes into one of its array inputs (AG0025), or its backward into the
/// output gradient or a saved value (AG0026): an <c>…InPlace</c> call or <c>Fill</c> on it, an
/// <c>into:</c> destination, or an indexer write, directly or through a view (Slice, Transpose,
/// Reshape, …) taken of it in the same method; an element of a variadic input (<c>xs[i]</c>, or the
/// variable of a <c>foreach</c> over it) counts as that input. The diagnostic sits on the write.
/// Only a body whose syntax holds such a write gets an operation tree (binding it a second time is
/// most of this analyzer's cost): an element assignment or increment, a call named <c>Fill</c> or
/// <c>…InPlace</c>, a named <c>into:</c> argument, or a call with enough arguments to reach the
/// <c>into</c> parameter of a method of that name, of the runtime's <c>NdArray</c> or of this
/// compilation, positionally. (A positional argument to an <c>into</c> parameter of another library
/// goes unseen.)
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class InPlaceWriteAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Methods that return a view sharing their array's storage.</summary>
    private static readonly ImmutableHashSet<string> ViewMethods =
        ImmutableHashSet.Create("Reshape", "Transpose", "Permute", "Slice", "Pick", "BroadcastTo", "Unsqueeze", "Squeeze");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.ForwardWritesInput, DiagnosticDescriptors.BackwardWritesInput);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (start.Compilation.GetTypeByMetadataName(Symbols.AttributeMetadataName) is null)
                return;
            var backwardNames = new ConcurrentDictionary<INamedTypeSymbol, HashSet<string>>(SymbolEqualityComparer.Default);
            var compilation = start.Compilation;
            var arrayTypes = new[] { "Autograd.NdArray", "Autograd.NdArray`1" }.Select(compilation.GetTypeByMetadataName).OfType<INamedTypeSymbol>().ToList();
            var intoArguments = new ConcurrentDictionary<string, int>();
            // Operation trees are built only for ops and backwards, so other methods cost nothing. A code
            // block action rather than a symbol-start action: the analyzer driver then keeps no
            // per-symbol scope for every method of the compilation.
            start.RegisterCodeBlockAction(block =>
            {
                if (block.OwningSymbol is not IMethodSymbol method || !HasArrayParameter(method))
                    return;
                var isForward = Symbols.OpAttribute(method) is not null;
                if ((isForward || backwardNames.GetOrAdd(method.ContainingType, BackwardNames).Contains(method.Name))
                    && MayWrite(block.CodeBlock, name => intoArguments.GetOrAdd(name, n => IntoArguments(compilation, arrayTypes, n))))
                {
                    Analyze(block, method, isForward);
                }
            });
        });
    }

    private static bool HasArrayParameter(IMethodSymbol method)
    {
        foreach (var parameter in method.Parameters)
        {
            if (Symbols.IsArrayInput(parameter.Type))
                return true;
        }
        return false;
    }

    /// <summary>True when <paramref name="body"/> holds a write the operation walk below could report.</summary>
    private static bool MayWrite(SyntaxNode body, Func<string, int> intoArguments)
    {
        foreach (var node in body.DescendantNodes())
        {
            switch (node)
            {
                case AssignmentExpressionSyntax assignment when IsElement(assignment.Left):
                case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression } prefix when IsElement(prefix.Operand):
                case PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression or (int)SyntaxKind.PostDecrementExpression } postfix when IsElement(postfix.Operand):
                case ArgumentSyntax { NameColon.Name.Identifier.ValueText: "into" }:
                    return true;
                case InvocationExpressionSyntax invocation:
                    if (InvokedName(invocation.Expression) is not { } name || name == "Fill" || name.EndsWith("InPlace", StringComparison.Ordinal)
                        || invocation.ArgumentList.Arguments.Count >= intoArguments(name))
                    {
                        return true;
                    }
                    break;
            }
        }
        return false;
    }

    private static bool IsElement(ExpressionSyntax expression)
    {
        while (expression is ParenthesizedExpressionSyntax parenthesized)
            expression = parenthesized.Expression;
        return expression is ElementAccessExpressionSyntax;
    }

    /// <summary>The name of the method a call names, or null for a call of anything else (a delegate from an expression).</summary>
    private static string? InvokedName(ExpressionSyntax expression) => expression switch
    {
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
        MemberBindingExpressionSyntax binding => binding.Name.Identifier.ValueText,
        _ => null,
    };

    /// <summary>
    /// The fewest arguments a call of a method called <paramref name="name"/> (of the runtime's <c>NdArray</c>
    /// or of this compilation) needs to reach an <c>into</c> parameter positionally, counting an extension
    /// method's receiver as written before the dot; <see cref="int.MaxValue"/> when none has one.
    /// </summary>
    private static int IntoArguments(Compilation compilation, List<INamedTypeSymbol> arrayTypes, string name)
    {
        var fewest = int.MaxValue;
        foreach (var member in arrayTypes.SelectMany(type => type.GetMembers(name)).Concat(compilation.GetSymbolsWithName(name, SymbolFilter.Member)))
        {
            if (member is not IMethodSymbol method)
                continue;
            foreach (var parameter in method.Parameters)
            {
                if (parameter.Name == "into")
                    fewest = Math.Min(fewest, parameter.Ordinal + (method.IsExtensionMethod ? 0 : 1));
            }
        }
        return fewest;
    }

    private static HashSet<string> BackwardNames(INamedTypeSymbol type) =>
        new(type.GetMembers().OfType<IMethodSymbol>().Select(m => (Method: m, Attribute: Symbols.OpAttribute(m)))
            .Where(m => m.Attribute is not null).Select(m => Symbols.BackwardName(m.Method, m.Attribute)));

    private static void Analyze(CodeBlockAnalysisContext context, IMethodSymbol method, bool isForward)
    {
        if (context.SemanticModel.GetOperation(context.CodeBlock, context.CancellationToken) is not { } body)
            return;
        var arrays = method.Parameters.Where(p => p.RefKind != RefKind.Out && Symbols.IsArrayInput(p.Type)).ToList();
        var views = new Dictionary<ILocalSymbol, IParameterSymbol>(SymbolEqualityComparer.Default);

        // Which protected parameter an expression's array shares storage with, and the local view it went through.
        (IParameterSymbol Parameter, ILocalSymbol? View)? Root(IOperation? operation)
        {
            switch (operation)
            {
                case IConversionOperation conversion:
                    return Root(conversion.Operand);
                case IArrayElementReferenceOperation element: // an element of a variadic input is an input
                    return Root(element.ArrayReference);
                case IParameterReferenceOperation reference when arrays.Contains(reference.Parameter, SymbolEqualityComparer.Default):
                    return (reference.Parameter, null);
                case ILocalReferenceOperation local when views.TryGetValue(local.Local, out var parameter):
                    return (parameter, local.Local);
                case IInvocationOperation invocation when ViewMethods.Contains(invocation.TargetMethod.Name):
                    return Root(Destination(invocation));
                default:
                    return null;
            }
        }

        void Report(IOperation write, IOperation? destination, string how)
        {
            if (Root(destination) is not var (parameter, view))
                return;
            var through = how + (view is null ? string.Empty : " (via its view '" + view.Name + "')");
            if (isForward)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ForwardWritesInput, write.Syntax.GetLocation(), method.Name, parameter.Name, through));
                return;
            }
            var what = parameter.Ordinal == 0 ? "the output gradient" : parameter.Name == OpParser.OutputName ? "the forward's output" : "the saved input";
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BackwardWritesInput, write.Syntax.GetLocation(), method.Name, what, parameter.Name, through));
        }

        foreach (var operation in body.DescendantsAndSelf())
        {
            switch (operation)
            {
                case IVariableDeclaratorOperation { Initializer: { } initializer } declarator when Root(initializer.Value) is var (parameter, _):
                    views[declarator.Symbol] = parameter;
                    break;
                case ISimpleAssignmentOperation { Target: ILocalReferenceOperation local } assignment when Root(assignment.Value) is var (parameter, _):
                    views[local.Local] = parameter;
                    break;
                case IForEachLoopOperation { LoopControlVariable: IVariableDeclaratorOperation element } loop when Root(loop.Collection) is var (parameter, _):
                    views[element.Symbol] = parameter;
                    break;
                case IAssignmentOperation { Target: IPropertyReferenceOperation { Property.IsIndexer: true } indexer }:
                    Report(indexer, indexer.Instance, " through its indexer");
                    break;
                case IIncrementOrDecrementOperation { Target: IPropertyReferenceOperation { Property.IsIndexer: true } indexer }:
                    Report(indexer, indexer.Instance, " through its indexer");
                    break;
                case IInvocationOperation invocation:
                    var name = invocation.TargetMethod.Name;
                    if (name == "Fill" || name.EndsWith("InPlace", System.StringComparison.Ordinal))
                        Report(invocation, Destination(invocation), " with '" + name + "'");
                    foreach (var argument in invocation.Arguments.Where(a => a.Parameter?.Name == "into"))
                        Report(argument, argument.Value, " as the 'into:' destination");
                    break;
            }
        }
    }

    /// <summary>The array a method works on: its receiver, or the first argument of a static or extension method.</summary>
    private static IOperation? Destination(IInvocationOperation invocation) =>
        invocation.Instance ?? (invocation.Arguments.Length > 0 ? invocation.Arguments[0].Value : null);
}
