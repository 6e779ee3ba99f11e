using System.Globalization;
using System.Linq;
using System.Text;
using Autograd.Generators.Model;
using Microsoft.CodeAnalysis.CSharp;

namespace Autograd.Generators.Emitting;

/// <summary>
/// Writes the assembly's op registry: <c>&lt;AssemblyName&gt;.DifferentiableOpRegistry.All</c>, one
/// <c>global::Autograd.Registry.OpInfo</c> per valid op, with invokers over variable arrays where
/// the op can be called with default non-array arguments.
/// </summary>
internal static class RegistryEmitter
{
    public const string TypeName = "DifferentiableOpRegistry";

    /// <summary>How many elements the registry passes to a variadic input: each is one of the op's inputs there.</summary>
    private const int VariadicCount = 2;

    /// <summary>The registry's file name: its namespace without the <c>@</c> of escaped keywords, which hint names may not hold.</summary>
    public static string HintName(RegistryModel model) =>
        (model.Namespace.Length == 0 ? string.Empty : model.Namespace.Replace("@", string.Empty) + ".") + TypeName + ".g.cs";

    /// <summary>A namespace from an assembly name: each dotted part made a valid identifier.</summary>
    public static string NamespaceFor(string? assemblyName)
    {
        if (string.IsNullOrWhiteSpace(assemblyName))
            return "Autograd.Generated";
        var parts = assemblyName!.Split('.').Select(part =>
        {
            var builder = new StringBuilder();
            foreach (var c in part)
                builder.Append(SyntaxFacts.IsIdentifierPartCharacter(c) ? c : '_');
            if (builder.Length == 0 || !SyntaxFacts.IsIdentifierStartCharacter(builder[0]))
                builder.Insert(0, '_');
            return Identifiers.Escape(builder.ToString());
        });
        return string.Join(".", parts);
    }

    public static string Emit(RegistryModel model)
    {
        var writer = new SourceWriter();
        GeneratorInfo.WriteHeader(writer);
        writer.Line("namespace " + model.Namespace);
        writer.Open();
        writer.Line("/// <summary>Every <c>[DifferentiableOp]</c> op of this assembly, for checking them all in one call.</summary>");
        writer.Line(GeneratorInfo.GeneratedCodeAttribute);
        writer.Line("internal static class " + TypeName);
        writer.Open();
        writer.Line("/// <summary>The ops, in the order the generator saw them.</summary>");
        writer.Line("public static global::System.Collections.Generic.IReadOnlyList<global::Autograd.Registry.OpInfo> All { get; } = new global::Autograd.Registry.OpInfo[]");
        writer.Open();
        foreach (var op in model.Ops)
        {
            writer.Line("new global::Autograd.Registry.OpInfo(");
            writer.Indent();
            writer.Line(Literal(op.OpName) + ",");
            writer.Line(Literal(op.Registry.DeclaringTypeName) + ",");
            writer.Line(Literal(op.MethodName.TrimStart('@')) + ",");
            writer.Line(op.Parameters.Sum(p => p.IsVariadic ? VariadicCount : p.IsArray ? 1 : 0).ToString(CultureInfo.InvariantCulture) + ",");
            writer.Line(Invoker(op, "double", op.Registry.InvokesDouble) + ",");
            var single = Invoker(op, "float", op.Registry.InvokesSingle);
            if (op.GraphBackwardArgs is null)
            {
                writer.Line(single + "),");
            }
            else
            {
                writer.Line(single + ",");
                writer.Line("isDifferentiableTwice: true),");
            }
            writer.Unindent();
        }
        writer.Close(";");
        writer.Close();
        writer.Close();
        return writer.ToString();
    }

    private static string Invoker(OpModel op, string element, bool invokes)
    {
        if (!invokes)
            return "null";
        var typeArgs = op.TypeParameters.Count == 0 ? string.Empty : "<" + element + ">";
        var index = 0;
        string Next() => "inputs[" + (index++).ToString(CultureInfo.InvariantCulture) + "]";
        var args = op.Parameters.Where(p => p.IsArray).Select(p =>
            p.Name + ": " + (p.IsVariadic ? "new[] { " + string.Join(", ", Enumerable.Range(0, VariadicCount).Select(_ => Next())) + " }" : Next()));
        return "static inputs => " + op.Hierarchy.FullyQualifiedName + "." + op.MethodName + typeArgs + "(" + string.Join(", ", args) + ")";
    }

    private static string Literal(string text) => SymbolDisplay.FormatLiteral(text, quote: true);
}
