using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

// The least an attribute-driven generator and analyzers of these ops do on the same source, for RealCompiler's
// "floor" build, which loads this bench's own assembly as the analyzer: what csc reports for them is
// the part of the reported time that does not depend on what our generator and analyzers do.

/// <summary>
/// Finds the [DifferentiableOp] methods and reads what any generator writing their overloads and nodes
/// must: the signatures and type parameter constraints of each op and of its backward; writes nothing.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class FloorGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var ops = context.SyntaxProvider.ForAttributeWithMetadataName(
            "Autograd.DifferentiableOpAttribute", static (node, _) => node is MethodDeclarationSyntax, static (op, _) => Read((IMethodSymbol)op.TargetSymbol));
        context.RegisterSourceOutput(ops, static (_, _) => { });
    }

    private static int Read(IMethodSymbol op)
    {
        var read = 0;
        foreach (var method in op.ContainingType.GetMembers(op.Name + "Backward").OfType<IMethodSymbol>().Append(op))
        {
            read += method.ReturnType.Name.Length + method.Parameters.Sum(p => p.Type.Name.Length);
            read += method.TypeParameters.Sum(t => t.ConstraintTypes.Length);
        }
        return read;
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
