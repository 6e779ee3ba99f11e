using System;
using System.Linq;
using Autograd.Generators.Emitting;
using Autograd.Generators.Model;
using Autograd.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Autograd.Generators;

/// <summary>
/// Writes the tracked overloads, graph node and gradient plumbing of every [DifferentiableOp] method,
/// and the assembly's op registry. Only wiring lives here: parsing is <see cref="OpParser"/>, writing
/// is <see cref="OpEmitter"/> and <see cref="RegistryEmitter"/>. Diagnostics come from
/// <see cref="DifferentiableOpAnalyzer"/>, so nothing cached here holds a diagnostic or a location.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class DifferentiableOpGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var ops = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                Symbols.AttributeMetadataName,
                static (node, _) => node is MethodDeclarationSyntax,
                static (context, cancellationToken) => Parse(context, cancellationToken))
            .WithTrackingName(TrackingNames.Ops)
            .Where(static op => op is not null)
            .Select(static (op, _) => op!)
            .WithTrackingName(TrackingNames.ValidOps);

        context.RegisterSourceOutput(ops, static (output, op) => output.AddSource(op.HintName, OpEmitter.Emit(op)));

        var registryNamespace = context.CompilationProvider
            .Select(static (compilation, _) => RegistryEmitter.NamespaceFor(compilation.AssemblyName))
            .WithTrackingName(TrackingNames.AssemblyName);
        var registry = ops.Collect()
            .Combine(registryNamespace)
            .Select(static (pair, _) => new RegistryModel(pair.Right, pair.Left.Where(static op => !op.IsBroken).ToEquatableArray()))
            .WithTrackingName(TrackingNames.Registry);
        context.RegisterSourceOutput(registry, static (output, model) =>
        {
            if (model.Ops.Count > 0)
                output.AddSource(RegistryEmitter.HintName(model), RegistryEmitter.Emit(model));
        });
    }

    private static OpModel? Parse(GeneratorAttributeSyntaxContext context, System.Threading.CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not IMethodSymbol method)
            return null;
        try
        {
            return OpParser.Parse(method, context.SemanticModel.Compilation, diagnostics: null, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The analyzer reports AG0022 for the same op; the generator must never crash the build.
            return null;
        }
    }
}
