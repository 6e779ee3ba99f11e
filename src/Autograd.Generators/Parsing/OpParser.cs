using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using Autograd.Generators.Diagnostics;
using Autograd.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Autograd.Generators.Parsing;

/// <summary>
/// Turns a [DifferentiableOp] method into an <see cref="OpModel"/>, checking every rule of the op
/// contract on the way. The generator calls it without a diagnostics list and emits what it gets
/// (a model with <see cref="OpModel.IsBroken"/> set when only the backward is wrong; null when
/// nothing can be emitted); the analyzer calls it with one and reports what it found (and gets no
/// model, which it does not need), so diagnostics never travel in the generator's cached pipeline.
/// </summary>
internal static class OpParser
{
    /// <summary>Past this many array inputs only the all-variable overload is generated (2^n − 1 otherwise).</summary>
    public const int ArityLimit = 4;

    /// <summary>The reserved backward parameter name that receives the forward's result.</summary>
    public const string OutputName = "output";

    public static OpModel? Parse(IMethodSymbol method, Compilation compilation, List<Diagnostic>? diagnostics, CancellationToken cancellationToken)
    {
        var reporter = new Reporter(diagnostics);
        return ParseCore(method, compilation, reporter, cancellationToken);
    }

    private static OpModel? ParseCore(IMethodSymbol method, Compilation compilation, Reporter reporter, CancellationToken cancellationToken)
    {
        var attribute = Symbols.OpAttribute(method);
        var syntax = method.DeclaringSyntaxReferences
            .Select(r => r.GetSyntax(cancellationToken))
            .OfType<MethodDeclarationSyntax>()
            .FirstOrDefault();
        var methodLocation = syntax?.Identifier.GetLocation() ?? method.Locations.FirstOrDefault();
        var displayName = method.Name;

        if (method.MethodKind != MethodKind.Ordinary || syntax is null || method.ContainingType is null)
        {
            reporter.Report(DiagnosticDescriptors.UnsupportedLocation, methodLocation, Describe(method));
            return null;
        }

        var name = Symbols.NamedArgument(attribute, "Name");
        var attributeSyntax = attribute?.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        if (name is { Length: 0 })
            reporter.Report(DiagnosticDescriptors.InvalidName, ArgumentLocation(attributeSyntax, "Name") ?? methodLocation, displayName);

        // Where it lives.
        var containingType = method.ContainingType;
        var types = new List<TypeDeclInfo>();
        for (var type = containingType; type is not null; type = type.ContainingType)
        {
            var declaration = type.DeclaringSyntaxReferences
                .Select(r => r.GetSyntax(cancellationToken))
                .OfType<TypeDeclarationSyntax>()
                .ToList();
            var typeLocation = declaration.FirstOrDefault()?.Identifier.GetLocation() ?? type.Locations.FirstOrDefault();
            if (type.IsFileLocal)
                reporter.Report(DiagnosticDescriptors.UnsupportedLocation, typeLocation, "a method of file-local type '" + type.Name + "'");
            if (type.TypeParameters.Length > 0)
            {
                var generic = declaration.FirstOrDefault(d => d.TypeParameterList is not null);
                reporter.Report(DiagnosticDescriptors.GenericContainingType, generic?.TypeParameterList!.GetLocation() ?? typeLocation, displayName, type.ToDisplayString());
            }
            var notPartial = declaration.FirstOrDefault(d => !d.Modifiers.Any(SyntaxKind.PartialKeyword));
            if (notPartial is not null || declaration.Count == 0)
                reporter.Report(DiagnosticDescriptors.TypeNotPartial, notPartial?.Identifier.GetLocation() ?? typeLocation, type.ToDisplayString(), displayName);
            types.Insert(0, new TypeDeclInfo(Keyword(type), Identifiers.Escape(type.Name)));
        }

        // The forward.
        if (!method.IsStatic)
            reporter.Report(DiagnosticDescriptors.ForwardNotStatic, methodLocation, displayName);

        ITypeSymbol? element = null;
        if (Symbols.IsNdArray(method.ReturnType, out var returnElement))
            element = returnElement;
        else
            reporter.Report(DiagnosticDescriptors.ForwardReturnType, syntax.ReturnType.GetLocation(), displayName, Symbols.Display(method.ReturnType));

        var parameters = new List<ParameterModel>();
        var forwardParameters = new List<IParameterSymbol>();
        IParameterSymbol? state = null;
        for (var i = 0; i < method.Parameters.Length; i++)
        {
            var parameter = method.Parameters[i];
            var parameterSyntax = i < syntax.ParameterList.Parameters.Count ? syntax.ParameterList.Parameters[i] : null;
            var parameterLocation = parameterSyntax?.GetLocation() ?? methodLocation;
            if (parameter.RefKind == RefKind.Out)
            {
                if (i != method.Parameters.Length - 1)
                    reporter.Report(DiagnosticDescriptors.MisplacedOut, parameterLocation, parameter.Name, displayName, "is not the last parameter");
                else
                    state = parameter;
                continue;
            }
            if (parameter.RefKind != RefKind.None)
                reporter.Report(DiagnosticDescriptors.UnsupportedModifier, parameterLocation, parameter.Name, displayName, RefKindText(parameter.RefKind));
            var isVariadic = Symbols.IsVariadicInput(parameter.Type, out var parameterElement);
            var isArray = isVariadic || Symbols.IsNdArray(parameter.Type, out parameterElement);
            if (parameter.IsParams && !isVariadic)
                reporter.Report(DiagnosticDescriptors.UnsupportedModifier, parameterLocation, parameter.Name, displayName, "params");
            if (Symbols.IsOtherArrayCollection(parameter.Type))
            {
                reporter.Report(DiagnosticDescriptors.VariadicInputType, parameterSyntax?.Type?.GetLocation() ?? parameterLocation,
                    parameter.Name, displayName, Symbols.Display(parameter.Type), element is null ? "T" : Symbols.Display(element));
            }

            if (isArray && parameter.HasExplicitDefaultValue)
                reporter.Report(DiagnosticDescriptors.ArrayDefault, parameterSyntax?.Default?.GetLocation() ?? parameterLocation, parameter.Name, displayName);
            if (isArray && element is not null && Symbols.Key(parameterElement) != Symbols.Key(element))
            {
                reporter.Report(DiagnosticDescriptors.MixedElementTypes, parameterSyntax?.Type?.GetLocation() ?? parameterLocation,
                    parameter.Name, displayName, Symbols.Display(parameter.Type), Symbols.Display(element));
            }
            forwardParameters.Add(parameter);
            parameters.Add(new ParameterModel(
                Identifiers.Escape(parameter.Name),
                parameter.Name,
                isArray ? "global::Autograd.NdArray<" + (element ?? parameterElement).ToDisplayString(Symbols.TypeFormat) + ">" + (isVariadic ? "[]" : string.Empty) : parameter.Type.ToDisplayString(Symbols.TypeFormat),
                isArray,
                DefaultValueFormatter.Format(parameter),
                parameter.Type.IsReferenceType,
                parameter.Type is IArrayTypeSymbol && !isVariadic,
                isVariadic,
                isVariadic && parameter.IsParams));
        }

        var arrayCount = parameters.Count(p => p.IsArray);
        if (element is not null && arrayCount == 0)
            reporter.Report(DiagnosticDescriptors.NoArrayParameter, syntax.ParameterList.GetLocation(), displayName, Symbols.Display(element));
        var allVariableOnly = arrayCount > ArityLimit;
        if (allVariableOnly && element is not null)
            reporter.Report(DiagnosticDescriptors.ArityLimit, methodLocation, displayName, arrayCount, ArityLimit, Symbols.Display(element));

        // Names the generated code takes.
        var sameName = containingType.GetMembers(method.Name).OfType<IMethodSymbol>().Where(m => Symbols.OpAttribute(m) is not null).ToList();
        var index = sameName.FindIndex(m => SymbolEqualityComparer.Default.Equals(m, method));
        var nodeName = method.Name + "Node" + (index <= 0 ? string.Empty : (index + 1).ToString(CultureInfo.InvariantCulture));
        if (element is not null && arrayCount > 0)
            CheckClashes(method, containingType, element, forwardParameters, state is not null, allVariableOnly, nodeName, methodLocation, reporter, cancellationToken);

        // Past here, only the backward can be wrong: the overloads' signatures are known, so a broken
        // backward still gets them (with throwing bodies) and call sites bind; only AG errors show.
        var signatureValid = !reporter.HasErrors && element is not null && arrayCount > 0
            && !Symbols.ContainsError(method.ReturnType) && !method.Parameters.Any(p => Symbols.ContainsError(p.Type) || p.Name.Length == 0);

        // The backward.
        var backwardLookup = Symbols.BackwardName(method, attribute);
        var backwardLocation = ArgumentLocation(attributeSyntax, "Backward") ?? methodLocation;
        var (candidates, graphCandidates) = BackwardCandidates(containingType, backwardLookup, element);
        var backwardArgs = new List<BackwardArgModel>();
        IMethodSymbol? backward = null;
        if (candidates.Count == 0)
        {
            var nearMiss = NearMiss.Find(backwardLookup, containingType.GetMembers().OfType<IMethodSymbol>()
                .Where(m => m.MethodKind == MethodKind.Ordinary).Select(m => m.Name));
            reporter.Report(DiagnosticDescriptors.BackwardNotFound, backwardLocation, displayName, backwardLookup, containingType.Name,
                nearMiss is null ? string.Empty : " (did you mean '" + nearMiss + "'?)");
        }
        else if (candidates.Count > 1)
            reporter.Report(DiagnosticDescriptors.BackwardAmbiguous, backwardLocation, displayName, candidates.Count, backwardLookup, containingType.Name);
        else
            backward = candidates[0];

        if (backward is not null)
        {
            CheckBackward(method, backward, element, forwardParameters, state, arrayCount, backwardArgs, arrayArgs: null, reporter, cancellationToken);
        }
        var graphArgs = new List<BackwardArgModel>();
        if (graphCandidates.Count > 1)
            reporter.Report(DiagnosticDescriptors.BackwardAmbiguous, backwardLocation, displayName, graphCandidates.Count, backwardLookup + " (recorded, on Variables)", containingType.Name);
        else if (graphCandidates.Count == 1)
            CheckBackward(method, graphCandidates[0], element, forwardParameters, state, arrayCount, graphArgs, arrayArgs: backwardArgs, reporter, cancellationToken);
        else if (element is not null && Symbols.NamedFlag(attribute, "DifferentiableTwice"))
        {
            reporter.Report(DiagnosticDescriptors.RecordedBackwardMissing, ArgumentLocation(attributeSyntax, "DifferentiableTwice") ?? methodLocation,
                displayName, RecordedSignature(method, backward, element, forwardParameters, state, backwardLookup, qualified: false), containingType.Name);
        }

        // The analyzer asks only for diagnostics: the model (display strings, documentation, registry) is the generator's.
        if (!signatureValid || element is null || reporter.Collects)
            return null;
        var broken = reporter.HasErrors || backward is null;

        var typeParameters = method.TypeParameters.Select(t => Identifiers.Escape(t.Name)).ToEquatableArray();
        var constraints = method.TypeParameters.Select(Symbols.ConstraintClause).Where(c => c is not null).Select(c => c!).ToEquatableArray();
        var stateModel = state is null ? null : new StateModel(Identifiers.Escape(state.Name), state.Type.ToDisplayString(Symbols.TypeFormat), state.Type.IsReferenceType);

        return new OpModel(
            new HierarchyInfo(NamespaceText(containingType.ContainingNamespace), types.ToEquatableArray()),
            Identifiers.Escape(method.Name),
            string.IsNullOrEmpty(name) ? method.Name : name!,
            AccessibilityText(method.DeclaredAccessibility),
            method.IsExtensionMethod,
            typeParameters,
            constraints,
            element.ToDisplayString(Symbols.TypeFormat),
            parameters.ToEquatableArray(),
            stateModel,
            broken ? string.Empty : Identifiers.Escape(backward!.Name),
            broken ? EquatableArray<BackwardArgModel>.Empty : backwardArgs.ToEquatableArray(),
            nodeName,
            allVariableOnly,
            RegistryInfoOf(method, element, forwardParameters, compilation),
            DocumentationLines(method.GetDocumentationCommentXml(cancellationToken: cancellationToken), state?.Name),
            broken,
            broken || graphCandidates.Count != 1 ? null : graphArgs.ToEquatableArray());
    }

    /// <summary>
    /// The methods named <paramref name="name"/> in <paramref name="type"/>: the array backwards, and the
    /// recorded ones (an overload whose gradient is a <c>Variable</c>, for higher derivatives).
    /// </summary>
    internal static (List<IMethodSymbol> Arrays, List<IMethodSymbol> Recorded) BackwardCandidates(INamedTypeSymbol type, string name, ITypeSymbol? element)
    {
        var candidates = type.GetMembers(name).OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary).ToList();
        var recorded = element is null ? [] : candidates.Where(m => m.Parameters.Length > 0 && Symbols.Key(m.Parameters[0].Type) == VariableKey(element)).ToList();
        return (candidates.Except(recorded, SymbolEqualityComparer.Default).OfType<IMethodSymbol>().ToList(), recorded);
    }

    /// <summary>
    /// The recorded backward to declare, as code: the array backward's parameters (without one, the
    /// gradient, every forward parameter and a slot per array input) with <c>Variable</c> for each
    /// array but the <c>out</c> state, and the forward's type parameters and constraints. Types are
    /// as users read them, or <paramref name="qualified"/> with <c>global::</c> (for the code fix).
    /// </summary>
    internal static string RecordedSignature(
        IMethodSymbol forward, IMethodSymbol? backward, ITypeSymbol element, List<IParameterSymbol> forwardParameters, IParameterSymbol? state, string name, bool qualified)
    {
        string Display(ITypeSymbol type) => qualified ? type.ToDisplayString(Symbols.TypeFormat) : Symbols.Display(type);
        var autograd = qualified ? "global::Autograd." : string.Empty;
        var elementText = Display(element);
        var variable = autograd + "Variable<" + elementText + ">";
        var slot = autograd + "GradSlot<" + elementText + ">";
        string Optional(IParameterSymbol p) => p.NullableAnnotation == NullableAnnotation.Annotated ? "?" : string.Empty; // a [SavedFor] array
        string TypeOf(IParameterSymbol p) =>
            Symbols.IsNdArray(p.Type, out _) && p.Name != state?.Name ? variable + Optional(p)
            : Symbols.IsVariadicInput(p.Type, out _) ? variable + "[]" + Optional(p)
            : Display(p.Type);
        string SlotOf(IParameterSymbol p) =>
            Symbols.IsVariadicInput(p.Type, out _) ? (qualified ? "global::System." : string.Empty) + "ReadOnlySpan<" + slot + ">" : slot;
        var taken = new HashSet<string>(forwardParameters.Select(p => p.Name));
        string Unique(string candidate) => taken.Add(candidate) ? candidate : Unique(candidate + "2");
        var gradient = Unique(taken.Contains("dy") ? "outputGradient" : "dy"); // as the AG0008 code fix names it
        var parameters = backward is not null
            ? backward.Parameters.Select(p => TypeOf(p) + " " + Identifiers.Escape(p.Name))
            : new[] { variable + " " + gradient }.Concat(forwardParameters.Select(p => TypeOf(p) + " " + Identifiers.Escape(p.Name)))
                .Concat(forwardParameters.Where(p => Symbols.IsArrayInput(p.Type)).Select(p => SlotOf(p) + " " + Identifiers.Escape(Unique("d" + p.Name))).ToList());
        var typeParameters = forward.TypeParameters.Length == 0 ? string.Empty : "<" + string.Join(", ", forward.TypeParameters.Select(t => Identifiers.Escape(t.Name))) + ">";
        var constraints = forward.TypeParameters.Select(Symbols.ConstraintClause).Where(c => c is not null)
            .Select(c => " " + (qualified ? c! : c!.Replace("global::", string.Empty)));
        return "static void " + name + typeParameters + "(" + string.Join(", ", parameters) + ")" + string.Concat(constraints);
    }

    private static string VariableKey(ITypeSymbol element) => "global::Autograd.Variable`1<" + Symbols.Key(element) + ">";

    /// <summary>
    /// Checks a backward against the forward and lists what it asks for in <paramref name="args"/>.
    /// A recorded backward (given <paramref name="arrayArgs"/>, what the array backward takes) takes
    /// <c>Variable</c>s where the other takes arrays: the gradient, the array inputs and <c>output</c>.
    /// </summary>
    private static void CheckBackward(
        IMethodSymbol forward, IMethodSymbol backward, ITypeSymbol? element, List<IParameterSymbol> forwardParameters,
        IParameterSymbol? state, int arrayCount, List<BackwardArgModel> args, List<BackwardArgModel>? arrayArgs, Reporter reporter, CancellationToken cancellationToken)
    {
        var recorded = arrayArgs is not null;
        var syntax = backward.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<MethodDeclarationSyntax>().FirstOrDefault();
        var location = syntax?.Identifier.GetLocation() ?? backward.Locations.FirstOrDefault();
        var op = forward.Name;
        if (!backward.IsStatic)
            reporter.Report(DiagnosticDescriptors.BackwardNotStatic, location, backward.Name, op);
        if (!backward.ReturnsVoid)
            reporter.Report(DiagnosticDescriptors.BackwardReturnsValue, syntax?.ReturnType.GetLocation() ?? location, backward.Name, op, Symbols.Display(backward.ReturnType));

        if (backward.TypeParameters.Length != forward.TypeParameters.Length)
        {
            reporter.Report(DiagnosticDescriptors.BackwardTypeParameters, syntax?.TypeParameterList?.GetLocation() ?? location, backward.Name, op,
                "the forward has " + forward.TypeParameters.Length.ToString(CultureInfo.InvariantCulture) + ", the backward " +
                backward.TypeParameters.Length.ToString(CultureInfo.InvariantCulture));
            return;
        }
        for (var i = 0; i < forward.TypeParameters.Length; i++)
        {
            if (Symbols.ConstraintKey(forward.TypeParameters[i]) != Symbols.ConstraintKey(backward.TypeParameters[i]))
            {
                var clause = syntax?.ConstraintClauses.FirstOrDefault(c => c.Name.Identifier.ValueText == backward.TypeParameters[i].Name);
                var expected = Symbols.ConstraintClause(forward.TypeParameters[i]);
                reporter.Report(DiagnosticDescriptors.BackwardTypeParameters, clause?.GetLocation() ?? syntax?.TypeParameterList?.GetLocation() ?? location, backward.Name, op,
                    "type parameter '" + backward.TypeParameters[i].Name + "' needs " + (expected is null ? "no constraints" : "'" + expected.Replace("global::", string.Empty) + "'"));
            }
        }
        if (element is null)
            return;

        var parameters = backward.Parameters;
        ParameterSyntax? SyntaxOf(int i) => syntax is not null && i < syntax.ParameterList.Parameters.Count ? syntax.ParameterList.Parameters[i] : null;
        Location? LocationOf(int i) => SyntaxOf(i)?.GetLocation() ?? location;
        var elementKey = Symbols.Key(element);
        var elementText = Symbols.Display(element);
        var ndArrayKey = "global::Autograd.NdArray`1<" + elementKey + ">";
        var arrayKey = recorded ? VariableKey(element) : ndArrayKey;
        var arrayText = (recorded ? "Variable<" : "NdArray<") + elementText + ">";

        if (parameters.Length == 0)
        {
            reporter.Report(DiagnosticDescriptors.BackwardGradientParameter, syntax?.ParameterList.GetLocation() ?? location, backward.Name, elementText, ": it has no parameters");
            return;
        }
        if (Symbols.Key(parameters[0].Type) != arrayKey || parameters[0].RefKind != RefKind.None)
            reporter.Report(DiagnosticDescriptors.BackwardGradientParameter, LocationOf(0), backward.Name, elementText, " passed by value (it is '" + Symbols.Display(parameters[0].Type) + "')");

        var slots = 0;
        for (var i = parameters.Length - 1; i >= 1 && Symbols.IsSlotLike(parameters[i].Type); i--)
            slots++;
        var arrayInputs = forwardParameters.Where(p => Symbols.IsArrayInput(p.Type)).ToList();
        var arrayNames = string.Join(", ", arrayInputs.Select(p => p.Name));
        var slotParameters = parameters.Skip(parameters.Length - slots).Take(arrayCount).ToList(); // past the inputs' count: AG0017
        foreach (var i in Enumerable.Range(parameters.Length - slots, slots).Prepend(0))
            CheckSavedForPlace(parameters[i], i == 0 ? "the output gradient" : "a gradient slot", backward, op, recorded, reporter, cancellationToken);
        var misplaced = Enumerable.Range(1, parameters.Length - 1 - slots).Where(i => Symbols.IsSlotLike(parameters[i].Type)).DefaultIfEmpty(-1).First();
        if (misplaced >= 0)
        {
            var next = parameters.Skip(misplaced).First(p => !Symbols.IsSlotLike(p.Type));
            reporter.Report(DiagnosticDescriptors.BackwardSlots, LocationOf(misplaced), backward.Name, op, elementText, arrayNames,
                "slot '" + parameters[misplaced].Name + "' comes before '" + next.Name + "'; move the slots after every other parameter");
        }
        else if (slots != arrayCount)
        {
            var where = slots > arrayCount ? LocationOf(parameters.Length - slots + arrayCount) : syntax?.ParameterList.GetLocation() ?? location;
            reporter.Report(DiagnosticDescriptors.BackwardSlots, where, backward.Name, op, elementText, arrayNames,
                "it has " + slots.ToString(CultureInfo.InvariantCulture) + " instead of " + arrayCount.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            for (var i = parameters.Length - slots; i < parameters.Length; i++)
            {
                var input = arrayInputs[i - (parameters.Length - slots)];
                var variadic = Symbols.IsVariadicInput(input.Type, out _);
                var single = Symbols.IsGradSlot(parameters[i].Type, out var slotElement);
                if (variadic ? !Symbols.IsGradSlotSpan(parameters[i].Type, out slotElement) : !single)
                {
                    reporter.Report(DiagnosticDescriptors.SlotKind, LocationOf(i), parameters[i].Name, backward.Name, DeclaredType(parameters[i]), input.Name, op,
                        variadic ? "variadic ('NdArray<" + elementText + ">[]', one slot per element)" : "one array ('NdArray<" + elementText + ">')",
                        variadic ? "ReadOnlySpan<GradSlot<" + elementText + ">>" : "GradSlot<" + elementText + ">");
                }
                else if (Symbols.Key(slotElement) != elementKey || parameters[i].RefKind != RefKind.None)
                {
                    reporter.Report(DiagnosticDescriptors.BackwardSlots, LocationOf(i), backward.Name, op, elementText, arrayNames,
                        "'" + parameters[i].Name + "' is '" + DeclaredType(parameters[i]) + "'");
                }
            }
        }

        var last = -1;
        for (var i = 1; i < parameters.Length - slots; i++)
        {
            var parameter = parameters[i];
            if (Symbols.IsSlotLike(parameter.Type))
                continue; // a misplaced slot, reported above
            int ordinal;
            string expectedKey;
            string expectedText;
            BackwardArgModel arg;
            var forwardIndex = forwardParameters.FindIndex(p => p.Name == parameter.Name);
            if (forwardIndex >= 0)
            {
                ordinal = forwardIndex;
                var forwardKey = Symbols.Key(forwardParameters[forwardIndex].Type);
                var brackets = forwardKey == ndArrayKey + "[]" ? "[]" : string.Empty; // a variadic input: its elements, as arrays or variables
                var isArray = forwardKey == ndArrayKey + brackets;
                expectedKey = isArray ? arrayKey + brackets : forwardKey;
                expectedText = isArray ? arrayText + brackets : Symbols.Display(forwardParameters[forwardIndex].Type);
                arg = new BackwardArgModel(BackwardArgKind.Parameter, forwardIndex);
            }
            else if (state is not null && state.Name == parameter.Name)
            {
                ordinal = forwardParameters.Count;
                expectedKey = Symbols.Key(state.Type);
                expectedText = Symbols.Display(state.Type);
                arg = new BackwardArgModel(BackwardArgKind.State, -1);
            }
            else if (parameter.Name == OutputName)
            {
                ordinal = forwardParameters.Count + 1;
                expectedKey = arrayKey;
                expectedText = arrayText;
                arg = new BackwardArgModel(BackwardArgKind.Output, -1);
            }
            else
            {
                reporter.Report(DiagnosticDescriptors.BackwardUnknownParameter, LocationOf(i), parameter.Name, backward.Name, op);
                continue;
            }
            if (Symbols.Key(parameter.Type) != expectedKey || parameter.RefKind != RefKind.None || parameter.IsParams)
                reporter.Report(DiagnosticDescriptors.BackwardParameterType, LocationOf(i), parameter.Name, backward.Name, expectedText, op, DeclaredType(parameter));
            if (ordinal <= last)
                reporter.Report(DiagnosticDescriptors.BackwardParameterOrder, LocationOf(i), parameter.Name, backward.Name, op);
            last = ordinal > last ? ordinal : last;
            args.Add(WithSavedFor(arg, parameter, backward, op, slotParameters, arrayInputs, arrayArgs, reporter, cancellationToken));
        }
    }

    /// <summary>
    /// <paramref name="arg"/> with the array inputs its <c>[SavedFor]</c> names (AG0030; AG0031 where it
    /// cannot be), or for a recorded backward (<paramref name="arrayArgs"/> given) the array backward's,
    /// which govern both (AG0033 on one of its own). A parameter saved for some gradients only is null
    /// when none can be needed, so it must be declared nullable (AG0032).
    /// </summary>
    private static BackwardArgModel WithSavedFor(
        BackwardArgModel arg, IParameterSymbol parameter, IMethodSymbol backward, string op, List<IParameterSymbol> slots,
        List<IParameterSymbol> arrayInputs, List<BackwardArgModel>? arrayArgs, Reporter reporter, CancellationToken cancellationToken)
    {
        if (arrayArgs is not null)
            arg = arrayArgs.FirstOrDefault(a => a.Kind == arg.Kind && a.ParameterIndex == arg.ParameterIndex) ?? arg;
        if (arg.Kind == BackwardArgKind.State || !Symbols.IsArrayInput(parameter.Type) && arg.Kind == BackwardArgKind.Parameter)
            CheckSavedForPlace(parameter, arg.Kind == BackwardArgKind.State ? "the 'out' state" : "not an array", backward, op, arrayArgs is not null, reporter, cancellationToken);
        else if (Symbols.SavedForAttribute(parameter) is { } attribute && CheckSavedForPlace(parameter, null, backward, op, arrayArgs is not null, reporter, cancellationToken))
            arg = arg with { SavedFor = SlotIndices(attribute, parameter, backward, op, slots, reporter, cancellationToken) };
        if (arg.SavedFor.Count > 0 && parameter.NullableAnnotation == NullableAnnotation.NotAnnotated)
        {
            var syntax = parameter.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) as ParameterSyntax;
            reporter.Report(DiagnosticDescriptors.SavedForNotNullable, syntax?.Type?.GetLocation() ?? parameter.Locations.FirstOrDefault(), parameter.Name, backward.Name,
                string.Join(", ", arg.SavedFor.Select(i => arrayInputs[i].Name)), Symbols.Display(parameter.Type));
        }
        return arg;
    }

    /// <summary>
    /// False, reporting it, when <paramref name="parameter"/> has a <c>[SavedFor]</c> that cannot be there:
    /// the parameter is <paramref name="what"/> rather than a saved array (AG0031), or the backward is a
    /// recorded one, whose saving the array backward decides (AG0033).
    /// </summary>
    private static bool CheckSavedForPlace(IParameterSymbol parameter, string? what, IMethodSymbol backward, string op, bool recorded, Reporter reporter, CancellationToken cancellationToken)
    {
        if (Symbols.SavedForAttribute(parameter) is not { } attribute)
            return false;
        var location = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation();
        if (recorded)
            reporter.Report(DiagnosticDescriptors.SavedForOnRecordedBackward, location, parameter.Name, backward.Name, op);
        else if (what is not null)
            reporter.Report(DiagnosticDescriptors.SavedForPlacement, location, parameter.Name, backward.Name, what, op);
        return !recorded && what is null;
    }

    /// <summary>The positions of the slots a <c>[SavedFor]</c> names, each once; a name that is no slot is reported (AG0030).</summary>
    private static EquatableArray<int> SlotIndices(
        AttributeData attribute, IParameterSymbol parameter, IMethodSymbol backward, string op, List<IParameterSymbol> slots, Reporter reporter, CancellationToken cancellationToken)
    {
        if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Kind != TypedConstantKind.Array)
            return EquatableArray<int>.Empty; // does not bind: the compiler reports it
        var names = attribute.ConstructorArguments[0];
        var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        var arguments = syntax?.ArgumentList?.Arguments;
        var values = names.IsNull ? ImmutableArray<TypedConstant>.Empty : names.Values;
        var indices = new List<int>();
        void Bad(string name, Location? location) => reporter.Report(DiagnosticDescriptors.SavedForUnknownSlot, location ?? syntax?.GetLocation(), parameter.Name, backward.Name,
            name, op, string.Join(", ", slots.Select(s => s.Name)));
        if (values.Length == 0)
            Bad(string.Empty, null);
        for (var k = 0; k < values.Length; k++)
        {
            var name = values[k].Value as string;
            var index = slots.FindIndex(s => s.Name == name);
            if (index < 0)
                Bad(name ?? string.Empty, arguments?.Count == values.Length ? arguments.Value[k].Expression.GetLocation() : null);
            else if (!indices.Contains(index))
                indices.Add(index);
        }
        return indices.ToEquatableArray();
    }

    private static void CheckClashes(
        IMethodSymbol method, INamedTypeSymbol containingType, ITypeSymbol element, List<IParameterSymbol> forwardParameters,
        bool hasState, bool allVariableOnly, string nodeName, Location? methodLocation, Reporter reporter, CancellationToken cancellationToken)
    {
        var elementKey = Symbols.Key(element);
        var arrayKey = "global::Autograd.NdArray`1<" + elementKey + ">";
        var variableKey = "global::Autograd.Variable`1<" + elementKey + ">";
        var arrays = forwardParameters.Where(p => Symbols.IsArrayInput(p.Type)).ToList();
        string InputKey(IParameterSymbol p, bool tracked) =>
            (tracked ? variableKey : arrayKey) + (Symbols.IsVariadicInput(p.Type, out _) ? "[]" : string.Empty);

        // Every signature the generator writes, as type keys.
        var signatures = new List<(string[] Keys, string What)>();
        foreach (var mask in OpModel.OverloadMasks(arrays.Count, allVariableOnly))
        {
            var bit = 0;
            var keys = forwardParameters.Select(p =>
                Symbols.IsArrayInput(p.Type) ? InputKey(p, ((mask >> bit++) & 1) == 1) : Symbols.Key(p.Type)).ToArray();
            signatures.Add((keys, "tracked overload"));
        }
        if (hasState)
            signatures.Add((forwardParameters.Select(p => Symbols.IsArrayInput(p.Type) ? InputKey(p, false) : Symbols.Key(p.Type)).ToArray(), "overload without the 'out' state"));

        foreach (var member in containingType.GetMembers(method.Name))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (member is not IMethodSymbol other || SymbolEqualityComparer.Default.Equals(other, method) || Symbols.IsGenerated(other))
                continue;
            if (other.TypeParameters.Length != method.TypeParameters.Length)
                continue;
            var otherKeys = other.Parameters.Select(p => Symbols.Key(p.Type)).ToArray();
            foreach (var (keys, what) in signatures)
            {
                if (keys.SequenceEqual(otherKeys))
                {
                    reporter.Report(DiagnosticDescriptors.MemberClash, LocationOfMember(other, cancellationToken) ?? methodLocation,
                        other.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat), what, method.Name);
                    break;
                }
            }
        }
        foreach (var member in containingType.GetMembers(nodeName))
        {
            if (!Symbols.IsGenerated(member))
                reporter.Report(DiagnosticDescriptors.MemberClash, LocationOfMember(member, cancellationToken) ?? methodLocation, member.Name, "graph node type '" + nodeName + "'", method.Name);
        }
    }

    private static Location? LocationOfMember(ISymbol member, CancellationToken cancellationToken)
    {
        var node = member.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken);
        return node switch
        {
            MethodDeclarationSyntax m => m.Identifier.GetLocation(),
            BaseTypeDeclarationSyntax t => t.Identifier.GetLocation(),
            PropertyDeclarationSyntax p => p.Identifier.GetLocation(),
            _ => member.Locations.FirstOrDefault(l => l.IsInSource),
        };
    }

    private static RegistryInfo RegistryInfoOf(IMethodSymbol method, ITypeSymbol element, List<IParameterSymbol> forwardParameters, Compilation compilation)
    {
        var accessible = true;
        for (ISymbol? symbol = method; symbol is not null and not INamespaceSymbol; symbol = symbol.ContainingSymbol)
        {
            if (symbol.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
                accessible = false;
        }
        var defaults = forwardParameters.All(p => Symbols.IsArrayInput(p.Type) || p.HasExplicitDefaultValue);
        bool Invokes(SpecialType special)
        {
            if (!accessible || !defaults)
                return false;
            var candidate = compilation.GetSpecialType(special);
            if (element is ITypeParameterSymbol parameter)
                return method.TypeParameters.Length == 1 && Satisfies(parameter, candidate, compilation);
            return element.SpecialType == special && method.TypeParameters.Length == 0;
        }
        var declaringName = method.ContainingType.ToDisplayString();
        return new RegistryInfo(declaringName, accessible, Invokes(SpecialType.System_Double), Invokes(SpecialType.System_Single));
    }

    private static bool Satisfies(ITypeParameterSymbol parameter, ITypeSymbol candidate, Compilation compilation)
    {
        if (parameter.HasReferenceTypeConstraint)
            return false;
        foreach (var constraint in parameter.ConstraintTypes)
        {
            var target = Substitute(constraint, parameter, candidate);
            if (target is null || !compilation.ClassifyCommonConversion(candidate, target).IsImplicit)
                return false;
        }
        return true;
    }

    private static ITypeSymbol? Substitute(ITypeSymbol type, ITypeParameterSymbol parameter, ITypeSymbol candidate)
    {
        if (SymbolEqualityComparer.Default.Equals(type, parameter))
            return candidate;
        if (type is INamedTypeSymbol { IsGenericType: true } named)
        {
            var args = new ITypeSymbol[named.TypeArguments.Length];
            for (var i = 0; i < args.Length; i++)
            {
                var arg = Substitute(named.TypeArguments[i], parameter, candidate);
                if (arg is null)
                    return null;
                args[i] = arg;
            }
            return named.OriginalDefinition.Construct(args);
        }
        return type is ITypeParameterSymbol ? null : type;
    }

    /// <summary>
    /// The inside of a <c>&lt;member&gt;</c> documentation element as lines, their common indentation
    /// removed; empty for no documentation or a badly formed one (which the compiler reports).
    /// </summary>
    /// <summary>
    /// The forward's documentation as the overloads carry it. They have no <c>out</c> state
    /// parameter, so its <c>param</c> tag goes and a <c>paramref</c> to it becomes plain code text.
    /// </summary>
    private static EquatableArray<string> DocumentationLines(string? xml, string? stateName)
    {
        if (xml is null || !xml.StartsWith("<member", System.StringComparison.Ordinal))
            return EquatableArray<string>.Empty;
        if (stateName is not null)
        {
            var name = Regex.Escape(stateName);
            xml = Regex.Replace(xml, "[ \\t]*<param name=\"" + name + "\">.*?</param>[ \\t]*\\r?\\n?", string.Empty, RegexOptions.Singleline);
            xml = Regex.Replace(xml, "<paramref name=\"" + name + "\"\\s*/>", "<c>" + stateName + "</c>");
        }
        var start = xml.IndexOf('>') + 1;
        var end = xml.LastIndexOf("</member>", System.StringComparison.Ordinal);
        if (start <= 0 || end < start)
            return EquatableArray<string>.Empty;
        var lines = xml.Substring(start, end - start).Replace("\r\n", "\n").Split('\n')
            .Select(l => l.TrimEnd()).SkipWhile(l => l.Length == 0).Reverse().SkipWhile(l => l.Length == 0).Reverse().ToList();
        var indent = lines.Where(l => l.Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return lines.Select(l => l.Length >= indent ? l.Substring(indent) : l).ToEquatableArray();
    }

    private static Location? ArgumentLocation(AttributeSyntax? attribute, string name) =>
        attribute?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name)?.Expression.GetLocation();

    private static string Describe(IMethodSymbol method) => method.MethodKind switch
    {
        MethodKind.UserDefinedOperator or MethodKind.Conversion => "an operator",
        MethodKind.Constructor or MethodKind.StaticConstructor => "a constructor",
        MethodKind.PropertyGet or MethodKind.PropertySet or MethodKind.EventAdd or MethodKind.EventRemove => "an accessor",
        MethodKind.LocalFunction => "a local function",
        MethodKind.AnonymousFunction => "a lambda",
        _ => "'" + method.Name + "'",
    };

    private static string Keyword(INamedTypeSymbol type)
    {
        var keyword = "partial " + type.TypeKind switch
        {
            TypeKind.Struct => type.IsRecord ? "record struct" : "struct",
            TypeKind.Interface => "interface",
            _ => type.IsRecord ? "record" : "class",
        };
        if (type.TypeKind == TypeKind.Struct && type.IsRefLikeType)
            keyword = "ref " + keyword;
        if (type.TypeKind == TypeKind.Struct && type.IsReadOnly)
            keyword = "readonly " + keyword;
        return keyword;
    }

    private static string NamespaceText(INamespaceSymbol? ns)
    {
        var parts = new List<string>();
        for (; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace)
            parts.Insert(0, Identifiers.Escape(ns.Name));
        return string.Join(".", parts);
    }

    private static string AccessibilityText(Accessibility accessibility) => accessibility switch
    {
        Accessibility.Public => "public",
        Accessibility.Internal => "internal",
        Accessibility.Protected => "protected",
        Accessibility.ProtectedOrInternal => "protected internal",
        Accessibility.ProtectedAndInternal => "private protected",
        _ => "private",
    };

    /// <summary>A parameter's type as declared, with its ref kind in front when it has one: <c>ref NdArray&lt;T&gt;</c>.</summary>
    private static string DeclaredType(IParameterSymbol parameter) =>
        (parameter.RefKind == RefKind.None ? string.Empty : RefKindText(parameter.RefKind) + " ") + Symbols.Display(parameter.Type);

    private static string RefKindText(RefKind kind) => kind switch
    {
        RefKind.Ref => "ref",
        RefKind.Out => "out",
        RefKind.In => "in",
        _ => "ref readonly",
    };

    /// <summary>Collects diagnostics (when asked to) and remembers whether any was an error.</summary>
    private sealed class Reporter
    {
        private readonly List<Diagnostic>? _diagnostics;

        public Reporter(List<Diagnostic>? diagnostics) => _diagnostics = diagnostics;

        public bool HasErrors { get; private set; }

        /// <summary>True when diagnostics are collected: the analyzer is asking, and needs no model.</summary>
        public bool Collects => _diagnostics is not null;

        public void Report(DiagnosticDescriptor descriptor, Location? location, params object?[] args)
        {
            if (descriptor.DefaultSeverity == DiagnosticSeverity.Error)
                HasErrors = true;
            _diagnostics?.Add(Diagnostic.Create(descriptor, location ?? Location.None, args));
        }
    }
}
