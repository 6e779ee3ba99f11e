using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Autograd;
using Autograd.Generators;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

// What the generator and the analyzers add to building a project of many ops, on a 500-op source.
// First in memory, each part measured on its own: the first run in a process is what a build
// without a build server pays (JIT included), later runs what a warm compiler server pays. Then
// with the SDK's own compiler, a process per build, as `dotnet build` without a build server runs
// it (RealCompiler.cs): the number a user of the generator feels.
const int OpCount = 500;
var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;

var parseOptions = new CSharpParseOptions(LanguageVersion.Preview);
var compilation = CSharpCompilation.Create(
    "FiveHundredOps",
    [CSharpSyntaxTree.ParseText(Source(OpCount), parseOptions)],
    [.. Net100.References.All, MetadataReference.CreateFromFile(typeof(NdArray<>).Assembly.Location)],
    new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

// The generator's time is CPU time of this process (the machine may be shared, and wall time then
// says little).
// The compiler's own binding of the user source is warmed first, and the generated compilation is
// bound before the analyzers run, as the compiler binds it anyway: what is left is what the
// generator and the analyzers add.
compilation.GetDiagnostics();

Console.WriteLine($"{OpCount} ops in process; run 1 is cold (JIT included, also of this bench's IL-only Roslyn), the rest warm; generator: CPU seconds, analyzers: wall seconds inside their callbacks");
Console.WriteLine("run  generator  analyzers  total");
var totals = new List<double>();
for (var run = 1; run <= runs; run++)
{
    var fresh = compilation.Clone();
    var generator = CpuSeconds(() =>
    {
        CSharpGeneratorDriver.Create([new DifferentiableOpGenerator().AsSourceGenerator()], parseOptions: parseOptions)
            .RunGeneratorsAndUpdateCompilation(fresh, out var output, out var generatorDiagnostics);
        Require(generatorDiagnostics.IsEmpty && output.SyntaxTrees.Count() == OpCount + 2);
        fresh = (CSharpCompilation)output;
    });
    var (analyzers, diagnostics) = Analyze(fresh, new DifferentiableOpAnalyzer(), new InPlaceWriteAnalyzer());
    Require(diagnostics.IsEmpty);
    totals.Add(generator + analyzers);
    Console.WriteLine($"{run,3}  {generator,7:F3} s  {analyzers,7:F3} s  {generator + analyzers,5:F3} s");
}
Console.WriteLine($"cold total {totals[0]:F3} s; warm median {totals.Skip(1).Order().ElementAtOrDefault((totals.Count - 2) / 2):F3} s");
Console.WriteLine();
// A second argument names another build of Autograd.Generators.dll for the compiler to load instead
// (say, of an older commit), to compare the two on the same machine.
RealCompiler.Measure(Source(OpCount), args.Length > 1 ? Path.GetFullPath(args[1]) : typeof(DifferentiableOpGenerator).Assembly.Location, runs);

// The analyzers' own time as the analyzer driver accounts it: wall time inside their callbacks, which
// swings tenfold on a loaded machine. (Their CPU time cannot be had apart here: the analyzer driver
// binds its own copy of the compilation.) The compiler runs below give the CPU they add.
static (double Seconds, ImmutableArray<Diagnostic> Diagnostics) Analyze(Compilation compilation, params DiagnosticAnalyzer[] analyzers)
{
    var bound = compilation.Clone();
    bound.GetDiagnostics();
    var withAnalyzers = bound.WithAnalyzers([.. analyzers], new CompilationWithAnalyzersOptions(
        new AnalyzerOptions([]), null, concurrentAnalysis: false, logAnalyzerExecutionTime: true, reportSuppressedDiagnostics: false));
    var diagnostics = withAnalyzers.GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
    var seconds = analyzers.Sum(a => withAnalyzers.GetAnalyzerTelemetryInfoAsync(a, CancellationToken.None).GetAwaiter().GetResult().ExecutionTime.TotalSeconds);
    return (seconds, diagnostics);
}

static double CpuSeconds(Action action)
{
    GC.Collect();
    var before = Process.GetCurrentProcess().TotalProcessorTime;
    action();
    return (Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds;
}

static void Require(bool condition)
{
    if (!condition)
        throw new InvalidOperationException("the 500-op source did not generate and analyze cleanly");
}

// 500 ops in 10 partial classes, in the shapes users write: unary with output, binary with a
// non-array parameter, and one with saved state; each with its backward.
static string Source(int count)
{
    const string W = "where T : unmanaged, IFloatingPointIeee754<T>";
    var text = new StringBuilder("using System;\nusing System.Numerics;\nusing Autograd;\nnamespace Bench;\n");
    for (var i = 0; i < count; i++)
    {
        if (i % 50 == 0)
            text.Append(i == 0 ? string.Empty : "}\n").Append("public static partial class Ops").Append(i / 50).Append("\n{\n");
        var name = "Op" + i.ToString(CultureInfo.InvariantCulture);
        text.Append((i % 3) switch
        {
            0 => $"    [DifferentiableOp] public static NdArray<T> {name}<T>(NdArray<T> x) {W} => NdArray.Exp(x);\n" +
                 $"    static void {name}Backward<T>(NdArray<T> dy, NdArray<T> output, GradSlot<T> dx) {W} {{ if (dx.IsNeeded) dx.Accumulate(NdArray.Multiply(dy, output)); }}\n",
            1 => $"    [DifferentiableOp] public static NdArray<T> {name}<T>(NdArray<T> x, NdArray<T> y, T scale) {W} => NdArray.Multiply(NdArray.Add(x, y), scale);\n" +
                 $"    static void {name}Backward<T>(NdArray<T> dy, T scale, GradSlot<T> dx, GradSlot<T> dy2) {W}\n    {{\n        var g = NdArray.Multiply(dy, scale);\n        if (dx.IsNeeded) dx.Accumulate(g);\n        if (dy2.IsNeeded) dy2.Accumulate(g);\n    }}\n",
            _ => $"    [DifferentiableOp] public static NdArray<double> {name}(NdArray<double> x, int axis, out int[] shape) {{ shape = x.Shape.ToArray(); return NdArray.Sum(x, [axis], keepDims: true); }}\n" +
                 $"    static void {name}Backward(NdArray<double> dy, int[] shape, GradSlot<double> dx) {{ if (dx.IsNeeded) dx.Accumulate(dy.BroadcastTo(shape)); }}\n",
        });
    }
    return text.Append("}\n").ToString();
}

