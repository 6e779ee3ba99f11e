using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Autograd.Generators.Model;
using Microsoft.CodeAnalysis.CSharp;

namespace Autograd.Generators.Emitting;

/// <summary>
/// Writes one op's generated source from its model: the tracked overloads (every mix of
/// <c>NdArray</c> and <c>Variable</c> arguments with at least one variable), the overload without
/// the <c>out</c> state, and the sealed graph node type, or for an op that fits a tape record
/// (<see cref="OpModel.IsTaped"/>) its tape op.
/// </summary>
internal static class OpEmitter
{
    /// <summary>A local name no parameter of <paramref name="op"/> takes.</summary>
    private static string Local(OpModel op, string name)
    {
        while (op.Parameters.Any(p => p.RawName == name))
            name = "_" + name;
        return name;
    }

    private static string ValueLocal(OpModel op) => Local(op, "__value");

    private static string StateLocal(OpModel op) => Local(op, "__state");

    /// <summary>The local holding the values of a tracked variadic input.</summary>
    private static string ValuesLocal(OpModel op, ParameterModel parameter) => Local(op, "__" + parameter.RawName + "Values");

    private const string VariadicInput = "global::Autograd.Engine.VariadicInput";

    public static string Emit(OpModel op)
    {
        var writer = new SourceWriter();
        GeneratorInfo.WriteHeader(writer);
        var hierarchy = op.Hierarchy;
        if (hierarchy.Namespace.Length > 0)
        {
            writer.Line("namespace " + hierarchy.Namespace);
            writer.Open();
        }
        foreach (var type in hierarchy.Types)
        {
            writer.Line(type.Keyword + " " + type.Name);
            writer.Open();
        }

        var first = true;
        foreach (var mask in OpModel.OverloadMasks(op.ArrayCount, op.AllVariableOnly))
        {
            if (!first)
                writer.Line();
            first = false;
            WriteTrackedOverload(writer, op, mask);
        }
        if (op.State is not null)
        {
            writer.Line();
            WriteStatelessOverload(writer, op);
        }
        if (!op.IsBroken)
        {
            writer.Line();
            if (op.IsTaped)
                WriteTapeOp(writer, op);
            else
                WriteNode(writer, op);
        }

        foreach (var _ in hierarchy.Types)
            writer.Close();
        if (hierarchy.Namespace.Length > 0)
            writer.Close();
        return writer.ToString();
    }

    private static string TypeArgs(OpModel op) => op.TypeParameters.Count == 0 ? string.Empty : "<" + string.Join(", ", op.TypeParameters) + ">";

    private static string VariableType(OpModel op) => "global::Autograd.Variable<" + op.ElementType + ">";

    private static string ArrayType(OpModel op) => "global::Autograd.NdArray<" + op.ElementType + ">";

    private static string NodeType(OpModel op) => op.NodeName + TypeArgs(op);

    /// <summary>An array input's type in an overload: tracked or constant, one or (variadic) many.</summary>
    private static string InputType(OpModel op, ParameterModel parameter, bool tracked) =>
        (tracked ? VariableType(op) : ArrayType(op)) + (parameter.IsVariadic ? "[]" : string.Empty);

    /// <summary>The array input's value as the forward takes it.</summary>
    private static string ValueOf(OpModel op, ParameterModel parameter, bool tracked) =>
        !tracked ? parameter.Name : parameter.IsVariadic ? ValuesLocal(op, parameter) : parameter.Name + ".Value";

    private static bool IsTracked(int mask, int bit) => ((mask >> bit) & 1) == 1;

    /// <summary>The parameter list of an overload; <paramref name="mask"/> bit i set makes array input i a variable.</summary>
    private static string ParameterList(OpModel op, int mask)
    {
        var parts = new List<string>();
        var bit = 0;
        foreach (var parameter in op.Parameters)
        {
            string text;
            if (parameter.IsArray)
                text = (parameter.IsParams ? "params " : string.Empty) + InputType(op, parameter, IsTracked(mask, bit++)) + " " + parameter.Name;
            else
                text = parameter.Type + " " + parameter.Name + (parameter.DefaultValue is null ? string.Empty : " = " + parameter.DefaultValue);
            parts.Add((parts.Count == 0 && op.IsExtension ? "this " : string.Empty) + text);
        }
        return string.Join(", ", parts);
    }

    private static void WriteSignatureTail(SourceWriter writer, OpModel op)
    {
        writer.Indent();
        foreach (var clause in op.ConstraintClauses)
            writer.Line(clause);
        writer.Unindent();
    }

    /// <summary>
    /// Writes the forward's own documentation, with <paramref name="remark"/> as its remarks unless it
    /// has some; false (nothing written) when the forward has none.
    /// </summary>
    private static bool WriteForwardDocs(SourceWriter writer, OpModel op, string remark)
    {
        if (op.Documentation.Count == 0)
            return false;
        foreach (var line in op.Documentation)
            writer.Line(line.Length == 0 ? "///" : "/// " + line);
        if (!op.Documentation.Any(l => l.Contains("<remarks")))
            writer.Line("/// <remarks>" + remark + "</remarks>");
        return true;
    }

    private static void WriteTrackedOverload(SourceWriter writer, OpModel op, int mask)
    {
        var opName = Xml(op.OpName);
        if (!WriteForwardDocs(writer, op, "Tracked overload of op <c>" + opName + "</c>: records a graph node when gradients are enabled and a variable argument requires them."))
        {
            writer.Line("/// <summary>Op <c>" + opName + "</c> with " + TrackedInputs(op, mask)
                + " tracked: the result records a graph node when gradients are enabled and a tracked input requires them.</summary>");
        }
        writer.Line(GeneratorInfo.GeneratedCodeAttribute);
        writer.Line(op.Accessibility + " static " + VariableType(op) + " " + op.MethodName + TypeArgs(op) + "(" + ParameterList(op, mask) + ")");
        WriteSignatureTail(writer, op);
        if (op.IsBroken)
        {
            WriteBrokenBody(writer, op);
            return;
        }
        writer.Open();

        var requiresGrad = new List<string>();
        var bit = 0;
        var method = SymbolDisplay.FormatLiteral(op.MethodName.TrimStart('@'), quote: true);
        foreach (var parameter in op.Parameters)
        {
            if (!parameter.IsArray)
                continue;
            var tracked = IsTracked(mask, bit++);
            var name = SymbolDisplay.FormatLiteral(parameter.RawName, quote: true);
            if (!parameter.IsVariadic)
                writer.Line("global::System.ArgumentNullException.ThrowIfNull(" + parameter.Name + ");");
            else if (tracked)
                writer.Line("var " + ValuesLocal(op, parameter) + " = " + VariadicInput + ".Values(" + parameter.Name + ", " + method + ", " + name + ");");
            else
                writer.Line(VariadicInput + ".CheckElements(" + parameter.Name + ", " + method + ", " + name + ");");
            if (tracked)
                requiresGrad.Add(RequiresGrad(parameter));
        }

        var needsState = op.SavedArgs.Any(a => a.Kind == BackwardArgKind.State);
        writer.Line("var " + ValueLocal(op) + " = " + ForwardCall(op, mask, needsState ? "out var " + StateLocal(op) : "out _") + ";");
        var requires = string.Join(" || ", requiresGrad);
        writer.Line("return global::Autograd.GradMode.IsEnabled && " + (requiresGrad.Count == 1 ? requires : "(" + requires + ")"));
        writer.Indent();

        var args = new List<string>();
        var shapes = new List<string>(); // a node's variadic inputs' element shapes, after its inputs
        bit = 0;
        foreach (var parameter in op.Parameters)
        {
            if (!parameter.IsArray)
                continue;
            var tracked = IsTracked(mask, bit++);
            if (op.IsTaped)
            {
                args.Add(tracked ? parameter.Name : "null");
            }
            else if (parameter.IsVariadic)
            {
                args.Add(tracked ? VariadicInput + ".Inputs(" + parameter.Name + ")" : "new " + NodeBaseType(op) + "?[" + parameter.Name + ".Length]");
                shapes.Add(VariadicInput + ".Shapes(" + ValueOf(op, parameter, tracked) + ")");
            }
            else
            {
                args.Add(tracked ? parameter.Name + ".GraphNode" : "null");
            }
        }
        if (op.IsTaped)
        {
            // A record has room for two inputs and two saved arrays: the unused ones are null.
            args.AddRange(Enumerable.Repeat("null", OpModel.TapeRecordArrays - args.Count));
            var savedValues = op.SavedArgs.Select(a => SavedValue(op, mask, a)).ToList();
            args.AddRange(savedValues.Concat(Enumerable.Repeat("null", OpModel.TapeRecordArrays - savedValues.Count)));
            writer.Line("? " + VariableType(op) + ".FromOp(" + ValueLocal(op) + ", " + NodeType(op) + ".Instance, " + string.Join(", ", args) + ")");
        }
        else
        {
            args.AddRange(shapes);
            foreach (var arg in op.SavedArgs)
                args.Add(SavedValue(op, mask, arg));
            writer.Line("? " + VariableType(op) + ".FromOp(" + ValueLocal(op) + ", new " + NodeType(op) + "(" + string.Join(", ", args) + "))");
        }
        writer.Line(": new " + VariableType(op) + "(" + ValueLocal(op) + ", requiresGrad: false);");
        writer.Unindent();
        writer.Close();
    }

    /// <summary>True when the tracked array input <paramref name="parameter"/> (some element of a variadic one) requires grad.</summary>
    private static string RequiresGrad(ParameterModel parameter) =>
        parameter.IsVariadic ? VariadicInput + ".AnyRequiresGrad(" + parameter.Name + ")" : parameter.Name + ".RequiresGrad";

    /// <summary>The tracked array inputs of the overload for <paramref name="mask"/>, as <c>paramref</c>s.</summary>
    private static string TrackedInputs(OpModel op, int mask)
    {
        var tracked = new List<string>();
        var bit = 0;
        foreach (var parameter in op.Parameters)
        {
            if (parameter.IsArray && IsTracked(mask, bit++))
                tracked.Add("<paramref name=\"" + parameter.RawName + "\"/>");
        }
        return string.Join(", ", tracked);
    }

    private static string ForwardCall(OpModel op, int mask, string stateArgument)
    {
        var args = new List<string>();
        var bit = 0;
        foreach (var parameter in op.Parameters)
        {
            args.Add(parameter.IsArray ? ValueOf(op, parameter, IsTracked(mask, bit++)) : parameter.Name);
        }
        if (op.State is not null)
            args.Add(stateArgument);
        return op.Hierarchy.FullyQualifiedName + "." + op.MethodName + TypeArgs(op) + "(" + string.Join(", ", args) + ")";
    }

    private static string SavedValue(OpModel op, int mask, BackwardArgModel arg)
    {
        switch (arg.Kind)
        {
            case BackwardArgKind.State:
                return StateLocal(op);
            case BackwardArgKind.Output:
                return SavedFor(op, mask, arg, ValueLocal(op));
            default:
                var parameter = op.Parameters[arg.ParameterIndex];
                if (parameter.IsSystemArray)
                    return "(" + parameter.Type + ")" + parameter.Name + (parameter.Type.EndsWith("?", StringComparison.Ordinal) ? "?" : "") + ".Clone()";
                if (!parameter.IsArray)
                    return parameter.Name;
                return SavedFor(op, mask, arg, ValueOf(op, parameter, IsTracked(mask, ArrayIndex(op, arg))));
        }
    }

    /// <summary>
    /// What the node saves of an array read for the gradients of some inputs only (<c>[SavedFor]</c>): null
    /// in an overload where those inputs are all constants; the value itself where the node exists only if
    /// one of them requires grad; else the value when one of them does, null otherwise.
    /// </summary>
    private static string SavedFor(OpModel op, int mask, BackwardArgModel arg, string value)
    {
        if (arg.SavedFor.Count == 0)
            return value;
        var arrays = op.Parameters.Where(p => p.IsArray).ToList();
        var named = arg.SavedFor.Where(i => IsTracked(mask, i)).ToList();
        if (named.Count == 0)
            return "null";
        if (Enumerable.Range(0, arrays.Count).All(i => !IsTracked(mask, i) || named.Contains(i)))
            return value;
        return "(" + string.Join(" || ", named.Select(i => RequiresGrad(arrays[i]))) + " ? " + value + " : null)";
    }

    private static void WriteStatelessOverload(SourceWriter writer, OpModel op)
    {
        if (!WriteForwardDocs(writer, op, "Op <c>" + Xml(op.OpName) + "</c> without its <c>out</c> state, which is discarded."))
        {
            writer.Line("/// <summary>Op <c>" + Xml(op.OpName) + "</c> on constant arrays, discarding the state the forward saves for backward.</summary>");
        }
        writer.Line(GeneratorInfo.GeneratedCodeAttribute);
        writer.Line(op.Accessibility + " static " + ArrayType(op) + " " + op.MethodName + TypeArgs(op) + "(" + ParameterList(op, 0) + ")");
        WriteSignatureTail(writer, op);
        if (op.IsBroken)
        {
            WriteBrokenBody(writer, op);
            return;
        }
        writer.Indent();
        writer.Line("=> " + ForwardCall(op, 0, "out _") + ";");
        writer.Unindent();
    }

    /// <summary>The body of an overload of an op whose backward has errors: never run, since the build fails on them.</summary>
    private static void WriteBrokenBody(SourceWriter writer, OpModel op)
    {
        writer.Indent();
        writer.Line("=> throw new global::System.InvalidOperationException(" +
            SymbolDisplay.FormatLiteral("Op '" + op.OpName + "' has errors in its backward (see its AG diagnostics).", quote: true) + ");");
        writer.Unindent();
    }

    private static void WriteNode(SourceWriter writer, OpModel op)
    {
        var arrays = op.Parameters.Where(p => p.IsArray).ToList();
        var saved = op.SavedArgs.Select(a => SavedField(op, a)).ToList();

        writer.Line("/// <summary>The graph node recorded by the tracked overloads of op <c>" + Xml(op.OpName) + "</c>.</summary>");
        writer.Line(GeneratorInfo.GeneratedCodeAttribute);
        writer.Line("private sealed class " + NodeType(op) + " : " + NodeBaseType(op));
        WriteSignatureTail(writer, op);
        writer.Open();
        var variadic = Enumerable.Range(0, arrays.Count).Where(i => arrays[i].IsVariadic).ToList();
        for (var i = 0; i < arrays.Count; i++)
            writer.Line("private readonly " + InputField(op, arrays[i]) + " _input" + Number(i) + ";");
        foreach (var i in variadic)
            writer.Line("private readonly int[][] _shapes" + Number(i) + ";"); // every element's, constants' too, for its slot
        foreach (var field in saved)
            writer.Line("private " + (field.Nullable || field.Field == "_state" || field.IsArray ? string.Empty : "readonly ") + field.FieldType + " " + field.Field + ";");
        writer.Line();

        var ctorParameters = Enumerable.Range(0, arrays.Count).Select(i => InputField(op, arrays[i]) + " input" + Number(i))
            .Concat(variadic.Select(i => "int[][] shapes" + Number(i)))
            .Concat(saved.Select(f => f.Type + " " + f.Parameter));
        writer.Line("public " + op.NodeName + "(" + string.Join(", ", ctorParameters) + ")");
        writer.Open();
        for (var i = 0; i < arrays.Count; i++)
            writer.Line("_input" + Number(i) + " = input" + Number(i) + ";");
        foreach (var i in variadic)
            writer.Line("_shapes" + Number(i) + " = shapes" + Number(i) + ";");
        foreach (var field in saved)
            writer.Line(field.Field + " = " + (field.IsArray ? "new " + field.FieldType + "(" + field.Parameter + ")" : field.IsVariadic ? VariadicInput + ".Save(" + field.Parameter + ")" : field.Parameter) + ";");
        writer.Close();
        writer.Line();

        writer.Line("public override string OpName => " + SymbolDisplay.FormatLiteral(op.OpName, quote: true) + ";");
        writer.Line();
        if (op.HasVariadic)
            WriteVariadicInputs(writer, op, arrays);
        else
            WriteInputs(writer, op, arrays.Count);
        writer.Line();

        var slots = Enumerable.Range(0, arrays.Count)
            .Select(i => arrays[i].IsVariadic ? VariadicInput + ".Slots(pass, this, _input" + Number(i) + ", _shapes" + Number(i) + ")" : "pass.Slot(this, _input" + Number(i) + ")").ToList();
        var passType = "global::Autograd.Engine.BackwardPass<" + op.ElementType + ">";
        var backwardArgs = new List<string> { "outputGradient" };
        backwardArgs.AddRange(op.BackwardArgs.Select(a => BackwardArgument(SavedField(op, a))));
        backwardArgs.AddRange(slots);
        writer.Line("protected override void Backward(" + ArrayType(op) + " outputGradient, " + passType + " pass)");
        writer.Indent();
        writer.Line("=> " + op.Hierarchy.FullyQualifiedName + "." + op.BackwardName + TypeArgs(op) + "(" + string.Join(", ", backwardArgs) + ");");
        writer.Unindent();
        writer.Line();

        if (op.GraphBackwardArgs is { } graphArgs)
        {
            var recordedArgs = new List<string> { "outputGradient" };
            recordedArgs.AddRange(graphArgs.Select(a => RecordedArgument(op, a)));
            recordedArgs.AddRange(slots);
            writer.Line("public override bool IsDifferentiableTwice => true;");
            writer.Line();
            writer.Line("protected override void BackwardGraph(" + VariableType(op) + " outputGradient, " + passType + " pass)");
            writer.Indent();
            writer.Line("=> " + op.Hierarchy.FullyQualifiedName + "." + op.BackwardName + TypeArgs(op) + "(" + string.Join(", ", recordedArgs) + ");");
            writer.Unindent();
            writer.Line();
        }

        writer.Line("protected override void ReleaseSavedState()");
        writer.Open();
        foreach (var field in saved)
        {
            if (field.IsArray)
                writer.Line(field.Field + " = default;");
            else if (field.Nullable)
                writer.Line(field.Field + " = null;");
            else if (field.Field == "_state")
                writer.Line(field.Field + " = default!;"); // a value-type state may still hold references
        }
        writer.Close();
        writer.Close();
    }

    /// <summary>
    /// The op of a taped op (<see cref="OpModel.IsTaped"/>): one instance, whose backwards read the record's
    /// saved arrays by position (in <see cref="OpModel.SavedArgs"/> order) and its inputs' slots.
    /// </summary>
    private static void WriteTapeOp(SourceWriter writer, OpModel op)
    {
        var saved = op.SavedArgs.ToList();
        var recordType = "global::Autograd.Engine.OpRecord<" + op.ElementType + ">";
        var passType = "global::Autograd.Engine.BackwardPass<" + op.ElementType + ">";
        var slots = Enumerable.Range(0, op.ArrayCount).Select(i => "pass.Slot(record, " + Number(i) + ")").ToList();

        writer.Line("/// <summary>The op recorded, as tape records, by the tracked overloads of op <c>" + Xml(op.OpName) + "</c>.</summary>");
        writer.Line(GeneratorInfo.GeneratedCodeAttribute);
        writer.Line("private sealed class " + NodeType(op) + " : global::Autograd.Engine.TapeOp<" + op.ElementType + ">");
        WriteSignatureTail(writer, op);
        writer.Open();
        writer.Line("public static readonly " + NodeType(op) + " Instance = new();");
        writer.Line();
        writer.Line("public override string OpName => " + SymbolDisplay.FormatLiteral(op.OpName, quote: true) + ";");
        writer.Line();
        writer.Line("public override int InputCount => " + Number(op.ArrayCount) + ";");
        writer.Line();

        var backwardArgs = new List<string> { "outputGradient" };
        backwardArgs.AddRange(op.BackwardArgs.Select(a => "record.Unpack(" + Number(saved.IndexOf(a)) + ", " + Description(op, a) + ")" + SavedField(op, a).NotNull));
        backwardArgs.AddRange(slots);
        writer.Line("protected override void Backward(" + recordType + " record, " + ArrayType(op) + " outputGradient, " + passType + " pass)");
        writer.Indent();
        writer.Line("=> " + op.Hierarchy.FullyQualifiedName + "." + op.BackwardName + TypeArgs(op) + "(" + string.Join(", ", backwardArgs) + ");");
        writer.Unindent();

        if (op.GraphBackwardArgs is { } graphArgs)
        {
            var recordedArgs = new List<string> { "outputGradient" };
            recordedArgs.AddRange(graphArgs.Select(a => "record.Track(" + Number(saved.IndexOf(a)) + ", " + Description(op, a) + ", "
                + (a.Kind == BackwardArgKind.Output ? "-1" : Number(ArrayIndex(op, a))) + ")" + SavedField(op, a).NotNull));
            recordedArgs.AddRange(slots);
            writer.Line();
            writer.Line("public override bool IsDifferentiableTwice => true;");
            writer.Line();
            writer.Line("protected override void BackwardGraph(" + recordType + " record, " + VariableType(op) + " outputGradient, " + passType + " pass)");
            writer.Indent();
            writer.Line("=> " + op.Hierarchy.FullyQualifiedName + "." + op.BackwardName + TypeArgs(op) + "(" + string.Join(", ", recordedArgs) + ");");
            writer.Unindent();
        }
        writer.Close();
    }

    private static string Description(OpModel op, BackwardArgModel arg) => SymbolDisplay.FormatLiteral(SavedField(op, arg).Description, quote: true);

    /// <summary>An input's field: the node of its variable (nodes of its elements for a variadic input), null for a constant; never the variable, whose value the graph must not keep alive.</summary>
    private static string InputField(OpModel op, ParameterModel parameter) => NodeBaseType(op) + "?" + (parameter.IsVariadic ? "[]" : string.Empty);

    private static string NodeBaseType(OpModel op) => "global::Autograd.Engine.Node<" + op.ElementType + ">";

    private static void WriteInputs(SourceWriter writer, OpModel op, int count)
    {
        writer.Line("public override int InputCount => " + Number(count) + ";");
        writer.Line();
        writer.Line("public override " + NodeBaseType(op) + "? GetInput(int index) => index switch");
        writer.Open();
        for (var i = 0; i < count; i++)
            writer.Line(Number(i) + " => _input" + Number(i) + ",");
        writer.Line("_ => throw new global::System.ArgumentOutOfRangeException(nameof(index), index, \"The op has " + Number(count) + " array input(s).\"),");
        writer.Close(";");
    }

    /// <summary>The inputs of an op with a variadic input: each of its elements is one graph input, in parameter order.</summary>
    private static void WriteVariadicInputs(SourceWriter writer, OpModel op, List<ParameterModel> arrays)
    {
        var lengths = arrays.Select((a, i) => a.IsVariadic ? "_input" + Number(i) + ".Length" : "1").ToList();
        writer.Line("public override int InputCount => " + string.Join(" + ", lengths) + ";");
        writer.Line();
        writer.Line("public override " + NodeBaseType(op) + "? GetInput(int index)");
        writer.Open();
        writer.Line("var position = index;");
        for (var i = 0; i < arrays.Count; i++)
        {
            var field = "_input" + Number(i);
            if (arrays[i].IsVariadic)
            {
                writer.Line("if ((uint)position < (uint)" + field + ".Length)");
                writer.Line("    return " + field + "[position];");
            }
            else
            {
                writer.Line("if (position == 0)");
                writer.Line("    return " + field + ";");
            }
            if (i < arrays.Count - 1)
                writer.Line("position -= " + lengths[i] + ";");
        }
        writer.Line("throw new global::System.ArgumentOutOfRangeException(nameof(index), index, \"The op has \" + InputCount + \" array input(s).\");");
        writer.Close();
    }

    private static int ArrayIndex(OpModel op, BackwardArgModel arg) => op.Parameters.Take(arg.ParameterIndex).Count(p => p.IsArray);

    /// <summary>
    /// How the node keeps what backward reads. Arrays of the op's element type (inputs, the output, an
    /// array state) are kept as <c>SavedArray</c>s, which remember their version and refuse to hand
    /// back an array written in place since.
    /// </summary>
    private static SavedFieldInfo SavedField(OpModel op, BackwardArgModel arg)
    {
        var savedArray = "global::Autograd.Engine.SavedArray<" + op.ElementType + ">";
        switch (arg.Kind)
        {
            case BackwardArgKind.State:
                var state = op.State!;
                var stateIsArray = state.Type == ArrayType(op) || state.Type == ArrayType(op) + "?";
                return new SavedFieldInfo("_state", "state", state.Type, state.IsReferenceType, stateIsArray ? savedArray : null, "state '" + state.Name + "'");
            case BackwardArgKind.Output:
                return new SavedFieldInfo("_output", "output", ArrayType(op) + Optional(arg), true, savedArray, "the output");
            default:
                var parameter = op.Parameters[arg.ParameterIndex];
                var isReference = parameter.IsArray || parameter.IsReferenceType;
                if (parameter.IsVariadic)
                    return new SavedFieldInfo("_arg_" + parameter.RawName, "arg_" + parameter.RawName, parameter.Type + Optional(arg), true, savedArray + "[]?", parameter.RawName, isVariadic: true);
                return new SavedFieldInfo("_arg_" + parameter.RawName, "arg_" + parameter.RawName, parameter.Type + Optional(arg), isReference, parameter.IsArray ? savedArray : null, "input '" + parameter.RawName + "'");
        }
    }

    /// <summary>A nullable annotation for an array saved for some gradients only, which may not be saved.</summary>
    private static string Optional(BackwardArgModel arg) => arg.SavedFor.Count > 0 ? "?" : string.Empty;

    /// <summary>
    /// What the recorded backward receives for <paramref name="arg"/>: a saved input or the output as
    /// a variable whose gradient flows into the input's node or this node (a constant's saved array
    /// as an untracked one), each version-checked; anything else as the array backward gets it.
    /// </summary>
    private static string RecordedArgument(OpModel op, BackwardArgModel arg)
    {
        var field = SavedField(op, arg);
        if (!(field.IsArray || field.IsVariadic) || arg.Kind == BackwardArgKind.State)
            return BackwardArgument(field);
        var variable = arg.Kind == BackwardArgKind.Output ? "this" : "_input" + Number(ArrayIndex(op, arg));
        if (field.IsVariadic)
            return VariadicInput + ".Track(" + field.Field + field.NotNull + ", this, " + SymbolDisplay.FormatLiteral(field.Description, quote: true) + ", " + variable + ")";
        return field.Field + ".Track(this, " + SymbolDisplay.FormatLiteral(field.Description, quote: true) + ", " + variable + ")" + field.NotNull;
    }

    private static string BackwardArgument(SavedFieldInfo field)
    {
        if (field.IsVariadic)
            return VariadicInput + ".Unpack(" + field.Field + field.NotNull + ", this, " + SymbolDisplay.FormatLiteral(field.Description, quote: true) + ")";
        if (field.IsArray)
            return field.Field + ".Unpack(this, " + SymbolDisplay.FormatLiteral(field.Description, quote: true) + ")" + field.NotNull;
        return field.Field + (field.Nullable ? "!" : string.Empty);
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    private sealed class SavedFieldInfo
    {
        public SavedFieldInfo(string field, string parameter, string type, bool nullable, string? savedArrayType, string description, bool isVariadic = false)
        {
            Field = field;
            Parameter = parameter;
            Type = type;
            Nullable = nullable;
            IsArray = savedArrayType is not null && !isVariadic;
            IsVariadic = isVariadic;
            FieldType = savedArrayType ?? (nullable && !type.EndsWith("?", System.StringComparison.Ordinal) ? type + "?" : type);
            Description = description;
        }

        /// <summary>Kept as a version-checked <c>SavedArray</c>.</summary>
        public bool IsArray { get; }

        /// <summary>A variadic input, kept as one version-checked <c>SavedArray</c> per element.</summary>
        public bool IsVariadic { get; }

        /// <summary>
        /// What the saved value is to the op, for the stale-array message; for a variadic input its name,
        /// which the message completes with the element's position.
        /// </summary>
        public string Description { get; }

        public string Field { get; }

        public string Parameter { get; }

        public string Type { get; }

        public bool Nullable { get; }

        public string FieldType { get; }

        /// <summary>The <c>!</c> after reading a saved array back, unless its type says it may be null (nothing saved).</summary>
        public string NotNull => Type.EndsWith("?", StringComparison.Ordinal) ? string.Empty : "!";
    }
}
