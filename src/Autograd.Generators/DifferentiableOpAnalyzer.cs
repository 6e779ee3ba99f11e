using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Autograd.Generators.Diagnostics;
using Autograd.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Autograd.Generators;

/// <summary>
/// Reports every rule a [DifferentiableOp] breaks, on the syntax at fault, by running the same
/// <see cref="OpParser"/> the generator runs. Living apart from the generator keeps diagnostics
/// (and their locations) out of the generator's cached pipeline and lets <c>#pragma</c> and
/// <c>.editorconfig</c> suppress them as usual.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DifferentiableOpAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.TypeNotPartial,
        DiagnosticDescriptors.ForwardNotStatic,
        DiagnosticDescriptors.ForwardReturnType,
        DiagnosticDescriptors.NoArrayParameter,
        DiagnosticDescriptors.UnsupportedModifier,
        DiagnosticDescriptors.MisplacedOut,
        DiagnosticDescriptors.MixedElementTypes,
        DiagnosticDescriptors.BackwardNotFound,
        DiagnosticDescriptors.BackwardAmbiguous,
        DiagnosticDescriptors.BackwardNotStatic,
        DiagnosticDescriptors.BackwardReturnsValue,
        DiagnosticDescriptors.BackwardTypeParameters,
        DiagnosticDescriptors.BackwardGradientParameter,
        DiagnosticDescriptors.BackwardUnknownParameter,
        DiagnosticDescriptors.BackwardParameterType,
        DiagnosticDescriptors.BackwardParameterOrder,
        DiagnosticDescriptors.BackwardSlots,
        DiagnosticDescriptors.MemberClash,
        DiagnosticDescriptors.GenericContainingType,
        DiagnosticDescriptors.ArityLimit,
        DiagnosticDescriptors.UnsupportedLocation,
        DiagnosticDescriptors.InternalError,
        DiagnosticDescriptors.InvalidName,
        DiagnosticDescriptors.ArrayDefault,
        DiagnosticDescriptors.VariadicInputType,
        DiagnosticDescriptors.SlotKind,
        DiagnosticDescriptors.RecordedBackwardMissing,
        DiagnosticDescriptors.SavedForUnknownSlot,
        DiagnosticDescriptors.SavedForPlacement,
        DiagnosticDescriptors.SavedForNotNullable,
        DiagnosticDescriptors.SavedForOnRecordedBackward);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var attributeType = start.Compilation.GetTypeByMetadataName(Symbols.AttributeMetadataName);
            if (attributeType is null)
                return;
            start.RegisterSymbolAction(AnalyzeMethod, SymbolKind.Method);
            start.RegisterSyntaxNodeAction(
                AnalyzeFunction,
                SyntaxKind.LocalFunctionStatement,
                SyntaxKind.ParenthesizedLambdaExpression,
                SyntaxKind.SimpleLambdaExpression);
        });
    }

    private static void AnalyzeMethod(SymbolAnalysisContext context)
    {
        var method = (IMethodSymbol)context.Symbol;
        if (Symbols.OpAttribute(method) is null)
            return;
        var diagnostics = new List<Diagnostic>();
        try
        {
            OpParser.Parse(method, context.Compilation, diagnostics, context.CancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.InternalError, method.Locations.FirstOrDefault(), method.Name, exception.GetType().Name + ": " + exception.Message));
        }
        foreach (var diagnostic in diagnostics.Distinct())
            context.ReportDiagnostic(diagnostic);
    }

    private static void AnalyzeFunction(SyntaxNodeAnalysisContext context)
    {
        var lists = context.Node switch
        {
            LocalFunctionStatementSyntax local => local.AttributeLists,
            LambdaExpressionSyntax lambda => lambda.AttributeLists,
            _ => default,
        };
        foreach (var attribute in lists.SelectMany(l => l.Attributes))
        {
            if (context.SemanticModel.GetSymbolInfo(attribute, context.CancellationToken).Symbol is IMethodSymbol { ContainingType: var type }
                && Symbols.IsOpAttributeType(type))
            {
                var what = context.Node is LocalFunctionStatementSyntax ? "a local function" : "a lambda";
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnsupportedLocation, attribute.GetLocation(), what));
            }
        }
    }
}
