using System.Globalization;
using System.Text;

namespace Autograd;

/// <summary>
/// Checks analytic gradients against central finite differences, in <see cref="double"/>: the test
/// to write for every op you define. The function may be one op or any composite of ops:
/// <code>
/// var x = NdArray.RandomNormal&lt;double&gt;(seed: 1, 3, 4);
/// var w = NdArray.RandomNormal&lt;double&gt;(seed: 2, 4, 2);
/// GradCheck.Assert(v =&gt; Ops.Tanh(Ops.MatMul(v[0], v[1])), x, w);
/// </code>
/// Every input becomes a leaf variable; variables the function captures (a layer's weights) are
/// differentiated through but keep the gradients they had. For an output with more than
/// <see cref="GradCheckOptions.FullJacobianMaxOutputs"/> elements the output is projected on
/// <see cref="GradCheckOptions.Projections"/> seeded random directions r (each a backward from r,
/// compared with the finite difference of Σ r * f); for smaller outputs every row of the Jacobian is
/// checked. Pick inputs away from kinks (|x| at 0, relu at 0, ties of max) where the derivative jumps.
/// </summary>
public static class GradCheck
{
    /// <summary>Checks <paramref name="function"/> at <paramref name="inputs"/> with the default options.</summary>
    /// <param name="function">Builds the output from one variable per input, in order.</param>
    /// <param name="inputs">The point to check at; not modified.</param>
    /// <returns>The outcome, with the worst element found.</returns>
    public static GradCheckResult Check(Func<Variable<double>[], Variable<double>> function, params NdArray<double>[] inputs) =>
        Check(function, GradCheckOptions.Default, inputs);

    /// <summary>Checks <paramref name="function"/> at <paramref name="inputs"/>.</summary>
    /// <param name="function">Builds the output from one variable per input, in order.</param>
    /// <param name="options">Step, tolerances and projections.</param>
    /// <param name="inputs">The point to check at; not modified.</param>
    /// <returns>The outcome, with the worst element found.</returns>
    /// <exception cref="ArgumentException">No inputs, or the function returns null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The step is not above 0, or a tolerance is negative (or either is not finite).</exception>
    /// <exception cref="InvalidOperationException">Called inside <see cref="Variable.NoGrad"/>.</exception>
    public static GradCheckResult Check(Func<Variable<double>[], Variable<double>> function, GradCheckOptions options, params NdArray<double>[] inputs)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Length == 0)
            throw new ArgumentException("GradCheck: no inputs were given; pass the arrays to differentiate with respect to.", nameof(inputs));
        CheckOption(nameof(options.Epsilon), options.Epsilon, mustBePositive: true);
        CheckOption(nameof(options.AbsoluteTolerance), options.AbsoluteTolerance, mustBePositive: false);
        CheckOption(nameof(options.RelativeTolerance), options.RelativeTolerance, mustBePositive: false);
        if (!GradMode.IsEnabled)
            throw new InvalidOperationException("GradCheck: called inside Variable.NoGrad(), where no op records a graph, so there is no analytic gradient to check; call it outside the scope.");
        var point = Array.ConvertAll(inputs, input => (input ?? throw new ArgumentNullException(nameof(inputs))).ToArray());
        var shapes = Array.ConvertAll(inputs, input => input.Shape.ToArray());

        // Numeric: one column of the Jacobian per input element, from two evaluations.
        var center = Evaluate(function, point, shapes);
        var outputShape = center.Shape.ToArray();
        var outputLength = center.Length;
        var columns = new double[inputs.Length][][];
        var sampled = new bool[inputs.Length][];
        for (var input = 0; input < inputs.Length; input++)
        {
            columns[input] = new double[point[input].Length][];
            sampled[input] = Sample(point[input].Length, options, input);
            for (var element = 0; element < point[input].Length; element++)
            {
                if (!sampled[input][element])
                    continue;
                var original = point[input][element];
                point[input][element] = original + options.Epsilon;
                var plus = Evaluate(function, point, shapes).ToArray();
                point[input][element] = original - options.Epsilon;
                var minus = Evaluate(function, point, shapes).ToArray();
                point[input][element] = original;
                var column = new double[outputLength];
                for (var o = 0; o < outputLength; o++)
                    column[o] = (plus[o] - minus[o]) / (2 * options.Epsilon);
                columns[input][element] = column;
            }
        }

        // Analytic: one backward per direction, through one recorded graph; no variable's Grad is touched.
        var leaves = new Variable<double>[inputs.Length];
        for (var i = 0; i < inputs.Length; i++)
            leaves[i] = Variable.Create(Fresh(point[i], shapes[i]), $"input{i}");
        var output = function(leaves) ?? throw new ArgumentException("GradCheck: the function returned null.", nameof(function));
        var fullJacobian = outputLength <= options.FullJacobianMaxOutputs;
        var directions = Directions(outputLength, fullJacobian, options);
        var worst = new GradCheckResult.Entry(-1, -1, -1, 0, 0, 0, 0);
        var checkedCount = 0;
        for (var d = 0; d < directions.Count; d++)
        {
            var direction = directions[d];
            var gradients = output.RequiresGrad ? Variable.Gradients(output, leaves, Fresh(direction, outputShape), allowUnused: true) : null;
            for (var input = 0; input < inputs.Length; input++)
            {
                var grad = gradients?[input].Value.ToArray();
                for (var element = 0; element < point[input].Length; element++)
                {
                    if (!sampled[input][element])
                        continue;
                    var analytic = grad?[element] ?? 0.0;
                    var numeric = 0.0;
                    var column = columns[input][element];
                    for (var o = 0; o < outputLength; o++)
                        numeric += direction[o] * column[o];
                    var error = Math.Abs(analytic - numeric);
                    var allowed = options.AbsoluteTolerance + options.RelativeTolerance * Math.Abs(numeric);
                    // An exact match passes even with zero tolerances (0 / 0 would be NaN, which no later score beats).
                    var score = !(double.IsFinite(analytic) && double.IsFinite(numeric)) ? double.PositiveInfinity : error == 0 ? 0 : error / allowed;
                    checkedCount++;
                    if (score > worst.Score || worst.Input < 0)
                        worst = new GradCheckResult.Entry(input, element, fullJacobian ? d : -1, analytic, numeric, error, score);
                }
            }
        }
        return new GradCheckResult(worst, shapes, checkedCount, directions.Count, fullJacobian, options);
    }

    /// <summary>
    /// The second-order check (PyTorch's <c>gradgradcheck</c>): the gradients of
    /// <paramref name="function"/>'s gradient, taken by a backward through a recorded backward
    /// (<c>createGraph: true</c>), against central finite differences of the gradient, in double.
    /// The gradient is taken along a seeded random output gradient; for small inputs every second
    /// derivative (the whole Hessian for a scalar function) is compared.
    /// </summary>
    /// <exception cref="NotSupportedException">An op the function uses is first-order only.</exception>
    public static GradCheckResult CheckSecondOrder(Func<Variable<double>[], Variable<double>> function, GradCheckOptions options, params NdArray<double>[] inputs)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Length == 0)
            throw new ArgumentException("GradCheck: no inputs were given; pass the arrays to differentiate with respect to.", nameof(inputs));
        var outputShape = Evaluate(function, Array.ConvertAll(inputs, i => (i ?? throw new ArgumentNullException(nameof(inputs))).ToArray()), Array.ConvertAll(inputs, i => i.Shape.ToArray())).Shape.ToArray();
        var seed = NdArray.RandomNormal<double>(options.Seed, outputShape);
        return Check(variables =>
        {
            // Finite differences evaluate this under NoGrad with untracked inputs: the gradient at those points is still wanted.
            using var recording = Variable.EnableGrad();
            var leaves = variables[0].RequiresGrad ? variables : Array.ConvertAll(variables, v => v.Value.Clone().ToVariable());
            var output = function(leaves) ?? throw new ArgumentException("GradCheck: the function returned null.", nameof(function));
            var gradients = output.RequiresGrad
                ? Variable.Gradients(output, leaves, seed, createGraph: variables[0].RequiresGrad, allowUnused: true)
                : Array.ConvertAll(leaves, v => NdArray.Zeros<double>(v.Shape.ToArray()).ToVariable(requiresGrad: false));
            return Ops.Concat(Array.ConvertAll(gradients, g => Ops.Reshape(g, [-1])));
        }, options, inputs);
    }

    /// <summary>Checks like <see cref="CheckSecondOrder"/> and throws when the second derivatives disagree.</summary>
    /// <exception cref="GradCheckException">Some second derivative differs from the numeric one beyond the tolerances.</exception>
    public static GradCheckResult AssertSecondOrder(Func<Variable<double>[], Variable<double>> function, GradCheckOptions options, params NdArray<double>[] inputs)
    {
        var result = CheckSecondOrder(function, options, inputs);
        if (!result.Passed)
            throw new GradCheckException(result);
        return result;
    }

    /// <summary>Checks like <see cref="CheckSecondOrder"/> with the default options, and throws when the second derivatives disagree.</summary>
    /// <exception cref="GradCheckException">Some second derivative differs from the numeric one beyond the tolerances.</exception>
    public static GradCheckResult AssertSecondOrder(Func<Variable<double>[], Variable<double>> function, params NdArray<double>[] inputs) =>
        AssertSecondOrder(function, GradCheckOptions.Default, inputs);

    /// <summary>Checks like <see cref="Check(Func{Variable{double}[], Variable{double}}, NdArray{double}[])"/> and throws when the gradients disagree.</summary>
    /// <exception cref="GradCheckException">Some analytic gradient differs from the numeric one beyond the tolerances; the message reports the worst element.</exception>
    public static GradCheckResult Assert(Func<Variable<double>[], Variable<double>> function, params NdArray<double>[] inputs) =>
        Assert(function, GradCheckOptions.Default, inputs);

    /// <summary>Checks like <see cref="Check(Func{Variable{double}[], Variable{double}}, GradCheckOptions, NdArray{double}[])"/> and throws when the gradients disagree.</summary>
    /// <exception cref="GradCheckException">Some analytic gradient differs from the numeric one beyond the tolerances; the message reports the worst element.</exception>
    public static GradCheckResult Assert(Func<Variable<double>[], Variable<double>> function, GradCheckOptions options, params NdArray<double>[] inputs)
    {
        var result = Check(function, options, inputs);
        if (!result.Passed)
            throw new GradCheckException(result);
        return result;
    }

    /// <summary>The function's value at the point, recording nothing; inputs are fresh copies so the function cannot change the point.</summary>
    private static NdArray<double> Evaluate(Func<Variable<double>[], Variable<double>> function, double[][] point, int[][] shapes)
    {
        using (Variable.NoGrad())
        {
            var variables = new Variable<double>[point.Length];
            for (var i = 0; i < point.Length; i++)
                variables[i] = Variable.Create(Fresh(point[i], shapes[i]), requiresGrad: false);
            var result = function(variables) ?? throw new ArgumentException("GradCheck: the function returned null.", nameof(function));
            return result.Value;
        }
    }

    /// <summary>Throws unless an option is finite and at least 0 (above 0 when <paramref name="mustBePositive"/>).</summary>
    private static void CheckOption(string name, double value, bool mustBePositive)
    {
        if (!double.IsFinite(value) || value < 0 || (mustBePositive && value == 0))
        {
            throw new ArgumentOutOfRangeException(
                "options", value, $"GradCheck: options.{name} is {value.ToString(CultureInfo.InvariantCulture)}; it must be finite and {(mustBePositive ? "above 0" : "at least 0")}.");
        }
    }

    /// <summary>Which elements of an input to check: all, or a seeded random subset of <see cref="GradCheckOptions.MaxElementsPerInput"/>.</summary>
    private static bool[] Sample(int length, GradCheckOptions options, int input)
    {
        var chosen = new bool[length];
        if (length <= options.MaxElementsPerInput)
        {
            System.Array.Fill(chosen, true);
            return chosen;
        }
        var random = new Random(HashCode.Combine(options.Seed, input));
        var order = Enumerable.Range(0, length).OrderBy(_ => random.Next()).Take(Math.Max(options.MaxElementsPerInput, 1));
        foreach (var element in order)
            chosen[element] = true;
        return chosen;
    }

    /// <summary>A contiguous array of <paramref name="shape"/> holding a copy of <paramref name="data"/> (rank 0 included).</summary>
    private static NdArray<double> Fresh(double[] data, int[] shape) =>
        NdArray.Create((double[])data.Clone(), shape);

    private static List<double[]> Directions(int outputLength, bool fullJacobian, GradCheckOptions options)
    {
        var directions = new List<double[]>();
        if (fullJacobian)
        {
            for (var o = 0; o < outputLength; o++)
            {
                var unit = new double[outputLength];
                unit[o] = 1;
                directions.Add(unit);
            }
            return directions;
        }
        var random = new Random(options.Seed);
        for (var d = 0; d < Math.Max(options.Projections, 1); d++)
        {
            var direction = new double[outputLength];
            for (var o = 0; o < outputLength; o++)
                direction[o] = 2 * random.NextDouble() - 1;
            directions.Add(direction);
        }
        return directions;
    }
}

/// <summary>Settings of a <see cref="GradCheck"/> run. An element passes when |analytic - numeric| ≤ AbsoluteTolerance + RelativeTolerance * |numeric|.</summary>
public sealed record GradCheckOptions
{
    /// <summary>The defaults: step 1e-6, absolute tolerance 1e-5, relative tolerance 1e-4, full Jacobian up to 16 outputs, else 3 projections, every element, seed 0.</summary>
    public static GradCheckOptions Default { get; } = new();

    /// <summary>The finite-difference step h: numeric = (f(x + h) - f(x - h)) / 2h.</summary>
    public double Epsilon { get; init; } = 1e-6;

    /// <summary>The error allowed whatever the gradient's size.</summary>
    public double AbsoluteTolerance { get; init; } = 1e-5;

    /// <summary>The error allowed per unit of the numeric gradient's magnitude.</summary>
    public double RelativeTolerance { get; init; } = 1e-4;

    /// <summary>Outputs with at most this many elements are checked row by row (the full Jacobian); larger ones by random projections.</summary>
    public int FullJacobianMaxOutputs { get; init; } = 16;

    /// <summary>How many random directions a large output is projected on.</summary>
    public int Projections { get; init; } = 3;

    /// <summary>
    /// Inputs with more elements than this have only a seeded random subset of this many checked
    /// (each costs two evaluations of the function); all are checked by default.
    /// </summary>
    public int MaxElementsPerInput { get; init; } = int.MaxValue;

    /// <summary>The seed of the random projection directions and of the element subset.</summary>
    public int Seed { get; init; }
}

/// <summary>The outcome of a <see cref="GradCheck"/> run: whether every element passed, and the worst one.</summary>
public sealed class GradCheckResult
{
    private readonly int[][] _inputShapes;

    internal GradCheckResult(Entry worst, int[][] inputShapes, int elementsChecked, int directions, bool fullJacobian, GradCheckOptions options)
    {
        _inputShapes = inputShapes;
        InputIndex = worst.Input;
        ElementIndex = worst.Element;
        OutputIndex = worst.OutputIndex;
        Analytic = worst.Analytic;
        Numeric = worst.Numeric;
        Error = worst.Error;
        Ratio = worst.Score;
        ElementsChecked = elementsChecked;
        Directions = directions;
        FullJacobian = fullJacobian;
        Options = options;
    }

    /// <summary>True when every checked element is within the tolerances (and finite).</summary>
    public bool Passed => InputIndex < 0 || Ratio <= 1;

    /// <summary>Which input (its position in the inputs) holds the worst element; -1 if the inputs are all empty.</summary>
    public int InputIndex { get; }

    /// <summary>The worst element's row-major (flat) index within its input.</summary>
    public int ElementIndex { get; }

    /// <summary>The worst element's index per axis within its input.</summary>
    public int[] ElementPosition => InputIndex < 0 ? [] : Unravel(ElementIndex, _inputShapes[InputIndex]);

    /// <summary>With a full Jacobian, the flat index of the output element whose gradient was worst; -1 for random projections.</summary>
    public int OutputIndex { get; }

    /// <summary>The analytic (backward) gradient at the worst element.</summary>
    public double Analytic { get; }

    /// <summary>The central finite-difference gradient at the worst element.</summary>
    public double Numeric { get; }

    /// <summary>|Analytic - Numeric| at the worst element.</summary>
    public double Error { get; }

    /// <summary>The worst element's error divided by what the tolerances allow it: above 1 fails.</summary>
    public double Ratio { get; }

    /// <summary>How many (element, direction) pairs were compared.</summary>
    public int ElementsChecked { get; }

    /// <summary>How many output directions were backpropagated.</summary>
    public int Directions { get; }

    /// <summary>True when every row of the Jacobian was checked; false for random projections.</summary>
    public bool FullJacobian { get; }

    /// <summary>The options of the run.</summary>
    public GradCheckOptions Options { get; }

    /// <summary>A one-paragraph report naming the worst element, both gradients and the error.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.Append(Passed ? "GradCheck passed" : "GradCheck failed");
        if (InputIndex < 0)
            return text.Append(": no elements to check.").ToString();
        text.Append(inv, $": worst at input {InputIndex} (shape {ShapeText.Of(_inputShapes[InputIndex])}), element {ElementIndex} {ShapeText.Of(ElementPosition)}");
        if (OutputIndex >= 0)
            text.Append(inv, $", output element {OutputIndex}");
        text.Append(inv, $": analytic {Analytic:R}, numeric {Numeric:R}, error {Error:G4} ");
        text.Append(inv, $"({Ratio:G4} × allowed {Options.AbsoluteTolerance:G3} + {Options.RelativeTolerance:G3} × |numeric|); ");
        text.Append(inv, $"{ElementsChecked} comparisons over {Directions} {(FullJacobian ? "Jacobian rows" : "random projections")}.");
        return text.ToString();
    }

    private static int[] Unravel(int index, int[] shape)
    {
        var position = new int[shape.Length];
        for (var axis = shape.Length - 1; axis >= 0; axis--)
        {
            if (shape[axis] == 0)
                continue;
            position[axis] = index % shape[axis];
            index /= shape[axis];
        }
        return position;
    }

    internal readonly record struct Entry(int Input, int Element, int OutputIndex, double Analytic, double Numeric, double Error, double Score);
}

/// <summary>Thrown by <see cref="GradCheck.Assert(Func{Variable{double}[], Variable{double}}, NdArray{double}[])"/> when analytic and numeric gradients disagree.</summary>
public sealed class GradCheckException : Exception
{
    /// <summary>Creates the exception for a failed check.</summary>
    public GradCheckException(GradCheckResult result)
        : base(result?.ToString())
    {
        Result = result ?? throw new ArgumentNullException(nameof(result));
    }

    /// <summary>The failed check, with the worst element.</summary>
    public GradCheckResult Result { get; }
}
