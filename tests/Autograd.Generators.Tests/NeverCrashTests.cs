using Microsoft.CodeAnalysis;
using static Autograd.Generators.Tests.GeneratorHarness;

namespace Autograd.Generators.Tests;

/// <summary>
/// Code as it looks mid-edit in an IDE: valid ops cut off at many points, plus hand-written broken
/// ops. The generator must not throw (no CS8785) and the analyzer must not crash (no AD0001, no AG0022).
/// </summary>
public class NeverCrashTests
{
    private const string W = "where T : unmanaged, IFloatingPointIeee754<T>";

    private static readonly string[] Broken =
    [
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => x; static void FBackward<T>(",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x, ) " + W + " => x; }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<Missing> x) => x; static void FBackward<T>(NdArray<T> dy, GradSlot<T> dx) { } }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static Missing F(Missing x) => x; }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => x; static void FBackward<T>(Missing dy, GradSlot<Missing> dx) " + W + " { } }",
        Usings + "public static partial class Ops { [DifferentiableOp(Name = 5)] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => x; }",
        Usings + "public static partial class Ops { [DifferentiableOp(Backward = nameof(Nothing))] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => x; }",
        Usings + "public static partial class Ops { [DifferentiableOp(Backward = null)] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => x; }",
        Usings + "public static partial class Ops { [DifferentiableOp(Nope = 1)] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => x; }",
        Usings + "public static partial class Ops { [DifferentiableOp] [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => x; }",
        Usings + "[DifferentiableOp] public static partial class Ops { }",
        Usings + "public static partial class Ops { [DifferentiableOp] }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T> }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => x; [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => x; static void FBackward<T>(NdArray<T> dy, GradSlot<T> dx) " + W + " { } }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static partial NdArray<double> F(NdArray<double> x); static void FBackward(NdArray<double> dy, GradSlot<double> dx) { } }",
        Usings + "public partial interface IOps { [DifferentiableOp] static abstract NdArray<double> F(NdArray<double> x); static void FBackward(NdArray<double> dy, GradSlot<double> dx) { } }",
        Usings + "public partial interface IOps { [DifferentiableOp] static NdArray<double> F(NdArray<double> x) => x; static void FBackward(NdArray<double> dy, GradSlot<double> dx) { } }",
        Usings + "public abstract partial class Ops { [DifferentiableOp] public abstract NdArray<double> F(NdArray<double> x); }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static extern NdArray<double> F(NdArray<double> x); static void FBackward(NdArray<double> dy, GradSlot<double> dx) { } }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x, NdArray<T> x) " + W + " => x; static void FBackward<T>(NdArray<T> dy, NdArray<T> x, GradSlot<T> a, GradSlot<T> b) " + W + " { } }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x, int n = \"text\") " + W + " => x; static void FBackward<T>(NdArray<T> dy, int n, GradSlot<T> dx) " + W + " { } }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x, out) " + W + " => x; }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(this NdArray<T> x, this NdArray<T> y) " + W + " => x; }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) where T : class => x; static void FBackward<T>(NdArray<T> dy, GradSlot<T> dx) where T : class { } }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T>? F<T>(NdArray<T>? x) " + W + " => x; static void FBackward<T>(NdArray<T>? dy, GradSlot<T> dx) " + W + " { } }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<NdArray<double>> F(NdArray<NdArray<double>> x) => x; }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => x; static void FBackward<T>(NdArray<T> dy, GradSlot<T> dx, GradSlot<T> dz, GradSlot<T> dw) " + W + " { } }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => x; static int FBackward; }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => x; class FBackward { } }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => x; static void FBackward<T>(NdArray<T> dy, GradSlot<T> dx) " + W + " => FBackward(dy, dx); static void FBackward() { } }",
        Usings + "namespace A.B { public static partial class Ops { [DifferentiableOp] public static NdArray<double> F(NdArray<double> x) => x; static void FBackward(NdArray<double> dy, GradSlot<double> dx) { } } } namespace A { public class B { } }",
        Usings + "public static partial class @class { [DifferentiableOp] public static NdArray<double> @int(NdArray<double> @event) => @event; static void @intBackward(NdArray<double> dy, NdArray<double> @event, GradSlot<double> dx) { } }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<double> F(NdArray<double> x) => x; static void FBackward(NdArray<double> dy, NdArray<double> output, NdArray<double> output, GradSlot<double> dx) { } }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<double> F(NdArray<double> x, out NdArray<double> x2, out int y) { x2 = x; y = 0; return x; } }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<double> F(NdArray<double> x) => x; static void FBackward(NdArray<double> dy, params GradSlot<double>[] dx) { } }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<double> F(NdArray<double> x) => x; static void FBackward(NdArray<double> dy, ref GradSlot<double> dx) { } }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<double> F(NdArray<double> x) => x; static void FBackward(in NdArray<double> dy, GradSlot<double> dx) { } }",
        Usings + "public static partial class Ops { public static void M() { var f = [DifferentiableOp] (NdArray<double> x) => x; } }",
        Usings + "public partial class Ops { public NdArray<double> P { [DifferentiableOp] get => null!; } }",
        Usings + "public partial class Ops { [DifferentiableOp] public Ops() { } }",
        Usings + "public partial record struct R(int X) { [DifferentiableOp] public static NdArray<double> F(NdArray<double> x) => x; static void FBackward(NdArray<double> dy, GradSlot<double> dx) { } }",
        Usings + "public ref partial struct S { [DifferentiableOp] public static NdArray<double> F(NdArray<double> x) => x; static void FBackward(NdArray<double> dy, GradSlot<double> dx) { } }",
        "using Autograd; public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) => x; }",
        "public static partial class Ops { [DifferentiableOp] public static NdArray<double> F(NdArray<double> x) => x; }",
        // Half-typed in-place writes, for the in-place analyzer.
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => NdArray.ExpInPlace(",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " { var v = x.Slice(; v[0] = ; return x; }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => NdArray.Add(x, x, into: ); static void FBackward<T>(NdArray<T> dy, GradSlot<T> dx) " + W + " { dy[] += ; }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " { Missing.FillInPlace(x); x.Nope[0] = 1; return x; } static void FBackward<T>(NdArray<T> dy, GradSlot<T> dx) " + W + " { var v = dy; v = v.Transpose(; NdArray.Fill(v, ",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " { x.Reshape(2)[0]++; return x; } static void FBackward<T>(NdArray<T> dy, GradSlot<T> dx, GradSlot<T> dx) " + W + " { } static void FBackward(NdArray<double> dy) { NdArray.ExpInPlace(dy); } }",
        // Half-typed variadic ops (NdArray<T>[] inputs, span slots).
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(params NdArray<T>[] ",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T>[] xs) " + W + " => xs[0]; static void FBackward<T>(NdArray<T> dy, ReadOnlySpan<GradSlot<T>> ",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T>[] xs) " + W + " => xs[0]; static void FBackward<T>(NdArray<T> dy, ReadOnlySpan<> dxs) " + W + " { } }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T>[] xs) " + W + " => xs[0]; static void FBackward<T>(NdArray<T> dy, ReadOnlySpan<GradSlot<Missing>> dxs) " + W + " { } }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T>[] xs, params NdArray<T>[] ys) " + W + " => xs[0]; static void FBackward<T>(NdArray<T> dy, NdArray<T>[] ys, ReadOnlySpan<GradSlot<T>> dxs, ReadOnlySpan<GradSlot<T>> dys) " + W + " { } }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(params NdArray<T>[] xs, NdArray<T> y) " + W + " => y; static void FBackward<T>(NdArray<T> dy, ReadOnlySpan<GradSlot<T>> dxs, GradSlot<T> dy2) " + W + " { } }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<Missing>[] xs) " + W + " => null!; static void FBackward<T>(NdArray<T> dy, ReadOnlySpan<GradSlot<T>> dxs) " + W + " { } }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T>[]? xs = null) " + W + " => xs![0]; static void FBackward<T>(NdArray<T> dy, ReadOnlySpan<GradSlot<T>> dxs) " + W + " { } }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(Span<NdArray<T>> xs, NdArray<T>[,] ys) " + W + " => xs[0]; }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(this params NdArray<T>[] xs) " + W + " => xs[0]; static void FBackward<T>(NdArray<T> dy, Variable<T>[] xs, GradSlot<T>[] dxs) " + W + " { } }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<double> F(NdArray<double>[] xs) => xs[0]; static void FBackward(NdArray<double> dy, NdArray<double>[] xs, ReadOnlySpan<GradSlot<double>> d) { xs[0][0] = 1; foreach (var x in xs) NdArray.ExpInPlace(x",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<double> F(NdArray<double>[] xs) { xs[ = ; return xs[0]; } static void FBackward(Variable<double> dy, Variable<double>[] xs, ReadOnlySpan<GradSlot<double>> d) { } }",
        // Half-typed and ill-typed [SavedFor].
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x, NdArray<T> y) " + W + " => x; static void FBackward<T>(NdArray<T> dy, [SavedFor(nameof(",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x, NdArray<T> y) " + W + " => x; static void FBackward<T>(NdArray<T> dy, [SavedFor(null)] NdArray<T>? x, GradSlot<T> dx, GradSlot<T> dy2) " + W + " { } }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x, NdArray<T> y) " + W + " => x; static void FBackward<T>(NdArray<T> dy, [SavedFor(1, nameof(Missing))] NdArray<T>? x, GradSlot<T> dx, GradSlot<T> dy2) " + W + " { } }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x, NdArray<T> y) " + W + " => x; static void FBackward<T>(NdArray<T> dy, [SavedFor(new[] { \"dy2\", null })] [SavedFor(\"dx\")] NdArray<T>? x, GradSlot<T> dx, [SavedFor] GradSlot<T> dy2) " + W + " { } }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x, NdArray<T> y) " + W + " => x; static void FBackward<T>(NdArray<T> dy, [SavedFor(nameof(dy2))] NdArray<T>? output, GradSlot<T> dx) " + W + " { } }",
        Usings + "public static partial class Ops { [DifferentiableOp] public static NdArray<T> F<T>(NdArray<T> x) " + W + " => x; static void FBackward<T>(NdArray<T> dy, [SavedFor(nameof(d3))] NdArray<T> x, GradSlot<T> dx, GradSlot<T> d2, GradSlot<T> d3) " + W + " { } }",
        "public static partial class Ops { [Autograd.DifferentiableOp( public static",
        "[Autograd.DifferentiableOp]",
        "",
    ];

    private static IEnumerable<TestCaseData> Sources()
    {
        var index = 0;
        foreach (var source in Broken)
            yield return new TestCaseData(source).SetName($"Broken_{index++:D2}");
        foreach (var (name, source) in new[] { ("Generic", OpSources.Generic), ("SavedState", OpSources.SavedState), ("NonArrayDefaults", OpSources.NonArrayDefaults), ("Variadic", OpSources.Variadic), ("VariadicRecorded", OpSources.VariadicRecorded), ("SavedFor", OpSources.SavedFor) })
        {
            // Cut the op off at evenly spaced points, as if it were still being typed.
            const int Cuts = 20;
            var start = source.IndexOf("[DifferentiableOp", StringComparison.Ordinal);
            for (var i = 0; i < Cuts; i++)
            {
                var at = start + ((source.Length - start) * i / Cuts);
                yield return new TestCaseData(source[..at]).SetName($"Truncated_{name}_{i:D2}");
            }
        }
    }

    [TestCaseSource(nameof(Sources))]
    public void Generator_and_analyzer_never_crash(string source)
    {
        var result = Run(Compile(source));
        Assert.That(result.RunResult.Results.Single().Exception, Is.Null);
        Assert.That(result.GeneratorDiagnostics.Select(d => d.Id), Has.None.EqualTo("CS8785"));
        var analyzerDiagnostics = Analyze(result.Compilation);
        Assert.That(analyzerDiagnostics.Select(d => d.Id), Has.None.AnyOf("AD0001", "AG0022"), () => string.Join("\n", analyzerDiagnostics));
        // Never silently skipped: every marked method got a node or an AG error.
        foreach (var method in MarkedMethods(result.Compilation))
        {
            var generated = result.GeneratedSources.Any(g => g.HintName.EndsWith("." + method.Name + "Node.g.cs", StringComparison.Ordinal)
                || g.HintName.Contains("." + method.Name + "Node", StringComparison.Ordinal));
            var reported = analyzerDiagnostics.Any(d => d.Id.StartsWith("AG", StringComparison.Ordinal) && d.Severity == DiagnosticSeverity.Error);
            Assert.That(generated || reported, Is.True, $"op '{method.Name}' was neither generated nor reported");
        }
        // Whatever was generated parses.
        foreach (var (hint, text) in result.GeneratedSources)
            Assert.That(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(text).GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error), Is.Empty, hint);
    }

    private static IEnumerable<IMethodSymbol> MarkedMethods(Compilation compilation)
    {
        foreach (var tree in compilation.SyntaxTrees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var node in tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>())
            {
                if (model.GetDeclaredSymbol(node) is IMethodSymbol method
                    && method.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "Autograd.DifferentiableOpAttribute"))
                {
                    yield return method;
                }
            }
        }
    }

    [Test]
    public void There_are_at_least_fifty_cases() => Assert.That(Sources().Count(), Is.GreaterThanOrEqualTo(50));
}
