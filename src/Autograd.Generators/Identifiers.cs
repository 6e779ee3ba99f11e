using Microsoft.CodeAnalysis.CSharp;

namespace Autograd.Generators;

/// <summary>
/// Names that parsing and emitting both need: kept here, in neither, so the two meet only through
/// the model.
/// </summary>
internal static class Identifiers
{
    /// <summary>The generator's name, as <c>[GeneratedCode]</c> on generated members says it.</summary>
    public const string GeneratorName = "Autograd.Generators";

    /// <summary>Escapes an identifier that is a C# keyword with <c>@</c>.</summary>
    public static string Escape(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;
}
