using Microsoft.CodeAnalysis;

namespace Autograd.Generators;

/// <summary>Writes the tracked overloads, graph node and gradient plumbing of every [DifferentiableOp] method.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class DifferentiableOpGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
    }
}
