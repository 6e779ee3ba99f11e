using Microsoft.CodeAnalysis;

namespace Autograd.Generators.Diagnostics;

/// <summary>
/// Every diagnostic the Autograd generator's analyzer reports. Ids are sequential (<c>AG0001</c>…),
/// one category, each listed in AnalyzerReleases.Unshipped.md. AG0001–AG0009 are about the forward
/// and where it lives, AG0010–AG0019 about the backward, AG0020 onwards about what gets generated.
/// </summary>
internal static class DiagnosticDescriptors
{
    public const string Category = "Autograd";

    private const string HelpBase = "https://github.com/autograd-dotnet/autograd/blob/main/README.md#";

    public static readonly DiagnosticDescriptor TypeNotPartial = Error(
        "AG0001", "The type of an op must be partial",
        "Type '{0}' must be declared 'partial': the generator adds the tracked overloads of op '{1}' to it");

    public static readonly DiagnosticDescriptor ForwardNotStatic = Error(
        "AG0002", "An op must be static",
        "Op '{0}' must be 'static': add the 'static' modifier to the forward method");

    public static readonly DiagnosticDescriptor ForwardReturnType = Error(
        "AG0003", "An op must return an NdArray",
        "Op '{0}' must return 'NdArray<T>' (it returns '{1}'): return the op's result array");

    public static readonly DiagnosticDescriptor NoArrayParameter = Error(
        "AG0004", "An op needs an array input",
        "Op '{0}' has no 'NdArray<{1}>' parameter: add at least one array input (the differentiable inputs)");

    public static readonly DiagnosticDescriptor UnsupportedModifier = Error(
        "AG0005", "Unsupported parameter modifier on an op",
        "Parameter '{0}' of op '{1}' is '{2}': op parameters are passed by value (only a last 'out' parameter, the state saved for backward, is allowed)");

    public static readonly DiagnosticDescriptor MisplacedOut = Error(
        "AG0006", "An op's out parameter must be its only one and its last",
        "Parameter '{0}' of op '{1}' is 'out' but {2}: an op has at most one 'out' parameter (the state saved for backward), and it is the last");

    public static readonly DiagnosticDescriptor MixedElementTypes = Error(
        "AG0007", "An op's arrays must share one element type",
        "Parameter '{0}' of op '{1}' has type '{2}' but the op returns 'NdArray<{3}>': every array input must have the result's element type");

    public static readonly DiagnosticDescriptor BackwardNotFound = Error(
        "AG0008", "No backward found for an op",
        "Op '{0}' has no backward{3}: declare 'static void {1}(...)' in '{2}', or name one with [DifferentiableOp(Backward = nameof(...))]");

    public static readonly DiagnosticDescriptor BackwardAmbiguous = Error(
        "AG0009", "More than one backward candidate for an op",
        "Op '{0}' has {1} methods named '{2}' in '{3}': keep one backward, or name a unique one with [DifferentiableOp(Backward = nameof(...))]");

    public static readonly DiagnosticDescriptor BackwardNotStatic = Error(
        "AG0010", "A backward must be static",
        "Backward '{0}' of op '{1}' must be 'static': add the 'static' modifier");

    public static readonly DiagnosticDescriptor BackwardReturnsValue = Error(
        "AG0011", "A backward must return void",
        "Backward '{0}' of op '{1}' must return 'void' (it returns '{2}'): give gradients through its GradSlot parameters");

    public static readonly DiagnosticDescriptor BackwardTypeParameters = Error(
        "AG0012", "A backward must have the forward's type parameters",
        "Backward '{0}' of op '{1}' must declare the forward's type parameters with the same constraints: {2}");

    public static readonly DiagnosticDescriptor BackwardGradientParameter = Error(
        "AG0013", "A backward's first parameter must be the output gradient",
        "The first parameter of backward '{0}' must be the output gradient 'NdArray<{1}>'{2}");

    public static readonly DiagnosticDescriptor BackwardUnknownParameter = Error(
        "AG0014", "A backward parameter names nothing the forward has",
        "Parameter '{0}' of backward '{1}' names nothing op '{2}' has: use a forward parameter's name, the 'out' state's name, or 'output' for the forward's result (or make it a GradSlot if it is a slot)");

    public static readonly DiagnosticDescriptor BackwardParameterType = Error(
        "AG0015", "A backward parameter's type differs from the forward's",
        "Parameter '{0}' of backward '{1}' must be '{2}' passed by value, as in op '{3}' (it is '{4}')");

    public static readonly DiagnosticDescriptor BackwardParameterOrder = Error(
        "AG0016", "A backward's parameters are out of order",
        "Parameter '{0}' of backward '{1}' is out of order or repeated: declare what it takes from op '{2}' in the forward's order, each once, then the 'out' state, then 'output', then the gradient slots");

    public static readonly DiagnosticDescriptor BackwardSlots = Error(
        "AG0017", "A backward's gradient slots do not match the op's array inputs",
        "Backward '{0}' of op '{1}' must end with one 'GradSlot<{2}>' per array input ({3}, in order): {4}");

    public static readonly DiagnosticDescriptor MemberClash = Error(
        "AG0018", "A member clashes with generated code",
        "'{0}' clashes with the {1} generated for op '{2}': rename or remove it");

    public static readonly DiagnosticDescriptor GenericContainingType = Error(
        "AG0019", "An op cannot be declared in a generic type",
        "Op '{0}' is declared in generic type '{1}': move it to a non-generic partial type");

    public static readonly DiagnosticDescriptor ArityLimit = Warning(
        "AG0020", "Too many array inputs for every overload",
        "Op '{0}' has {1} array inputs, more than {2}: only the overload taking every input as 'Variable<{3}>' is generated; pass constants as variables created with requiresGrad: false");

    public static readonly DiagnosticDescriptor UnsupportedLocation = Error(
        "AG0021", "[DifferentiableOp] is not supported here",
        "[DifferentiableOp] is not supported on {0}: put it on a static method of a named, non-file-local partial type");

    public static readonly DiagnosticDescriptor InternalError = Error(
        "AG0022", "The generator failed on an op",
        "The Autograd generator could not process op '{0}' ({1}); please report this");

    public static readonly DiagnosticDescriptor InvalidName = Error(
        "AG0023", "An op's Name must not be empty",
        "Op '{0}' has an empty Name: give a name for messages and graph export, or remove Name to use the method's name");

    public static readonly DiagnosticDescriptor ArrayDefault = Error(
        "AG0024", "An op's array input cannot have a default value",
        "Array input '{0}' of op '{1}' has a default value: array inputs are required (every generated overload takes them); remove the default, or write a second op without this input");

    public static readonly DiagnosticDescriptor ForwardWritesInput = Warning(
        "AG0025", "An op writes into its array input",
        "Op '{0}' writes into its array input '{1}'{2}: a recorded node saves its inputs for backward, and this write changes them; compute into a new array instead");

    public static readonly DiagnosticDescriptor BackwardWritesInput = Warning(
        "AG0026", "A backward writes into its gradient or a saved value",
        "Backward '{0}' writes into {1} '{2}'{3}: other nodes and later passes read it; compute into a new array, or into a slot's GetBuffer()");

    public static readonly DiagnosticDescriptor VariadicInputType = Error(
        "AG0028", "A collection of arrays that an op cannot take",
        "Parameter '{0}' of op '{1}' is '{2}': a variadic array input is written 'NdArray<{3}>[]' (or 'params NdArray<{3}>[]'), one differentiable input per element");

    public static readonly DiagnosticDescriptor SlotKind = Error(
        "AG0029", "A gradient slot does not fit its array input",
        "Slot '{0}' of backward '{1}' is '{2}' but input '{3}' of op '{4}' is {5}: declare the slot '{6}'");
    public static readonly DiagnosticDescriptor RecordedBackwardMissing = Error(
        "AG0027", "An op marked DifferentiableTwice has no recorded backward",
        "Op '{0}' is marked DifferentiableTwice but has no recorded backward: declare '{1}' in '{2}', computing each slot's gradient with ops on the variables, or remove DifferentiableTwice");

    public static readonly DiagnosticDescriptor SavedForUnknownSlot = Error(
        "AG0030", "[SavedFor] names something that is not a gradient slot",
        "[SavedFor] on parameter '{0}' of backward '{1}' names '{2}', which is not a gradient slot of op '{3}': name the slots whose gradients read '{0}', out of {4}");

    public static readonly DiagnosticDescriptor SavedForPlacement = Error(
        "AG0031", "[SavedFor] on a parameter that is not a saved array",
        "[SavedFor] cannot go on parameter '{0}' of backward '{1}': it is {2}; only an array input or 'output' that op '{3}' saves for backward can be saved for some gradients, so remove it");

    public static readonly DiagnosticDescriptor SavedForNotNullable = Error(
        "AG0032", "A [SavedFor] parameter must be nullable",
        "Parameter '{0}' of backward '{1}' is saved only for the gradients of {2} ([SavedFor]), so it is null when none of them can be needed: declare it '{3}?' and read it only when one of their slots IsNeeded");

    public static readonly DiagnosticDescriptor SavedForOnRecordedBackward = Warning(
        "AG0033", "[SavedFor] on a recorded backward has no effect",
        "[SavedFor] on parameter '{0}' of recorded backward '{1}' has no effect: the array backward's [SavedFor] decides what op '{2}' saves, for both backwards; remove it");

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());

    private static DiagnosticDescriptor Warning(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());
}
