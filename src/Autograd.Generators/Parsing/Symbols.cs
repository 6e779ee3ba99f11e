using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Autograd.Generators.Parsing;

/// <summary>Symbol helpers shared by the parser and the analyzer: names, type keys and rendering.</summary>
internal static class Symbols
{
    public const string AttributeMetadataName = "Autograd.DifferentiableOpAttribute";

    /// <summary>Types as C# text: <c>global::</c>-qualified, keywords for special types, nullable annotations kept.</summary>
    public static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>A type as users read it in messages: <c>NdArray&lt;T&gt;</c>, <c>int</c>.</summary>
    public static string Display(ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);

    /// <summary>True for <c>NdArray&lt;X&gt;</c>; <paramref name="element"/> is X.</summary>
    public static bool IsNdArray(ITypeSymbol? type, out ITypeSymbol element) => IsGeneric(type, "NdArray", out element);

    /// <summary>True for <c>GradSlot&lt;X&gt;</c>; <paramref name="element"/> is X.</summary>
    public static bool IsGradSlot(ITypeSymbol? type, out ITypeSymbol element) => IsGeneric(type, "GradSlot", out element);

    /// <summary>True for <c>NdArray&lt;X&gt;[]</c>, a variadic input (one graph input per element); <paramref name="element"/> is X.</summary>
    public static bool IsVariadicInput(ITypeSymbol? type, out ITypeSymbol element)
    {
        element = null!;
        return type is IArrayTypeSymbol { Rank: 1 } array && IsNdArray(array.ElementType, out element);
    }

    /// <summary>True for an op's array input: <c>NdArray&lt;X&gt;</c> or the variadic <c>NdArray&lt;X&gt;[]</c>.</summary>
    public static bool IsArrayInput(ITypeSymbol? type) => IsNdArray(type, out _) || IsVariadicInput(type, out _);

    /// <summary>True for <c>ReadOnlySpan&lt;GradSlot&lt;X&gt;&gt;</c>, the slots of a variadic input; <paramref name="element"/> is X.</summary>
    public static bool IsGradSlotSpan(ITypeSymbol? type, out ITypeSymbol element)
    {
        element = null!;
        return type is INamedTypeSymbol { Name: "ReadOnlySpan", TypeArguments.Length: 1, ContainingType: null } span
            && span.ContainingNamespace is { Name: "System", ContainingNamespace.IsGlobalNamespace: true }
            && IsGradSlot(span.TypeArguments[0], out element);
    }

    /// <summary>True for anything written as a gradient slot: <c>GradSlot&lt;X&gt;</c>, <c>ReadOnlySpan&lt;GradSlot&lt;X&gt;&gt;</c>, <c>GradSlot&lt;X&gt;[]</c>.</summary>
    public static bool IsSlotLike(ITypeSymbol? type) =>
        IsGradSlot(type, out _) || IsGradSlotSpan(type, out _) || type is IArrayTypeSymbol array && IsGradSlot(array.ElementType, out _);

    /// <summary>
    /// True for a collection of arrays other than <c>NdArray&lt;X&gt;[]</c> (a <c>List</c>, span, <c>IReadOnlyList</c>,
    /// multi-dimensional or jagged array of <c>NdArray</c>): not a variadic input, and not a plain parameter either.
    /// </summary>
    public static bool IsOtherArrayCollection(ITypeSymbol type) => type switch
    {
        IArrayTypeSymbol array => !IsVariadicInput(array, out _) && (IsNdArray(array.ElementType, out _) || IsArrayInput(array.ElementType)),
        INamedTypeSymbol { TypeArguments.Length: 1 } named => IsNdArray(named.TypeArguments[0], out _)
            && (named.Name is "Span" or "ReadOnlySpan" || named.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T
                || named.AllInterfaces.Any(i => i.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T)),
        _ => false,
    };

    private static bool IsGeneric(ITypeSymbol? type, string name, out ITypeSymbol element)
    {
        element = null!;
        if (type is not INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named
            || named.Name != name
            || named.ContainingType is not null
            || named.ContainingNamespace is not { Name: "Autograd", ContainingNamespace.IsGlobalNamespace: true })
        {
            return false;
        }
        element = named.TypeArguments[0];
        return true;
    }

    /// <summary>
    /// A string equal for two types exactly when they are the same type, with method type parameters
    /// named by position (so a backward's <c>U</c> matches a forward's <c>T</c>) and nullability ignored.
    /// </summary>
    public static string Key(ITypeSymbol type)
    {
        switch (type)
        {
            case ITypeParameterSymbol { TypeParameterKind: TypeParameterKind.Method } parameter:
                return "!!" + parameter.Ordinal.ToString(System.Globalization.CultureInfo.InvariantCulture);
            case IArrayTypeSymbol array:
                return Key(array.ElementType) + "[" + new string(',', array.Rank - 1) + "]";
            case IPointerTypeSymbol pointer:
                return Key(pointer.PointedAtType) + "*";
            case INamedTypeSymbol { IsGenericType: true } named:
                var definition = named.OriginalDefinition.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat
                    .WithGenericsOptions(SymbolDisplayGenericsOptions.None)
                    .WithMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.None));
                return definition + "`" + named.TypeArguments.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)
                    + "<" + string.Join(",", named.TypeArguments.Select(Key)) + ">";
            default:
                return type.WithNullableAnnotation(NullableAnnotation.None).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        }
    }

    /// <summary>A comparable description of a type parameter's constraints (type parameters by position).</summary>
    public static string ConstraintKey(ITypeParameterSymbol parameter)
    {
        var parts = new List<string>();
        if (parameter.HasReferenceTypeConstraint)
            parts.Add("class");
        if (parameter.HasUnmanagedTypeConstraint)
            parts.Add("unmanaged");
        else if (parameter.HasValueTypeConstraint)
            parts.Add("struct");
        if (parameter.HasNotNullConstraint)
            parts.Add("notnull");
        if (parameter.HasConstructorConstraint)
            parts.Add("new()");
        if (parameter.AllowsRefLikeType)
            parts.Add("allows ref struct");
        parts.AddRange(parameter.ConstraintTypes.Select(Key).OrderBy(k => k, System.StringComparer.Ordinal));
        return string.Join(", ", parts);
    }

    /// <summary>The <c>where</c> clause of <paramref name="parameter"/> as C#, or null when it has no constraints.</summary>
    public static string? ConstraintClause(ITypeParameterSymbol parameter)
    {
        var parts = new List<string>();
        if (parameter.HasReferenceTypeConstraint)
            parts.Add(parameter.ReferenceTypeConstraintNullableAnnotation == NullableAnnotation.Annotated ? "class?" : "class");
        else if (parameter.HasUnmanagedTypeConstraint)
            parts.Add("unmanaged");
        else if (parameter.HasValueTypeConstraint)
            parts.Add("struct");
        else if (parameter.HasNotNullConstraint)
            parts.Add("notnull");
        foreach (var constraint in parameter.ConstraintTypes)
            parts.Add(constraint.ToDisplayString(TypeFormat));
        if (parameter.HasConstructorConstraint)
            parts.Add("new()");
        if (parameter.AllowsRefLikeType)
            parts.Add("allows ref struct");
        return parts.Count == 0 ? null : "where " + Identifiers.Escape(parameter.Name) + " : " + string.Join(", ", parts);
    }

    /// <summary>True when <paramref name="symbol"/> was written by this generator (it carries our [GeneratedCode]).</summary>
    public static bool IsGenerated(ISymbol symbol)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            if (attribute.AttributeClass is { Name: "GeneratedCodeAttribute" }
                && attribute.ConstructorArguments.Length > 0
                && attribute.ConstructorArguments[0].Value as string == Identifiers.GeneratorName)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>True when <paramref name="attribute"/> is [DifferentiableOp].</summary>
    public static bool IsOpAttribute(AttributeData attribute) => IsOpAttributeType(attribute.AttributeClass);

    /// <summary>True when <paramref name="type"/> is <c>Autograd.DifferentiableOpAttribute</c>.</summary>
    public static bool IsOpAttributeType(INamedTypeSymbol? type) =>
        type is { Name: "DifferentiableOpAttribute", ContainingNamespace: { Name: "Autograd", ContainingNamespace.IsGlobalNamespace: true } };

    /// <summary>True when <paramref name="type"/> is or contains a type the compiler could not bind (mid-edit code).</summary>
    public static bool ContainsError(ITypeSymbol type) => type switch
    {
        { TypeKind: TypeKind.Error } => true,
        IArrayTypeSymbol array => ContainsError(array.ElementType),
        INamedTypeSymbol named => named.TypeArguments.Any(ContainsError),
        _ => false,
    };

    /// <summary>The [SavedFor] on <paramref name="parameter"/>, or null.</summary>
    public static AttributeData? SavedForAttribute(IParameterSymbol parameter) =>
        parameter.GetAttributes().FirstOrDefault(a => a.AttributeClass is { Name: "SavedForAttribute", ContainingNamespace: { Name: "Autograd", ContainingNamespace.IsGlobalNamespace: true } });

    /// <summary>The [DifferentiableOp] on <paramref name="method"/>, or null.</summary>
    public static AttributeData? OpAttribute(IMethodSymbol method) => method.GetAttributes().FirstOrDefault(IsOpAttribute);

    /// <summary>The string value of the named argument <paramref name="name"/> of <paramref name="attribute"/>, or null.</summary>
    public static string? NamedArgument(AttributeData? attribute, string name)
    {
        if (attribute is null)
            return null;
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Key == name)
                return argument.Value.Value as string;
        }
        return null;
    }

    /// <summary>True when the attribute sets the bool property <paramref name="name"/> to <c>true</c>.</summary>
    public static bool NamedFlag(AttributeData? attribute, string name) =>
        attribute is not null && attribute.NamedArguments.Any(a => a.Key == name && a.Value.Value is true);

    /// <summary>The backward an op looks up: the attribute's <c>Backward</c>, else the forward's name followed by <c>Backward</c>.</summary>
    public static string BackwardName(IMethodSymbol forward, AttributeData? attribute) =>
        NamedArgument(attribute, "Backward") ?? forward.Name + "Backward";
}
