namespace Autograd.Registry;

/// <summary>
/// Gradient-checks every op of a generated registry in one call:
/// <c>DifferentiableOpRegistry.All.GradCheckAll()</c>. Each op that can be invoked on <c>double</c>
/// is checked with <see cref="GradCheck"/> (central finite differences) at seeded random points, for
/// each input-shape case; each op that can also be invoked on <c>float</c> is run in <c>float</c> on
/// the same point and its value and gradients compared with the <c>double</c> run.
/// </summary>
public static class OpRegistryCheck
{
    /// <summary>Checks every op in <paramref name="ops"/>; never throws for a failing op, it reports it.</summary>
    /// <param name="ops">Usually <c>&lt;AssemblyName&gt;.DifferentiableOpRegistry.All</c>.</param>
    /// <param name="options">Shapes, value range, seed and tolerances; <see cref="OpCheckOptions.Default"/> when null.</param>
    /// <returns>One result per op and shape case, and one per op that cannot be invoked (skipped).</returns>
    public static IReadOnlyList<OpCheckResult> GradCheckAll(this IEnumerable<OpInfo> ops, OpCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(ops);
        options ??= OpCheckOptions.Default;
        var results = new List<OpCheckResult>();
        foreach (var op in ops)
        {
            if (options.Skip?.Invoke(op) == true)
                continue;
            if (!op.SupportsDouble)
            {
                results.Add(new OpCheckResult(op, "-", OpCheckOutcome.Skipped,
                    "not invocable on double from the registry (non-generic float op, not accessible, or a non-array parameter without a default)", null));
                continue;
            }
            var cases = options.Shapes?.Invoke(op) ?? DefaultShapes(op, options.Broadcasting);
            var random = new Random(options.Seed);
            foreach (var shapes in cases)
                results.Add(CheckOne(op, shapes, random, options));
        }
        return results;
    }

    /// <summary>Like <see cref="GradCheckAll"/>, then throws one exception listing every failure.</summary>
    /// <exception cref="InvalidOperationException">An op failed.</exception>
    public static IReadOnlyList<OpCheckResult> AssertGradCheckAll(this IEnumerable<OpInfo> ops, OpCheckOptions? options = null)
    {
        var results = GradCheckAll(ops, options);
        var failures = results.Where(r => r.Outcome == OpCheckOutcome.Failed).ToList();
        if (failures.Count > 0)
        {
            throw new InvalidOperationException(
                $"{failures.Count} of {results.Count} op checks failed:{Environment.NewLine}" + string.Join(Environment.NewLine, failures));
        }
        return results;
    }

    private static IEnumerable<int[][]> DefaultShapes(OpInfo op, bool broadcasting)
    {
        yield return Enumerable.Repeat(new[] { 2, 3 }, op.InputCount).ToArray();
        if (broadcasting && op.InputCount > 1)
            yield return Enumerable.Range(0, op.InputCount).Select(i => i == 0 ? new[] { 2, 3 } : new[] { 1, 3 }).ToArray();
    }

    private static OpCheckResult CheckOne(OpInfo op, int[][] shapes, Random random, OpCheckOptions options)
    {
        var label = string.Join(" ", shapes.Select(s => ShapeText.Of(s)));
        try
        {
            var inputs = shapes.Select(shape => NdArray.RandomUniform(random, options.Low, options.High, shape)).ToArray();
            var result = GradCheck.Check(op.Invoke, options.GradCheck, inputs);
            if (!result.Passed)
                return new OpCheckResult(op, label, OpCheckOutcome.Failed, result.ToString(), result);
            if (op.IsDifferentiableTwice)
            {
                var second = GradCheck.CheckSecondOrder(op.Invoke, options.GradCheck, inputs);
                if (!second.Passed)
                    return new OpCheckResult(op, label, OpCheckOutcome.Failed, "second order: " + second, second);
            }
            if (op.SupportsSingle)
            {
                var mismatch = CompareSingle(op, inputs, options.SingleTolerance);
                if (mismatch is not null)
                    return new OpCheckResult(op, label, OpCheckOutcome.Failed, mismatch, result);
            }
            return new OpCheckResult(op, label, OpCheckOutcome.Passed, result.ToString(), result);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            return new OpCheckResult(op, label, OpCheckOutcome.Failed, exception.GetType().Name + ": " + exception.Message, null);
        }
    }

    /// <summary>Runs the op in double and float on the same point; null when value and gradients agree.</summary>
    private static string? CompareSingle(OpInfo op, NdArray<double>[] inputs, double tolerance)
    {
        var doubles = inputs.Select(x => new Variable<double>(x.Clone())).ToArray();
        var singles = inputs.Select(x => new Variable<float>(NdArray.Create(Array.ConvertAll(x.ToArray(), v => (float)v), x.Shape.ToArray()))).ToArray();
        var yd = op.Invoke(doubles);
        var ys = op.Invoke(singles);
        if (yd.RequiresGrad)
            yd.Backward();
        if (ys.RequiresGrad)
            ys.Backward();
        var message = Compare("value", yd.Value.ToArray(), ys.Value.ToArray(), tolerance);
        for (var i = 0; message is null && i < inputs.Length; i++)
        {
            message = Compare($"gradient of input {i}", doubles[i].Grad?.ToArray() ?? [], singles[i].Grad?.ToArray() ?? [], tolerance);
        }
        return message is null ? null : "float run differs from double run: " + message;
    }

    private static string? Compare(string what, double[] expected, float[] actual, double tolerance)
    {
        if (expected.Length != actual.Length)
            return $"{what}: {expected.Length} elements in double, {actual.Length} in float";
        for (var i = 0; i < expected.Length; i++)
        {
            if (Math.Abs(expected[i] - actual[i]) > tolerance * Math.Max(1, Math.Abs(expected[i])))
                return $"{what}, element {i}: {expected[i]} in double, {actual[i]} in float";
        }
        return null;
    }
}

/// <summary>How <see cref="OpRegistryCheck.GradCheckAll"/> checks ops.</summary>
public sealed record OpCheckOptions
{
    /// <summary>Shapes [2, 3] for every input; values in [0.5, 1.5]; seed 0.</summary>
    public static OpCheckOptions Default { get; } = new();

    /// <summary>The input shapes to check an op at (one array of shapes per case), or null for the default: every input [2, 3].</summary>
    public Func<OpInfo, IEnumerable<int[][]>?>? Shapes { get; init; }

    /// <summary>With the default shapes, also check inputs after the first at [1, 3], broadcast against [2, 3].</summary>
    public bool Broadcasting { get; init; }

    /// <summary>Ops to leave out (for example ops whose inputs must satisfy a precondition the random point breaks).</summary>
    public Func<OpInfo, bool>? Skip { get; init; }

    /// <summary>The lower bound of the random input values (positive by default, so log and sqrt are defined).</summary>
    public double Low { get; init; } = 0.5;

    /// <summary>The upper bound of the random input values.</summary>
    public double High { get; init; } = 1.5;

    /// <summary>The seed of the random inputs.</summary>
    public int Seed { get; init; }

    /// <summary>The finite-difference options.</summary>
    public GradCheckOptions GradCheck { get; init; } = GradCheckOptions.Default;

    /// <summary>The relative tolerance between the float and the double run.</summary>
    public double SingleTolerance { get; init; } = 1e-3;
}

/// <summary>How one op check ended.</summary>
public enum OpCheckOutcome
{
    /// <summary>Analytic and numeric gradients agree (and the float run agrees with the double run).</summary>
    Passed,

    /// <summary>A gradient disagreed, the runs differed, or the op threw.</summary>
    Failed,

    /// <summary>The op cannot be invoked from the registry.</summary>
    Skipped,
}

/// <summary>The outcome of checking one op at one shape case.</summary>
/// <param name="Op">The op.</param>
/// <param name="Shapes">The input shapes, e.g. <c>[2, 3] [1, 3]</c>.</param>
/// <param name="Outcome">Passed, failed or skipped.</param>
/// <param name="Message">What was found.</param>
/// <param name="GradCheck">The finite-difference result, when the check got that far.</param>
public sealed record OpCheckResult(OpInfo Op, string Shapes, OpCheckOutcome Outcome, string Message, GradCheckResult? GradCheck)
{
    /// <inheritdoc />
    public override string ToString() => $"{Outcome}: op '{Op.Name}' ({Op.DeclaringTypeName}.{Op.MethodName}) at {Shapes}: {Message}";
}
