using System.Collections.Generic;
using System.Linq;

namespace Autograd.Generators.Model;

/// <summary>
/// Everything the emitter needs to write one op: plain strings and flags only (no symbols, syntax,
/// locations or compilations), so equal inputs give an equal model and the pipeline caches.
/// Type references are <c>global::</c>-qualified C# text.
/// </summary>
/// <param name="Hierarchy">Where the op is declared.</param>
/// <param name="MethodName">The forward's name as written in C# (escaped when a keyword).</param>
/// <param name="OpName">The op's name: the attribute's <c>Name</c>, else the method's name.</param>
/// <param name="Accessibility">The forward's accessibility keywords, reused on every generated overload.</param>
/// <param name="IsExtension">True when the forward is an extension method (<c>this</c> on its first parameter).</param>
/// <param name="TypeParameters">The forward's type parameter names, in order.</param>
/// <param name="ConstraintClauses">The forward's <c>where</c> clauses, rendered.</param>
/// <param name="ElementType">The element type of every array: a type parameter name or a concrete type.</param>
/// <param name="Parameters">The forward's parameters except the <c>out</c> state.</param>
/// <param name="State">The forward's <c>out</c> state parameter, if any.</param>
/// <param name="BackwardName">The backward method's name as written in C#.</param>
/// <param name="BackwardArgs">What the backward asks for between the gradient and the slots, in order.</param>
/// <param name="NodeName">The generated node type's name, unique in the containing type.</param>
/// <param name="AllVariableOnly">True past the arity limit: only the all-variable overload is written.</param>
/// <param name="Registry">How the generated registry can invoke the op.</param>
/// <param name="Documentation">
/// The forward's XML documentation, one line each without <c>///</c> (crefs as documentation ids),
/// or empty when it has none or the compilation does not parse documentation comments.
/// </param>
/// <param name="IsBroken">
/// True when the forward is sound but its backward is missing or wrong: only the overloads are
/// written, with bodies that throw, so call sites bind and the build shows just the AG errors.
/// </param>
/// <param name="GraphBackwardArgs">
/// What the recorded backward (the overload of the backward written with <c>Variable</c>s) asks for,
/// in order; null when the op has none and is first-order only.
/// </param>
internal sealed record OpModel(
    HierarchyInfo Hierarchy,
    string MethodName,
    string OpName,
    string Accessibility,
    bool IsExtension,
    EquatableArray<string> TypeParameters,
    EquatableArray<string> ConstraintClauses,
    string ElementType,
    EquatableArray<ParameterModel> Parameters,
    StateModel? State,
    string BackwardName,
    EquatableArray<BackwardArgModel> BackwardArgs,
    string NodeName,
    bool AllVariableOnly,
    RegistryInfo Registry,
    EquatableArray<string> Documentation = default,
    bool IsBroken = false,
    EquatableArray<BackwardArgModel>? GraphBackwardArgs = null)
{
    /// <summary>What the node saves: everything either backward asks for, each once, in the first backward's order.</summary>
    public IEnumerable<BackwardArgModel> SavedArgs =>
        GraphBackwardArgs is { } graph ? BackwardArgs.Concat(graph.Where(a => !BackwardArgs.Contains(a))) : BackwardArgs;

    /// <summary>A file name unique across namespaces, nesting, overloads and generic arity.</summary>
    public string HintName => Hierarchy.HintPrefix + "." + NodeName + ".g.cs";

    /// <summary>How many array (differentiable) inputs the op has, a variadic one counting once.</summary>
    public int ArrayCount
    {
        get
        {
            var count = 0;
            foreach (var parameter in Parameters)
            {
                if (parameter.IsArray)
                    count++;
            }
            return count;
        }
    }

    /// <summary>True when some array input is variadic (<c>NdArray&lt;E&gt;[]</c>).</summary>
    public bool HasVariadic => Parameters.Any(p => p.IsVariadic);

    /// <summary>The most arrays a tape record holds, inputs and saved arrays each.</summary>
    public const int TapeRecordArrays = 2;

    /// <summary>
    /// True when the op is recorded as tape records (<c>TapeOp</c>) rather than node objects: at most two
    /// array inputs, none variadic, and what its backwards read is at most two of its arrays (inputs or
    /// output), with no state and no other saved value.
    /// </summary>
    public bool IsTaped =>
        !HasVariadic && State is null && ArrayCount <= TapeRecordArrays && SavedArgs.Count() <= TapeRecordArrays
        && SavedArgs.All(a => a.Kind == BackwardArgKind.Output || a.Kind == BackwardArgKind.Parameter && Parameters[a.ParameterIndex].IsArray);

    /// <summary>
    /// The tracked overloads written for an op with <paramref name="arrayCount"/> array inputs, one mask
    /// each (bit i set: array input i is a variable): every mix with at least one variable, or past the
    /// arity limit only the all-variable one.
    /// </summary>
    public static IEnumerable<int> OverloadMasks(int arrayCount, bool allVariableOnly) =>
        allVariableOnly ? new[] { (1 << arrayCount) - 1 } : Enumerable.Range(1, (1 << arrayCount) - 1);
}

/// <summary>The namespace and containing types of an op, outermost first.</summary>
/// <param name="Namespace">The namespace as written (escaped), empty for the global namespace.</param>
/// <param name="Types">The containing types, outermost first.</param>
internal sealed record HierarchyInfo(string Namespace, EquatableArray<TypeDeclInfo> Types)
{
    /// <summary>The innermost containing type, <c>global::</c>-qualified.</summary>
    public string FullyQualifiedName
    {
        get
        {
            var text = "global::" + (Namespace.Length == 0 ? string.Empty : Namespace + ".");
            for (var i = 0; i < Types.Count; i++)
                text += (i == 0 ? string.Empty : ".") + Types[i].Name;
            return text;
        }
    }

    /// <summary>The dotted name used to build hint names.</summary>
    public string HintPrefix
    {
        get
        {
            var text = Namespace.Replace("@", string.Empty);
            foreach (var type in Types)
                text += (text.Length == 0 ? string.Empty : ".") + type.Name.Replace("@", string.Empty);
            return text;
        }
    }
}

/// <summary>One containing type declaration.</summary>
/// <param name="Keyword">The declaration keywords, with <c>partial</c>, e.g. <c>partial class</c>, <c>readonly partial record struct</c>, <c>ref partial struct</c>.</param>
/// <param name="Name">The type's name as written (escaped).</param>
internal sealed record TypeDeclInfo(string Keyword, string Name);

/// <summary>One forward parameter other than the <c>out</c> state.</summary>
/// <param name="Name">The name as written in C# (escaped when a keyword).</param>
/// <param name="RawName">The name without escaping, for generated identifiers.</param>
/// <param name="Type">The parameter's type as C# text (for array inputs, <c>NdArray&lt;E&gt;</c>).</param>
/// <param name="IsArray">True for an <c>NdArray&lt;E&gt;</c> input.</param>
/// <param name="DefaultValue">The default value as C# text, or null.</param>
/// <param name="IsReferenceType">True when the type is a reference type (saved in a nullable field).</param>
/// <param name="IsSystemArray">
/// True for a C# array such as <c>int[] labels</c>: the node saves a copy, so a caller who reuses the
/// array between forward and backward cannot change what backward sees.
/// </param>
/// <param name="IsVariadic">
/// True for a variadic array input, <c>NdArray&lt;E&gt;[]</c> (<see cref="IsArray"/> is then true too):
/// one graph input, slot and saved array per element; the overloads take it as <c>Variable&lt;E&gt;[]</c> or <c>NdArray&lt;E&gt;[]</c>.
/// </param>
/// <param name="IsParams">True when the forward declares it <c>params</c> (only a variadic input may be).</param>
internal sealed record ParameterModel(
    string Name, string RawName, string Type, bool IsArray, string? DefaultValue, bool IsReferenceType, bool IsSystemArray = false, bool IsVariadic = false, bool IsParams = false);

/// <summary>The forward's <c>out</c> state parameter.</summary>
/// <param name="Name">The name as written in C#.</param>
/// <param name="Type">The type as C# text.</param>
/// <param name="IsReferenceType">True when the type is a reference type.</param>
internal sealed record StateModel(string Name, string Type, bool IsReferenceType);

/// <summary>What one backward parameter between the gradient and the slots receives.</summary>
internal enum BackwardArgKind
{
    /// <summary>A forward parameter's value (array inputs as <c>NdArray&lt;E&gt;</c>).</summary>
    Parameter,

    /// <summary>The forward's <c>out</c> state.</summary>
    State,

    /// <summary>The forward's result.</summary>
    Output,
}

/// <summary>One backward parameter between the gradient and the slots.</summary>
/// <param name="Kind">What it receives.</param>
/// <param name="ParameterIndex">For <see cref="BackwardArgKind.Parameter"/>: the index in <see cref="OpModel.Parameters"/>.</param>
/// <param name="SavedFor">
/// The array inputs (by position among the array inputs) whose gradients alone read it, from the array
/// backward's <c>[SavedFor]</c>: saved only when one of them can need a gradient. Empty: always saved.
/// </param>
internal sealed record BackwardArgModel(BackwardArgKind Kind, int ParameterIndex, EquatableArray<int> SavedFor = default);

/// <summary>What the generated registry can do with an op.</summary>
/// <param name="DeclaringTypeName">The containing type's name, dotted, for display.</param>
/// <param name="IsAccessible">True when the registry (same assembly) can call the op.</param>
/// <param name="InvokesDouble">True when the op can be called with <c>Variable&lt;double&gt;</c> inputs and default non-array arguments.</param>
/// <param name="InvokesSingle">The same for <c>Variable&lt;float&gt;</c>.</param>
internal sealed record RegistryInfo(string DeclaringTypeName, bool IsAccessible, bool InvokesDouble, bool InvokesSingle);

/// <summary>The generated registry of one assembly.</summary>
/// <param name="Namespace">The registry's namespace (from the assembly name).</param>
/// <param name="Ops">Every valid op of the compilation.</param>
internal sealed record RegistryModel(string Namespace, EquatableArray<OpModel> Ops);
