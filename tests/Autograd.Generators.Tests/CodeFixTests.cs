using static Autograd.Generators.Tests.GeneratorHarness;

namespace Autograd.Generators.Tests;

/// <summary>
/// Each code fix on a source with its diagnostic: the fixed text is exactly the expected one, and it
/// compiles with the generator and analyzer with no error and no AG diagnostic left.
/// </summary>
public class CodeFixTests
{
    private const string W = "where T : unmanaged, IFloatingPointIeee754<T>";

    private static string Source(string body) => Usings + "namespace User;\n\n" + body;

    private static IEnumerable<TestCaseData> Cases()
    {
        TestCaseData Case(string name, string id, string before, string after, string title) =>
            new TestCaseData(id, Source(before), Source(after), title).SetName(id + "_" + name);

        yield return Case("partial on the type and its enclosing type", "AG0001",
            "public class Outer\n{\n    /// <summary>Ops.</summary>\n    public static class Ops\n    {\n        [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => x;\n        static void FBackward<T>(NdArray<T> dy, GradSlot<T> dx) " + W + " => dx.Accumulate(dy);\n    }\n}\n",
            "public partial class Outer\n{\n    /// <summary>Ops.</summary>\n    public static partial class Ops\n    {\n        [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => x;\n        static void FBackward<T>(NdArray<T> dy, GradSlot<T> dx) " + W + " => dx.Accumulate(dy);\n    }\n}\n",
            "Make the type and its enclosing types partial");
        yield return Case("static on the forward", "AG0002",
            "public partial class Ops\n{\n    [DifferentiableOp]\n    public NdArray<T> F<T>(NdArray<T> x) " + W + " => x;\n\n    static void FBackward<T>(NdArray<T> dy, GradSlot<T> dx) " + W + " => dx.Accumulate(dy);\n}\n",
            "public partial class Ops\n{\n    [DifferentiableOp]\n    public static NdArray<T> F<T>(NdArray<T> x) " + W + " => x;\n\n    static void FBackward<T>(NdArray<T> dy, GradSlot<T> dx) " + W + " => dx.Accumulate(dy);\n}\n",
            "Make the method static");
        yield return Case("static on the backward", "AG0010",
            "public partial class Ops\n{\n    [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => x;\n\n    void FBackward<T>(NdArray<T> dy, GradSlot<T> dx) " + W + " => dx.Accumulate(dy);\n}\n",
            "public partial class Ops\n{\n    [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => x;\n\n    static void FBackward<T>(NdArray<T> dy, GradSlot<T> dx) " + W + " => dx.Accumulate(dy);\n}\n",
            "Make the method static");
        yield return Case("generic backward generated", "AG0008",
            "public static partial class Ops\n{\n    [DifferentiableOp]\n    public static NdArray<T> Scale<T>(NdArray<T> x, NdArray<T> y, T factor) " + W + " => x;\n}\n",
            "public static partial class Ops\n{\n    [DifferentiableOp]\n    public static NdArray<T> Scale<T>(NdArray<T> x, NdArray<T> y, T factor) " + W + " => x;\n\n    static void ScaleBackward<T>(NdArray<T> outputGradient, NdArray<T> x, NdArray<T> y, T factor, GradSlot<T> dx, GradSlot<T> dy) " + W + "\n    {\n        if (dx.IsNeeded) throw new NotImplementedException();\n        if (dy.IsNeeded) throw new NotImplementedException();\n    }\n}\n",
            "Generate backward 'ScaleBackward'");
        yield return Case("named concrete backward generated", "AG0008",
            "public static partial class Ops\n{\n    [DifferentiableOp(Backward = \"Grad\")]\n    public static NdArray<double> Pick(NdArray<double> dy, int[] labels, out int count) { count = 0; return dy; }\n}\n",
            "public static partial class Ops\n{\n    [DifferentiableOp(Backward = \"Grad\")]\n    public static NdArray<double> Pick(NdArray<double> dy, int[] labels, out int count) { count = 0; return dy; }\n\n    static void Grad(NdArray<double> outputGradient, NdArray<double> dy, int[] labels, int count, GradSlot<double> ddy)\n    {\n        if (ddy.IsNeeded) throw new NotImplementedException();\n    }\n}\n",
            "Generate backward 'Grad'");
        yield return Case("unary recorded backward generated", "AG0027",
            "public static partial class Ops\n{\n    [DifferentiableOp(DifferentiableTwice = true)]\n    public static NdArray<double> Square(NdArray<double> x) => x;\n\n    static void SquareBackward(NdArray<double> dy, NdArray<double> x, GradSlot<double> dx) => dx.Accumulate(dy);\n}\n",
            "public static partial class Ops\n{\n    [DifferentiableOp(DifferentiableTwice = true)]\n    public static NdArray<double> Square(NdArray<double> x) => x;\n\n    static void SquareBackward(NdArray<double> dy, NdArray<double> x, GradSlot<double> dx) => dx.Accumulate(dy);\n\n" +
            "    static void SquareBackward(Variable<double> dy, Variable<double> x, GradSlot<double> dx)\n    {\n        if (dx.IsNeeded) throw new NotImplementedException();\n    }\n}\n",
            "Generate recorded backward 'SquareBackward'");
        yield return Case("generic binary recorded backward generated", "AG0027",
            "public static partial class Ops\n{\n    [DifferentiableOp(DifferentiableTwice = true)]\n    public static NdArray<T> Mul<T>(NdArray<T> x1, NdArray<T> x2, T factor) " + W + " => x1;\n\n    static void MulBackward<T>(NdArray<T> dy, NdArray<T> x1, NdArray<T> x2, NdArray<T> output, GradSlot<T> dx1, GradSlot<T> dx2) " + W + " { }\n}\n",
            "public static partial class Ops\n{\n    [DifferentiableOp(DifferentiableTwice = true)]\n    public static NdArray<T> Mul<T>(NdArray<T> x1, NdArray<T> x2, T factor) " + W + " => x1;\n\n    static void MulBackward<T>(NdArray<T> dy, NdArray<T> x1, NdArray<T> x2, NdArray<T> output, GradSlot<T> dx1, GradSlot<T> dx2) " + W + " { }\n\n" +
            "    static void MulBackward<T>(Variable<T> dy, Variable<T> x1, Variable<T> x2, Variable<T> output, GradSlot<T> dx1, GradSlot<T> dx2) " + W + "\n    {\n        if (dx1.IsNeeded) throw new NotImplementedException();\n        if (dx2.IsNeeded) throw new NotImplementedException();\n    }\n}\n",
            "Generate recorded backward 'MulBackward'");
        yield return Case("recorded backward of a backward with [SavedFor] generated", "AG0027",
            "public static partial class Ops\n{\n    [DifferentiableOp(DifferentiableTwice = true)]\n    public static NdArray<T> Mul<T>(NdArray<T> x1, NdArray<T> x2) " + W + " => x1;\n\n    static void MulBackward<T>(NdArray<T> dy, [SavedFor(nameof(dx2))] NdArray<T>? x1, NdArray<T> x2, GradSlot<T> dx1, GradSlot<T> dx2) " + W + " { }\n}\n",
            "public static partial class Ops\n{\n    [DifferentiableOp(DifferentiableTwice = true)]\n    public static NdArray<T> Mul<T>(NdArray<T> x1, NdArray<T> x2) " + W + " => x1;\n\n    static void MulBackward<T>(NdArray<T> dy, [SavedFor(nameof(dx2))] NdArray<T>? x1, NdArray<T> x2, GradSlot<T> dx1, GradSlot<T> dx2) " + W + " { }\n\n" +
            "    static void MulBackward<T>(Variable<T> dy, Variable<T>? x1, Variable<T> x2, GradSlot<T> dx1, GradSlot<T> dx2) " + W + "\n    {\n        if (dx1.IsNeeded) throw new NotImplementedException();\n        if (dx2.IsNeeded) throw new NotImplementedException();\n    }\n}\n",
            "Generate recorded backward 'MulBackward'");
        yield return Case("recorded backward with saved state generated", "AG0027",
            "public static partial class Ops\n{\n    [DifferentiableOp(Backward = \"Grad\", DifferentiableTwice = true)]\n    public static NdArray<double> F(NdArray<double> x, NdArray<double> y, out NdArray<double> mask) { mask = x; return x; }\n\n    static void Grad(NdArray<double> dy, NdArray<double> mask, GradSlot<double> dx, GradSlot<double> dy2) => dx.Accumulate(dy);\n}\n",
            "public static partial class Ops\n{\n    [DifferentiableOp(Backward = \"Grad\", DifferentiableTwice = true)]\n    public static NdArray<double> F(NdArray<double> x, NdArray<double> y, out NdArray<double> mask) { mask = x; return x; }\n\n    static void Grad(NdArray<double> dy, NdArray<double> mask, GradSlot<double> dx, GradSlot<double> dy2) => dx.Accumulate(dy);\n\n" +
            "    static void Grad(Variable<double> dy, NdArray<double> mask, GradSlot<double> dx, GradSlot<double> dy2)\n    {\n        if (dx.IsNeeded) throw new NotImplementedException();\n        if (dy2.IsNeeded) throw new NotImplementedException();\n    }\n}\n",
            "Generate recorded backward 'Grad'");
        yield return Case("variadic recorded backward generated", "AG0027",
            "public static partial class Ops\n{\n    [DifferentiableOp(DifferentiableTwice = true)]\n    public static NdArray<T> Join<T>(NdArray<T>[] slot, NdArray<T> w) " + W + " => w;\n\n    static void JoinBackward<T>(NdArray<T> dy, NdArray<T>[] slot, ReadOnlySpan<GradSlot<T>> dslot, GradSlot<T> dw) " + W + " { }\n}\n",
            "public static partial class Ops\n{\n    [DifferentiableOp(DifferentiableTwice = true)]\n    public static NdArray<T> Join<T>(NdArray<T>[] slot, NdArray<T> w) " + W + " => w;\n\n    static void JoinBackward<T>(NdArray<T> dy, NdArray<T>[] slot, ReadOnlySpan<GradSlot<T>> dslot, GradSlot<T> dw) " + W + " { }\n\n" +
            "    static void JoinBackward<T>(Variable<T> dy, Variable<T>[] slot, ReadOnlySpan<GradSlot<T>> dslot, GradSlot<T> dw) " + W + "\n    {\n" +
            "        foreach (var slot2 in dslot)\n            if (slot2.IsNeeded) throw new NotImplementedException();\n        if (dw.IsNeeded) throw new NotImplementedException();\n    }\n}\n",
            "Generate recorded backward 'JoinBackward'");
        yield return Case("missing slot added", "AG0017",
            "public static partial class Ops\n{\n    [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x, NdArray<T> y) " + W + " => x;\n    static void FBackward<T>(NdArray<T> dy, GradSlot<T> dx) " + W + " { }\n}\n",
            "public static partial class Ops\n{\n    [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x, NdArray<T> y) " + W + " => x;\n    static void FBackward<T>(NdArray<T> dy, GradSlot<T> dx, GradSlot<T> dy2) " + W + " { }\n}\n",
            "Fix the parameter list of 'FBackward'");
        yield return Case("slot type corrected", "AG0017",
            "public static partial class Ops\n{\n    [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => x;\n    static void FBackward<T>(NdArray<T> dy, GradSlot<float> dx) " + W + " { }\n}\n",
            "public static partial class Ops\n{\n    [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => x;\n    static void FBackward<T>(NdArray<T> dy, GradSlot<T> dx) " + W + " { }\n}\n",
            "Fix the parameter list of 'FBackward'");
        yield return Case("slot moved to the end", "AG0017",
            "public static partial class Ops\n{\n    [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => x;\n    static void FBackward<T>(NdArray<T> dy, GradSlot<T> dx, NdArray<T> x) " + W + " { }\n}\n",
            "public static partial class Ops\n{\n    [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => x;\n    static void FBackward<T>(NdArray<T> dy, NdArray<T> x, GradSlot<T> dx) " + W + " { }\n}\n",
            "Fix the parameter list of 'FBackward'");
        yield return Case("variadic backward generated", "AG0008",
            "public static partial class Ops\n{\n    [DifferentiableOp]\n    public static NdArray<T> Join<T>(NdArray<T>[] slot, NdArray<T> w) " + W + " => w;\n}\n",
            "public static partial class Ops\n{\n    [DifferentiableOp]\n    public static NdArray<T> Join<T>(NdArray<T>[] slot, NdArray<T> w) " + W + " => w;\n\n" +
            "    static void JoinBackward<T>(NdArray<T> dy, NdArray<T>[] slot, NdArray<T> w, ReadOnlySpan<GradSlot<T>> dslot, GradSlot<T> dw) " + W + "\n    {\n" +
            "        foreach (var slot2 in dslot)\n            if (slot2.IsNeeded) throw new NotImplementedException();\n        if (dw.IsNeeded) throw new NotImplementedException();\n    }\n}\n",
            "Generate backward 'JoinBackward'");
        yield return Case("variadic slot made a span", "AG0029",
            "public static partial class Ops\n{\n    [DifferentiableOp] public static NdArray<T> F<T>(params NdArray<T>[] xs) " + W + " => xs[0];\n    static void FBackward<T>(NdArray<T> dy, GradSlot<T> dxs) " + W + " { }\n}\n",
            "public static partial class Ops\n{\n    [DifferentiableOp] public static NdArray<T> F<T>(params NdArray<T>[] xs) " + W + " => xs[0];\n    static void FBackward<T>(NdArray<T> dy, ReadOnlySpan<GradSlot<T>> dxs) " + W + " { }\n}\n",
            "Fix the parameter list of 'FBackward'");
        yield return Case("parameters reordered", "AG0016",
            "public static partial class Ops\n{\n    [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x, NdArray<T> y, out int n) " + W + " { n = 0; return x; }\n    static void FBackward<T>(NdArray<T> dy, NdArray<T> output, int n, NdArray<T> y, NdArray<T> x, GradSlot<T> dx, GradSlot<T> dy2) " + W + " { }\n}\n",
            "public static partial class Ops\n{\n    [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x, NdArray<T> y, out int n) " + W + " { n = 0; return x; }\n    static void FBackward<T>(NdArray<T> dy, NdArray<T> x, NdArray<T> y, int n, NdArray<T> output, GradSlot<T> dx, GradSlot<T> dy2) " + W + " { }\n}\n",
            "Fix the parameter list of 'FBackward'");
    }

    [TestCaseSource(nameof(Cases))]
    public void The_fix_gives_the_expected_source_which_compiles_cleanly(string id, string before, string after, string title)
    {
        var (text, actualTitle) = CodeFixHarness.Fix(before, id);
        Assert.That(actualTitle, Is.EqualTo(title));
        Assert.That(text, Is.EqualTo(after), text);
        AssertCompilesCleanly(text);
    }

    [TestCase("AG0001",
        "public class A { public static class Ops { [DifferentiableOp] public static NdArray<double> F(NdArray<double> x) => x; static void FBackward(NdArray<double> dy, GradSlot<double> dx) { } } }\n" +
        "public class B { [DifferentiableOp] public static NdArray<double> G(NdArray<double> x) => x; [DifferentiableOp] public static NdArray<double> H(NdArray<double> x) => x; static void GBackward(NdArray<double> dy, GradSlot<double> dx) { } static void HBackward(NdArray<double> dy, GradSlot<double> dx) { } }\n",
        "public partial class A { public static partial class Ops { [DifferentiableOp] public static NdArray<double> F(NdArray<double> x) => x; static void FBackward(NdArray<double> dy, GradSlot<double> dx) { } } }\n" +
        "public partial class B { [DifferentiableOp] public static NdArray<double> G(NdArray<double> x) => x; [DifferentiableOp] public static NdArray<double> H(NdArray<double> x) => x; static void GBackward(NdArray<double> dy, GradSlot<double> dx) { } static void HBackward(NdArray<double> dy, GradSlot<double> dx) { } }\n")]
    [TestCase("AG0002",
        "public partial class Ops { [DifferentiableOp] public NdArray<double> F(NdArray<double> x) => x; [DifferentiableOp] internal NdArray<double> G(NdArray<double> x) => x; static void FBackward(NdArray<double> dy, GradSlot<double> dx) { } static void GBackward(NdArray<double> dy, GradSlot<double> dx) { } }\n",
        "public partial class Ops { [DifferentiableOp] public static NdArray<double> F(NdArray<double> x) => x; [DifferentiableOp] internal static NdArray<double> G(NdArray<double> x) => x; static void FBackward(NdArray<double> dy, GradSlot<double> dx) { } static void GBackward(NdArray<double> dy, GradSlot<double> dx) { } }\n")]
    public void Fix_all_fixes_every_occurrence_in_the_document(string id, string before, string after)
    {
        var text = CodeFixHarness.FixAll(Source(before), id);
        Assert.That(text, Is.EqualTo(Source(after)), text);
        AssertCompilesCleanly(text);
    }

    private static void AssertCompilesCleanly(string source)
    {
        var result = Run(Compile(source));
        var problems = result.Compilation.GetDiagnostics().Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error)
            .Concat(Analyze(result.Compilation))
            .ToList();
        Assert.That(problems, Is.Empty, () => string.Join("\n", problems));
    }
}
