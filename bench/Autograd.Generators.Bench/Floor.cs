using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

// The least any attribute-driven generator and analyzers do on the same source, for RealCompiler's
// "floor" build, which loads this bench's own assembly as the analyzer: what csc reports for them is
// the part of the reported time that does not depend on what our generator and analyzers do.

/// <summary>Finds the [DifferentiableOp] methods and touches each symbol; writes nothing.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class FloorGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var ops = context.SyntaxProvider.ForAttributeWithMetadataName(
            "Autograd.DifferentiableOpAttribute", static (node, _) => node is MethodDeclarationSyntax, static (op, _) => op.TargetSymbol.Name);
        context.RegisterSourceOutput(ops, static (_, _) => { });
    }
}

/// <summary>Reads every method's attributes, as a symbol analyzer of ops must; reports nothing.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class FloorAnalyzer : DiagnosticAnalyzer
{
    private static readonly DiagnosticDescriptor Never = new("FLOOR", "Floor", "Never reported", "Floor", DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [Never];

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSymbolAction(static symbol => symbol.Symbol.GetAttributes(), SymbolKind.Method);
    }
}
