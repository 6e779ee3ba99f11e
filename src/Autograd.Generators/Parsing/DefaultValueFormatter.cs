using System;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Autograd.Generators.Parsing;

/// <summary>Renders a parameter's default value as C# source, with invariant culture and the right suffix.</summary>
internal static class DefaultValueFormatter
{
    public static string? Format(IParameterSymbol parameter)
    {
        if (!parameter.HasExplicitDefaultValue)
            return null;
        return Format(parameter.Type, parameter.ExplicitDefaultValue);
    }

    public static string Format(ITypeSymbol type, object? value)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            if (value is null)
                return "null";
            type = nullable.TypeArguments[0];
        }
        if (value is null)
            return type.IsReferenceType ? "null" : "default";
        if (type.TypeKind == TypeKind.Enum && type is INamedTypeSymbol enumType)
            return FormatEnum(enumType, value);
        return FormatPrimitive(value);
    }

    private static string FormatEnum(INamedTypeSymbol enumType, object value)
    {
        var typeName = enumType.ToDisplayString(Symbols.TypeFormat);
        var member = enumType.GetMembers().OfType<IFieldSymbol>()
            .FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, value));
        if (member is not null)
            return typeName + "." + Identifiers.Escape(member.Name);
        var number = FormatPrimitive(value);
        return "(" + typeName + ")" + (number.StartsWith("-", StringComparison.Ordinal) ? "(" + number + ")" : number);
    }

    public static string FormatPrimitive(object value) => value switch
    {
        bool b => b ? "true" : "false",
        string s => SymbolDisplay.FormatLiteral(s, quote: true),
        char c => SymbolDisplay.FormatLiteral(c, quote: true),
        float f when float.IsNaN(f) => "float.NaN",
        float f when float.IsPositiveInfinity(f) => "float.PositiveInfinity",
        float f when float.IsNegativeInfinity(f) => "float.NegativeInfinity",
        float f => f.ToString("R", CultureInfo.InvariantCulture) + "F",
        double d when double.IsNaN(d) => "double.NaN",
        double d when double.IsPositiveInfinity(d) => "double.PositiveInfinity",
        double d when double.IsNegativeInfinity(d) => "double.NegativeInfinity",
        double d => d.ToString("R", CultureInfo.InvariantCulture) + "D",
        decimal m => m.ToString(CultureInfo.InvariantCulture) + "M",
        int i => i.ToString(CultureInfo.InvariantCulture),
        uint u => u.ToString(CultureInfo.InvariantCulture) + "U",
        long l => l.ToString(CultureInfo.InvariantCulture) + "L",
        ulong ul => ul.ToString(CultureInfo.InvariantCulture) + "UL",
        short s => "(short)" + Paren(s.ToString(CultureInfo.InvariantCulture)),
        ushort us => "(ushort)" + us.ToString(CultureInfo.InvariantCulture),
        byte b => "(byte)" + b.ToString(CultureInfo.InvariantCulture),
        sbyte sb => "(sbyte)" + Paren(sb.ToString(CultureInfo.InvariantCulture)),
        IFormattable other => other.ToString(null, CultureInfo.InvariantCulture),
        _ => "default",
    };

    private static string Paren(string number) => number.StartsWith("-", StringComparison.Ordinal) ? "(" + number + ")" : number;
}
