using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using static Autograd.Generators.Tests.GeneratorHarness;

namespace Autograd.Generators.Tests;

/// <summary>
/// One case per diagnostic: the source marks the exact span expected with <c>[|…|]</c>; the test
/// asserts the id, that span (line and column) and the full message, and that nothing is generated
/// for the broken op.
/// </summary>
public class DiagnosticTests
{
    private const string W = "where T : unmanaged, IFloatingPointIeee754<T>";
    private const string Fwd = "[DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => x;";
    private const string Bwd = "static void FBackward<T>(NdArray<T> dy, GradSlot<T> dx) " + W + " => dx.Accumulate(dy);";

    private static string Ops(string body, string declaration = "public static partial class Ops") =>
        Usings + "namespace User;\n" + declaration + "\n{\n" + body + "\n}\n";

    private static IEnumerable<TestCaseData> Cases()
    {
        TestCaseData Case(string name, string id, string source, string message) =>
            new TestCaseData(id, source, message).SetName(id + "_" + name);

        yield return Case("type not partial", "AG0001",
            Ops(Fwd + Bwd, "public static class [|Ops|]"),
            "Type 'User.Ops' must be declared 'partial': the generator adds the tracked overloads of op 'F' to it");
        yield return Case("enclosing type not partial", "AG0001",
            Usings + "namespace User;\npublic class [|Outer|]\n{\n public static partial class Ops { " + Fwd + Bwd + " }\n}\n",
            "Type 'User.Outer' must be declared 'partial': the generator adds the tracked overloads of op 'F' to it");
        yield return Case("forward not static", "AG0002",
            Ops("[DifferentiableOp] public NdArray<T> [|F|]<T>(NdArray<T> x) " + W + " => x;\n" + Bwd, "public partial class Ops"),
            "Op 'F' must be 'static': add the 'static' modifier to the forward method");
        yield return Case("forward returns void", "AG0003",
            Ops("[DifferentiableOp] public static [|void|] F<T>(NdArray<T> x) " + W + " { }\n" + Bwd),
            "Op 'F' must return 'NdArray<T>' (it returns 'void'): return the op's result array");
        yield return Case("forward returns a variable", "AG0003",
            Ops("[DifferentiableOp] public static [|Variable<T>|] F<T>(NdArray<T> x) " + W + " => x.ToVariable();\n" + Bwd),
            "Op 'F' must return 'NdArray<T>' (it returns 'Variable<T>'): return the op's result array");
        yield return Case("no array parameter", "AG0004",
            Ops("[DifferentiableOp] public static NdArray<T> F<T>[|(int n)|] " + W + " => NdArray.Zeros<T>(n);\nstatic void FBackward<T>(NdArray<T> dy) " + W + " { }"),
            "Op 'F' has no 'NdArray<T>' parameter: add at least one array input (the differentiable inputs)");
        yield return Case("ref parameter", "AG0005",
            Ops("[DifferentiableOp] public static NdArray<T> F<T>([|ref NdArray<T> x|]) " + W + " => x;\n" + Bwd),
            "Parameter 'x' of op 'F' is 'ref': op parameters are passed by value (only a last 'out' parameter, the state saved for backward, is allowed)");
        yield return Case("params parameter", "AG0005",
            Ops("[DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x, [|params int[] axes|]) " + W + " => x;\n" + Bwd),
            "Parameter 'axes' of op 'F' is 'params': op parameters are passed by value (only a last 'out' parameter, the state saved for backward, is allowed)");
        yield return Case("out not last", "AG0006",
            Ops("[DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x, [|out int state|], int n) " + W + " { state = 0; return x; }\n" + Bwd),
            "Parameter 'state' of op 'F' is 'out' but is not the last parameter: an op has at most one 'out' parameter (the state saved for backward), and it is the last");
        yield return Case("mixed element types", "AG0007",
            Ops("[DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x, [|NdArray<double>|] y) " + W + " => x;\nstatic void FBackward<T>(NdArray<T> dy, GradSlot<T> dx, GradSlot<T> dy2) " + W + " { }"),
            "Parameter 'y' of op 'F' has type 'NdArray<double>' but the op returns 'NdArray<T>': every array input must have the result's element type");
        yield return Case("no backward", "AG0008",
            Ops("[DifferentiableOp] public static NdArray<T> [|F|]<T>(NdArray<T> x) " + W + " => x;"),
            "Op 'F' has no backward: declare 'static void FBackward(...)' in 'Ops', or name one with [DifferentiableOp(Backward = nameof(...))]");
        yield return Case("named backward missing", "AG0008",
            Ops("[DifferentiableOp(Backward = [|\"Grad\"|])] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => x;"),
            "Op 'F' has no backward: declare 'static void Grad(...)' in 'Ops', or name one with [DifferentiableOp(Backward = nameof(...))]");
        yield return Case("two backward candidates", "AG0009",
            Ops("[DifferentiableOp] public static NdArray<T> [|F|]<T>(NdArray<T> x) " + W + " => x;\n" + Bwd + "\nstatic void FBackward(NdArray<double> dy, GradSlot<double> dx) { }"),
            "Op 'F' has 2 methods named 'FBackward' in 'Ops': keep one backward, or name a unique one with [DifferentiableOp(Backward = nameof(...))]");
        yield return Case("backward not static", "AG0010",
            Ops(Fwd + "\nvoid [|FBackward|]<T>(NdArray<T> dy, GradSlot<T> dx) " + W + " { }", "public partial class Ops"),
            "Backward 'FBackward' of op 'F' must be 'static': add the 'static' modifier");
        yield return Case("backward returns a value", "AG0011",
            Ops(Fwd + "\nstatic [|int|] FBackward<T>(NdArray<T> dy, GradSlot<T> dx) " + W + " => 0;"),
            "Backward 'FBackward' of op 'F' must return 'void' (it returns 'int'): give gradients through its GradSlot parameters");
        yield return Case("backward generic arity", "AG0012",
            Ops(Fwd + "\nstatic void FBackward[|<T, U>|](NdArray<T> dy, GradSlot<T> dx) " + W + " { }"),
            "Backward 'FBackward' of op 'F' must declare the forward's type parameters with the same constraints: the forward has 1, the backward 2");
        yield return Case("backward constraints", "AG0012",
            Ops(Fwd + "\nstatic void FBackward<T>(NdArray<T> dy, GradSlot<T> dx) [|where T : unmanaged, IFloatingPointIeee754<T>, IComparable<T>|] { }"),
            "Backward 'FBackward' of op 'F' must declare the forward's type parameters with the same constraints: type parameter 'T' needs 'where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>'");
        yield return Case("backward first parameter", "AG0013",
            Ops(Fwd + "\nstatic void FBackward<T>([|NdArray<double> dy|], GradSlot<T> dx) " + W + " { }"),
            "The first parameter of backward 'FBackward' must be the output gradient 'NdArray<T>' passed by value (it is 'NdArray<double>')");
        yield return Case("backward unknown parameter", "AG0014",
            Ops(Fwd + "\nstatic void FBackward<T>(NdArray<T> dy, [|NdArray<T> z|], GradSlot<T> dx) " + W + " { }"),
            "Parameter 'z' of backward 'FBackward' names nothing op 'F' has: use a forward parameter's name, the 'out' state's name, or 'output' for the forward's result (or make it a GradSlot if it is a slot)");
        yield return Case("backward parameter type", "AG0015",
            Ops(Fwd + "\nstatic void FBackward<T>(NdArray<T> dy, [|int x|], GradSlot<T> dx) " + W + " { }"),
            "Parameter 'x' of backward 'FBackward' must be 'NdArray<T>' passed by value, as in op 'F' (it is 'int')");
        yield return Case("backward parameter order", "AG0016",
            Ops("[DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x, NdArray<T> y) " + W + " => x;\nstatic void FBackward<T>(NdArray<T> dy, NdArray<T> y, [|NdArray<T> x|], GradSlot<T> dx, GradSlot<T> dy2) " + W + " { }"),
            "Parameter 'x' of backward 'FBackward' is out of order or repeated: declare what it takes from op 'F' in the forward's order, each once, then the 'out' state, then 'output', then the gradient slots");
        yield return Case("backward slot count", "AG0017",
            Ops("[DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x, NdArray<T> y) " + W + " => x;\nstatic void FBackward<T>[|(NdArray<T> dy, GradSlot<T> dx)|] " + W + " { }"),
            "Backward 'FBackward' of op 'F' must end with one 'GradSlot<T>' per array input (x, y, in order): it has 1 instead of 2");
        yield return Case("slot before a saved input", "AG0017",
            Ops(Fwd + "\nstatic void FBackward<T>(NdArray<T> dy, [|GradSlot<T> dx|], NdArray<T> x) " + W + " { }"),
            "Backward 'FBackward' of op 'F' must end with one 'GradSlot<T>' per array input (x, in order): slot 'dx' comes before 'x'; move the slots after every other parameter");
        yield return Case("near miss of the backward's name", "AG0008",
            Ops("[DifferentiableOp] public static NdArray<T> [|Square|]<T>(NdArray<T> x) " + W + " => x;\nstatic void SqaureBackward<T>(NdArray<T> dy, GradSlot<T> dx) " + W + " { }"),
            "Op 'Square' has no backward (did you mean 'SqaureBackward'?): declare 'static void SquareBackward(...)' in 'Ops', or name one with [DifferentiableOp(Backward = nameof(...))]");
        yield return Case("backward slot type", "AG0017",
            Ops(Fwd + "\nstatic void FBackward<T>(NdArray<T> dy, [|GradSlot<float> dx|]) " + W + " { }"),
            "Backward 'FBackward' of op 'F' must end with one 'GradSlot<T>' per array input (x, in order): 'dx' is 'GradSlot<float>'");
        yield return Case("overload clash", "AG0018",
            Ops(Fwd + Bwd + "\npublic static Variable<T> [|F|]<T>(Variable<T> x) " + W + " => x;"),
            "'Ops.F<T>(Variable<T>)' clashes with the tracked overload generated for op 'F': rename or remove it");
        yield return Case("node type clash", "AG0018",
            Ops(Fwd + Bwd + "\nprivate sealed class [|FNode|] { }"),
            "'FNode' clashes with the graph node type 'FNode' generated for op 'F': rename or remove it");
        yield return Case("generic containing type", "AG0019",
            Ops(Fwd + Bwd, "public static partial class Ops[|<U>|]"),
            "Op 'F' is declared in generic type 'User.Ops<U>': move it to a non-generic partial type");
        yield return Case("arity limit", "AG0020",
            Ops("[DifferentiableOp] public static NdArray<T> [|F|]<T>(NdArray<T> a, NdArray<T> b, NdArray<T> c, NdArray<T> d, NdArray<T> e) " + W + " => a;\n" +
                "static void FBackward<T>(NdArray<T> dy, GradSlot<T> da, GradSlot<T> db, GradSlot<T> dc, GradSlot<T> dd, GradSlot<T> de) " + W + " { }"),
            "Op 'F' has 5 array inputs, more than 4: only the overload taking every input as 'Variable<T>' is generated; pass constants as variables created with requiresGrad: false");
        yield return Case("local function", "AG0021",
            Ops("public static void M() { [[|DifferentiableOp|]] static NdArray<double> G(NdArray<double> x) => x; }"),
            "[DifferentiableOp] is not supported on a local function: put it on a static method of a named, non-file-local partial type");
        yield return Case("file-local type", "AG0021",
            Ops(Fwd + Bwd, "file static partial class [|Ops|]"),
            "[DifferentiableOp] is not supported on a method of file-local type 'Ops': put it on a static method of a named, non-file-local partial type");
        yield return Case("operator", "AG0021",
            Ops("[DifferentiableOp] public static NdArray<double> operator [|+|](Ops a, NdArray<double> b) => b;", "public sealed partial class Ops"),
            "[DifferentiableOp] is not supported on an operator: put it on a static method of a named, non-file-local partial type");
        yield return Case("lambda", "AG0021",
            Ops("public static object M() => [[|DifferentiableOp|]] (NdArray<double> x) => x;"),
            "[DifferentiableOp] is not supported on a lambda: put it on a static method of a named, non-file-local partial type");
        yield return Case("accessor", "AG0021",
            Ops("public static NdArray<double>? P { [DifferentiableOp] [|get|] => null; }"),
            "[DifferentiableOp] is not supported on an accessor: put it on a static method of a named, non-file-local partial type");
        yield return Case("constructor", "AG0021",
            Ops("[DifferentiableOp] public [|Ops|]() { }", "public partial class Ops"),
            "[DifferentiableOp] is not supported on a constructor: put it on a static method of a named, non-file-local partial type");
        yield return Case("empty name", "AG0023",
            Ops("[DifferentiableOp(Name = [|\"\"|])] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => x;\n" + Bwd),
            "Op 'F' has an empty Name: give a name for messages and graph export, or remove Name to use the method's name");
        yield return Case("array default", "AG0024",
            Ops("[DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x, NdArray<T>? y [|= null|]) " + W + " => x;\nstatic void FBackward<T>(NdArray<T> dy, GradSlot<T> dx, GradSlot<T> dy2) " + W + " { }"),
            "Array input 'y' of op 'F' has a default value: array inputs are required (every generated overload takes them); remove the default, or write a second op without this input");
        yield return Case("forward in place", "AG0025",
            Ops("[DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => [|NdArray.ExpInPlace(x)|];\n" + Bwd),
            "Op 'F' writes into its array input 'x' with 'ExpInPlace': a recorded node saves its inputs for backward, and this write changes them; compute into a new array instead");
        yield return Case("forward into an input", "AG0025",
            Ops("[DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => NdArray.Add(x, x, [|into: x|]);\n" + Bwd),
            "Op 'F' writes into its array input 'x' as the 'into:' destination: a recorded node saves its inputs for backward, and this write changes them; compute into a new array instead");
        yield return Case("forward into an input, positionally", "AG0025",
            Ops("[DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => NdArray.Add(x, x, [|x|]);\n" + Bwd),
            "Op 'F' writes into its array input 'x' as the 'into:' destination: a recorded node saves its inputs for backward, and this write changes them; compute into a new array instead");
        yield return Case("backward into a saved input through a helper of its own, positionally", "AG0026",
            Ops(Fwd + "\nstatic void FBackward<T>(NdArray<T> dy, NdArray<T> x, GradSlot<T> dx) " + W + " { Twice(dy, [|x|]); dx.Accumulate(dy); }\n" +
                "static void Twice<T>(NdArray<T> a, NdArray<T> into) " + W + " => NdArray.Add(a, a, into: into);"),
            "Backward 'FBackward' writes into the saved input 'x' as the 'into:' destination: other nodes and later passes read it; compute into a new array, or into a slot's GetBuffer()");
        yield return Case("forward indexer write through a view", "AG0025",
            Ops("[DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " { var row = x.Slice(0, 0, 1); NdArray<T> v; v = row.Reshape(-1); [|v[0]|] = T.Zero; return x.Clone(); }\n" + Bwd),
            "Op 'F' writes into its array input 'x' through its indexer (via its view 'v'): a recorded node saves its inputs for backward, and this write changes them; compute into a new array instead");
        yield return Case("forward fill of a transposed input", "AG0025",
            Ops("[DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => [|NdArray.Fill(x.Transpose(), T.One)|];\n" + Bwd),
            "Op 'F' writes into its array input 'x' with 'Fill': a recorded node saves its inputs for backward, and this write changes them; compute into a new array instead");
        yield return Case("backward negates the gradient in place", "AG0026",
            Ops(Fwd + "\nstatic void FBackward<T>(NdArray<T> dy, GradSlot<T> dx) " + W + " => dx.Accumulate([|NdArray.NegateInPlace(dy)|]);"),
            "Backward 'FBackward' writes into the output gradient 'dy' with 'NegateInPlace': other nodes and later passes read it; compute into a new array, or into a slot's GetBuffer()");
        yield return Case("backward increments a saved input", "AG0026",
            Ops(Fwd + "\nstatic void FBackward<T>(NdArray<T> dy, NdArray<T> x, GradSlot<T> dx) " + W + " { [|x[0]|]++; dx.Accumulate(dy); }"),
            "Backward 'FBackward' writes into the saved input 'x' through its indexer: other nodes and later passes read it; compute into a new array, or into a slot's GetBuffer()");
        yield return Case("backward writes the forward's output", "AG0026",
            Ops("[DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => x.Clone();\nstatic void FBackward<T>(NdArray<T> dy, NdArray<T> output, GradSlot<T> dx) " + W + " => dx.Accumulate(NdArray.Multiply(dy, output, [|into: output|]));"),
            "Backward 'FBackward' writes into the forward's output 'output' as the 'into:' destination: other nodes and later passes read it; compute into a new array, or into a slot's GetBuffer()");
        yield return Case("forward writes an element of its variadic input", "AG0025",
            Ops("[DifferentiableOp] public static NdArray<T> F<T>(NdArray<T>[] xs) " + W + " => [|NdArray.ExpInPlace(xs[1])|];\nstatic void FBackward<T>(NdArray<T> dy, ReadOnlySpan<GradSlot<T>> dxs) " + W + " { }"),
            "Op 'F' writes into its array input 'xs' with 'ExpInPlace': a recorded node saves its inputs for backward, and this write changes them; compute into a new array instead");
        yield return Case("backward writes the elements of a saved variadic input", "AG0026",
            Ops("[DifferentiableOp] public static NdArray<T> F<T>(NdArray<T>[] xs) " + W + " => xs[0].Clone();\n" +
                "static void FBackward<T>(NdArray<T> dy, NdArray<T>[] xs, ReadOnlySpan<GradSlot<T>> dxs) " + W + " { foreach (var x in xs) [|x.Transpose()[0, 0]|] = T.Zero; }"),
            "Backward 'FBackward' writes into the saved input 'xs' through its indexer (via its view 'x'): other nodes and later passes read it; compute into a new array, or into a slot's GetBuffer()");
        yield return Case("list of arrays", "AG0028",
            Ops("[DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x, [|System.Collections.Generic.IReadOnlyList<NdArray<T>>|] ys) " + W + " => x;\n" + Bwd),
            "Parameter 'ys' of op 'F' is 'IReadOnlyList<NdArray<T>>': a variadic array input is written 'NdArray<T>[]' (or 'params NdArray<T>[]'), one differentiable input per element");
        yield return Case("jagged array of arrays", "AG0028",
            Ops("[DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x, [|NdArray<T>[][]|] ys) " + W + " => x;\n" + Bwd),
            "Parameter 'ys' of op 'F' is 'NdArray<T>[][]': a variadic array input is written 'NdArray<T>[]' (or 'params NdArray<T>[]'), one differentiable input per element");
        yield return Case("single slot for a variadic input", "AG0029",
            Ops("[DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x, NdArray<T>[] ys) " + W + " => x;\nstatic void FBackward<T>(NdArray<T> dy, GradSlot<T> dx, [|GradSlot<T> dys|]) " + W + " { }"),
            "Slot 'dys' of backward 'FBackward' is 'GradSlot<T>' but input 'ys' of op 'F' is variadic ('NdArray<T>[]', one slot per element): declare the slot 'ReadOnlySpan<GradSlot<T>>'");
        yield return Case("array of slots for a variadic input", "AG0029",
            Ops("[DifferentiableOp] public static NdArray<T> F<T>(params NdArray<T>[] xs) " + W + " => xs[0];\nstatic void FBackward<T>(NdArray<T> dy, [|GradSlot<T>[] dxs|]) " + W + " { }"),
            "Slot 'dxs' of backward 'FBackward' is 'GradSlot<T>[]' but input 'xs' of op 'F' is variadic ('NdArray<T>[]', one slot per element): declare the slot 'ReadOnlySpan<GradSlot<T>>'");
        yield return Case("span of slots for one array", "AG0029",
            Ops(Fwd + "\nstatic void FBackward<T>(NdArray<T> dy, [|ReadOnlySpan<GradSlot<T>> dx|]) " + W + " { }"),
            "Slot 'dx' of backward 'FBackward' is 'ReadOnlySpan<GradSlot<T>>' but input 'x' of op 'F' is one array ('NdArray<T>'): declare the slot 'GradSlot<T>'");
        yield return Case("variadic slot element type", "AG0017",
            Ops("[DifferentiableOp] public static NdArray<T> F<T>(NdArray<T>[] xs) " + W + " => xs[0];\nstatic void FBackward<T>(NdArray<T> dy, [|ReadOnlySpan<GradSlot<float>> dxs|]) " + W + " { }"),
            "Backward 'FBackward' of op 'F' must end with one 'GradSlot<T>' per array input (xs, in order): 'dxs' is 'ReadOnlySpan<GradSlot<float>>'");
        yield return Case("variadic input saved as one array", "AG0015",
            Ops("[DifferentiableOp] public static NdArray<T> F<T>(NdArray<T>[] xs) " + W + " => xs[0];\nstatic void FBackward<T>(NdArray<T> dy, [|NdArray<T> xs|], ReadOnlySpan<GradSlot<T>> dxs) " + W + " { }"),
            "Parameter 'xs' of backward 'FBackward' must be 'NdArray<T>[]' passed by value, as in op 'F' (it is 'NdArray<T>')");
        yield return Case("recorded backward takes variadic arrays", "AG0015",
            Ops("[DifferentiableOp] public static NdArray<T> F<T>(NdArray<T>[] xs) " + W + " => xs[0];\nstatic void FBackward<T>(NdArray<T> dy, ReadOnlySpan<GradSlot<T>> dxs) " + W + " { }\n" +
                "static void FBackward<T>(Variable<T> dy, [|NdArray<T>[] xs|], ReadOnlySpan<GradSlot<T>> dxs) " + W + " { }"),
            "Parameter 'xs' of backward 'FBackward' must be 'Variable<T>[]' passed by value, as in op 'F' (it is 'NdArray<T>[]')");
        yield return Case("DifferentiableTwice without a recorded backward", "AG0027",
            Ops("[DifferentiableOp(DifferentiableTwice = [|true|])] public static NdArray<T> F<T>(NdArray<T> x, int n = 1) " + W + " => x;\n" +
                "static void FBackward<T>(NdArray<T> dy, NdArray<T> x, int n, NdArray<T> output, GradSlot<T> dx) " + W + " => dx.Accumulate(dy);"),
            "Op 'F' is marked DifferentiableTwice but has no recorded backward: declare 'static void FBackward<T>(Variable<T> dy, Variable<T> x, int n, Variable<T> output, GradSlot<T> dx) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>' in 'Ops', computing each slot's gradient with ops on the variables, or remove DifferentiableTwice");
        yield return Case("DifferentiableTwice with saved state and no backward at all", "AG0027",
            Ops("[DifferentiableOp(Backward = \"Grad\", DifferentiableTwice = [|true|])] public static NdArray<double> F(NdArray<double> x, NdArray<double> y, out NdArray<double> mask) { mask = x; return x; }\n" +
                "static void Grad(NdArray<double> dy, NdArray<double> mask, GradSlot<double> dx, GradSlot<double> dy2) => dx.Accumulate(dy);"),
            "Op 'F' is marked DifferentiableTwice but has no recorded backward: declare 'static void Grad(Variable<double> dy, NdArray<double> mask, GradSlot<double> dx, GradSlot<double> dy2)' in 'Ops', computing each slot's gradient with ops on the variables, or remove DifferentiableTwice");
        const string Fwd2 = "[DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x, NdArray<T> y) " + W + " => x;\n";
        const string SavedX = "static void FBackward<T>(NdArray<T> dy, [SavedFor(nameof(dy2))] NdArray<T>? x, GradSlot<T> dx, GradSlot<T> dy2) " + W + " { }\n";
        yield return Case("SavedFor names no slot", "AG0030",
            Ops(Fwd2 + "static void FBackward<T>(NdArray<T> dy, [SavedFor(nameof(dy2), [|\"dz\"|])] NdArray<T>? x, GradSlot<T> dx, GradSlot<T> dy2) " + W + " { }"),
            "[SavedFor] on parameter 'x' of backward 'FBackward' names 'dz', which is not a gradient slot of op 'F': name the slots whose gradients read 'x', out of dx, dy2");
        yield return Case("SavedFor names the output gradient", "AG0030",
            Ops(Fwd2 + "static void FBackward<T>(NdArray<T> dy, [SavedFor([|nameof(dy)|])] NdArray<T>? x, GradSlot<T> dx, GradSlot<T> dy2) " + W + " { }"),
            "[SavedFor] on parameter 'x' of backward 'FBackward' names 'dy', which is not a gradient slot of op 'F': name the slots whose gradients read 'x', out of dx, dy2");
        yield return Case("SavedFor on the output gradient", "AG0031",
            Ops(Fwd2 + "static void FBackward<T>([[|SavedFor(nameof(dx))|]] NdArray<T> dy, GradSlot<T> dx, GradSlot<T> dy2) " + W + " { }"),
            "[SavedFor] cannot go on parameter 'dy' of backward 'FBackward': it is the output gradient; only an array input or 'output' that op 'F' saves for backward can be saved for some gradients, so remove it");
        yield return Case("SavedFor on a slot", "AG0031",
            Ops(Fwd2 + "static void FBackward<T>(NdArray<T> dy, GradSlot<T> dx, [[|SavedFor(nameof(dx))|]] GradSlot<T> dy2) " + W + " { }"),
            "[SavedFor] cannot go on parameter 'dy2' of backward 'FBackward': it is a gradient slot; only an array input or 'output' that op 'F' saves for backward can be saved for some gradients, so remove it");
        yield return Case("SavedFor on a non-array parameter", "AG0031",
            Ops("[DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x, int n) " + W + " => x;\nstatic void FBackward<T>(NdArray<T> dy, [[|SavedFor(nameof(dx))|]] int n, GradSlot<T> dx) " + W + " { }"),
            "[SavedFor] cannot go on parameter 'n' of backward 'FBackward': it is not an array; only an array input or 'output' that op 'F' saves for backward can be saved for some gradients, so remove it");
        yield return Case("SavedFor on the out state", "AG0031",
            Ops("[DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x, out NdArray<T> mask) " + W + " { mask = x; return x; }\nstatic void FBackward<T>(NdArray<T> dy, [[|SavedFor(nameof(dx))|]] NdArray<T>? mask, GradSlot<T> dx) " + W + " { }"),
            "[SavedFor] cannot go on parameter 'mask' of backward 'FBackward': it is the 'out' state; only an array input or 'output' that op 'F' saves for backward can be saved for some gradients, so remove it");
        yield return Case("SavedFor parameter not nullable", "AG0032",
            Ops(Fwd2 + "static void FBackward<T>(NdArray<T> dy, [SavedFor(nameof(dy2))] [|NdArray<T>|] x, GradSlot<T> dx, GradSlot<T> dy2) " + W + " { }"),
            "Parameter 'x' of backward 'FBackward' is saved only for the gradients of y ([SavedFor]), so it is null when none of them can be needed: declare it 'NdArray<T>?' and read it only when one of their slots IsNeeded");
        yield return Case("SavedFor variadic input not nullable", "AG0032",
            Ops("[DifferentiableOp] public static NdArray<T> F<T>(NdArray<T>[] xs, NdArray<T> w) " + W + " => w;\nstatic void FBackward<T>(NdArray<T> dy, [SavedFor(nameof(dw))] [|NdArray<T>[]|] xs, ReadOnlySpan<GradSlot<T>> dxs, GradSlot<T> dw) " + W + " { }"),
            "Parameter 'xs' of backward 'FBackward' is saved only for the gradients of w ([SavedFor]), so it is null when none of them can be needed: declare it 'NdArray<T>[]?' and read it only when one of their slots IsNeeded");
        yield return Case("recorded backward's parameter saved for some gradients not nullable", "AG0032",
            Ops(Fwd2 + SavedX + "static void FBackward<T>(Variable<T> dy, [|Variable<T>|] x, GradSlot<T> dx, GradSlot<T> dy2) " + W + " { }"),
            "Parameter 'x' of backward 'FBackward' is saved only for the gradients of y ([SavedFor]), so it is null when none of them can be needed: declare it 'Variable<T>?' and read it only when one of their slots IsNeeded");
        yield return Case("SavedFor on the recorded backward", "AG0033",
            Ops(Fwd2 + SavedX + "static void FBackward<T>(Variable<T> dy, [[|SavedFor(nameof(dy2))|]] Variable<T>? x, GradSlot<T> dx, GradSlot<T> dy2) " + W + " { }"),
            "[SavedFor] on parameter 'x' of recorded backward 'FBackward' has no effect: the array backward's [SavedFor] decides what op 'F' saves, for both backwards; remove it");
    }

    [Test]
    public void DifferentiableTwice_with_the_recorded_backward_it_names_is_clean_and_recorded()
    {
        var source = Ops("[DifferentiableOp(DifferentiableTwice = true)] public static NdArray<T> F<T>(NdArray<T> x, int n = 1) " + W + " => x;\n" +
            "static void FBackward<T>(NdArray<T> dy, NdArray<T> x, int n, NdArray<T> output, GradSlot<T> dx) " + W + " => dx.Accumulate(dy);\n" +
            "static void FBackward<T>(Variable<T> dy, Variable<T> x, int n, Variable<T> output, GradSlot<T> dx) " + W + " => dx.Accumulate(dy);");
        var result = Run(Compile(source));

        Assert.That(Analyze(result.Compilation), Is.Empty);
        Assert.That(result.GeneratedSources.Any(s => s.Text.Contains("public override bool IsDifferentiableTwice => true;", StringComparison.Ordinal)), Is.True);
    }

    [TestCase("NdArray<T> x, NdArray<T> dy, int n = 1",
        "'static void FBackward<T>(Variable<T> outputGradient, Variable<T> x, Variable<T> dy, int n, GradSlot<T> dx, GradSlot<T> ddy) where T")]
    [TestCase("NdArray<T>[] xs, NdArray<T> w",
        "'static void FBackward<T>(Variable<T> dy, Variable<T>[] xs, Variable<T> w, ReadOnlySpan<GradSlot<T>> dxs, GradSlot<T> dw) where T")]
    public void DifferentiableTwice_with_no_backward_at_all_names_the_recorded_backward_from_the_forward(string parameters, string recorded)
    {
        var source = Ops("[DifferentiableOp(DifferentiableTwice = true)] public static NdArray<T> F<T>(" + parameters + ") " + W + " => default!;");

        var diagnostics = Analyze(Run(Compile(source)).Compilation);

        Assert.That(diagnostics.Select(d => d.Id), Is.EquivalentTo(new[] { "AG0008", "AG0027" }));
        Assert.That(diagnostics.Single(d => d.Id == "AG0027").GetMessage(System.Globalization.CultureInfo.InvariantCulture),
            Does.Contain(recorded));
    }

    [Test]
    public void Writes_into_new_arrays_and_slot_buffers_raise_no_in_place_warning()
    {
        var source = Ops(
            "[DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " { var y = NdArray.Exp(x); NdArray.ExpInPlace(y); y[0] = T.Zero; NdArray.Add(x, x, into: y); return y; }\n" +
            "static void FBackward<T>(NdArray<T> dy, NdArray<T> x, GradSlot<T> dx) " + W + " { var g = NdArray.Multiply(dy, x); NdArray.NegateInPlace(g); NdArray.AddInPlace(dx.GetBuffer(), g); }\n" +
            "static void Other<T>(NdArray<T> x) " + W + " => NdArray.ExpInPlace(x);");
        var result = Run(Compile(source));
        Assert.That(Analyze(result.Compilation), Is.Empty);
    }

    [TestCaseSource(nameof(Cases))]
    public void Reports_the_diagnostic_on_the_syntax_at_fault(string id, string markedSource, string message)
    {
        var (source, span) = Unmark(markedSource);
        var result = Run(Compile(source));
        Assert.That(result.GeneratorDiagnostics, Is.Empty);
        var diagnostics = Analyze(result.Compilation);
        Assert.That(diagnostics.Select(d => d.Id), Is.EqualTo(new[] { id }), () => string.Join("\n", diagnostics));
        var diagnostic = diagnostics[0];
        var expected = SourceText.From(source).Lines.GetLinePositionSpan(span);
        Assert.Multiple(() =>
        {
            Assert.That(diagnostic.Location.GetLineSpan().Span, Is.EqualTo(expected), "line/column span");
            Assert.That(diagnostic.Location.SourceSpan, Is.EqualTo(span));
            Assert.That(diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(message));
            Assert.That(diagnostic.Descriptor.HelpLinkUri, Does.EndWith("#" + id.ToLowerInvariant()));
        });
        if (diagnostic.Severity == DiagnosticSeverity.Error)
        {
            Assert.That(result.GeneratedSources.Where(s => s.Text.Contains(" : global::Autograd.Engine.Node<", StringComparison.Ordinal)), Is.Empty, "no graph node for a broken op");
            var generatedTrees = result.Compilation.SyntaxTrees.Skip(1).ToHashSet();
            Assert.That(result.Compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && generatedTrees.Contains(d.Location.SourceTree!)), Is.Empty,
                "what is generated for a broken op compiles");
        }
    }

    [TestCase("[DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x, NdArray<T> y, int n = 1) " + W + " => x;", "AG0008")]
    [TestCase("[DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x, NdArray<T> y, int n = 1) " + W + " => x;\nstatic void FBackward<T>(NdArray<T> dy, int z, GradSlot<T> dx) " + W + " { }", "AG0014", "AG0017")]
    [TestCase("[DifferentiableOp] public static NdArray<double> F(NdArray<double> x, NdArray<double> y, out int[] s) { s = []; return x; }\nvoid FBackward(NdArray<double> dy, GradSlot<double> dx, GradSlot<double> dy2) { }", "AG0010")]
    public void A_broken_backward_gives_only_its_AG_errors_at_call_sites(string op, params string[] ids)
    {
        var source = Ops(op + "\n" +
            "public static void Use(Variable<double> a, NdArray<double> b)\n{\n" +
            "    Variable<double> v = F(a, b);\n    v = F(b, a);\n    v = F(a, a);\n    NdArray<double> w = F(b, b);\n}", "public partial class Ops");
        var result = Run(Compile(source));
        var errors = result.Compilation.GetDiagnostics().Concat(Analyze(result.Compilation)).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.That(errors.Select(d => d.Id).Distinct().Order(), Is.EqualTo(ids), () => string.Join("\n", errors));
    }

    [Test]
    public void A_broken_backward_of_a_variadic_op_gives_only_its_AG_error_at_call_sites()
    {
        var source = Ops(
            "[DifferentiableOp] public static NdArray<T> F<T>(NdArray<T>[] xs, NdArray<T> w) " + W + " => w;\n" +
            "static void FBackward<T>(NdArray<T> dy, GradSlot<T> dxs, GradSlot<T> dw) " + W + " { }\n" +
            "public static void Use(Variable<double> a, NdArray<double> b)\n{\n" +
            "    Variable<double> v = F([a, a], b);\n    v = F([b, b], a);\n    v = F([a], a);\n    NdArray<double> w = F([b], b);\n}", "public partial class Ops");
        var result = Run(Compile(source));
        var errors = result.Compilation.GetDiagnostics().Concat(Analyze(result.Compilation)).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.That(errors.Select(d => d.Id), Is.EqualTo(new[] { "AG0029" }), () => string.Join("\n", errors));
    }

    [Test]
    public void Every_descriptor_is_tested_and_listed_in_the_release_file()
    {
        var tested = Cases().Select(c => (string)c.Arguments[0]!).ToHashSet();
        var supported = Analyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).ToList();
        Assert.That(supported, Is.Unique);
        // AG0022 reports a crash of the parser itself, which no source can provoke once the parser is correct.
        Assert.That(supported.Except(["AG0022"]), Is.SubsetOf(tested));
        var releases = File.ReadAllText(Path.Combine(Baseline.Directory(), "..", "..", "..", "src", "Autograd.Generators", "AnalyzerReleases.Unshipped.md"));
        foreach (var id in supported)
            Assert.That(releases, Does.Contain(id + " |"));
    }

    [Test]
    public void Every_help_link_has_its_section_in_the_packed_readme()
    {
        var readme = File.ReadAllText(Path.Combine(Baseline.Directory(), "..", "..", "..", "README.md"));
        foreach (var descriptor in Analyzers.SelectMany(a => a.SupportedDiagnostics))
        {
            var anchor = descriptor.Id.ToLowerInvariant();
            Assert.That(descriptor.HelpLinkUri, Is.EqualTo("https://github.com/autograd-dotnet/autograd/blob/main/README.md#" + anchor));
            Assert.That(readme, Does.Contain("<a id=\"" + anchor + "\"></a>" + descriptor.Id), descriptor.Id);
        }
    }

    [Test]
    public void A_pragma_suppresses_an_in_place_warning()
    {
        var (source, _) = Unmark(Cases().First(c => (string)c.Arguments[0]! == "AG0025").Arguments[1]!.ToString()!);
        var compilation = Run(Compile(source.Replace("=> NdArray.ExpInPlace", "=>\n#pragma warning disable AG0025\nNdArray.ExpInPlace", StringComparison.Ordinal))).Compilation;
        var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions([]), null, concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: true);
        var diagnostics = compilation.WithAnalyzers(Analyzers, options).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        Assert.That(diagnostics.Select(d => (d.Id, d.IsSuppressed)), Is.EqualTo(new[] { ("AG0025", true) }));
    }

    [Test]
    public void A_pragma_suppresses_a_warning()
    {
        var (source, _) = Unmark(Cases().First(c => (string)c.Arguments[0]! == "AG0020").Arguments[1]!.ToString()!);
        var result = Run(Compile("#pragma warning disable AG0020\n" + source));
        var diagnostics = Analyze(result.Compilation);
        Assert.That(diagnostics.Where(d => !d.IsSuppressed), Is.Empty);
    }

    internal static (string Source, TextSpan Span) Unmark(string marked)
    {
        var start = marked.IndexOf("[|", StringComparison.Ordinal);
        var end = marked.IndexOf("|]", StringComparison.Ordinal);
        var source = marked.Remove(end, 2).Remove(start, 2);
        return (source, TextSpan.FromBounds(start, end - 2));
    }
}
