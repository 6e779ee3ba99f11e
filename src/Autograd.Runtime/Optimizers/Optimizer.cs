using System.Numerics;
using System.Numerics.Tensors;

namespace Autograd.Optimizers;

/// <summary>
/// Updates a fixed list of parameters from their gradients. A training step is
/// <c>optimizer.ZeroGrad(); loss.Backward(); optimizer.Step();</c>. <see cref="Step"/> writes into each
/// parameter's <see cref="Variable{T}.Value"/> in place, under <see cref="Variable.NoGrad"/>, and skips
/// parameters whose gradient is null (not reached by the last backward).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public abstract class Optimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Variable<T>[] _parameters;

    /// <summary>Takes the parameters to update.</summary>
    /// <exception cref="ArgumentException">A parameter is null, not a leaf, does not require grad, a broadcast view, or is listed twice.</exception>
    protected Optimizer(IEnumerable<Variable<T>> parameters, string name)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = [.. parameters];
        var seen = new HashSet<Variable<T>>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < _parameters.Length; i++)
        {
            var parameter = _parameters[i] ?? throw new ArgumentException($"{name}: parameter {i} is null.", nameof(parameters));
            var label = parameter.Name is null ? $"parameter {i}" : $"parameter {i} ('{parameter.Name}')";
            if (!parameter.IsLeaf)
                throw new ArgumentException($"{name}: {label} is the result of op '{parameter.Node!.OpName}', not a leaf; optimize the variables you created.", nameof(parameters));
            if (!parameter.RequiresGrad)
                throw new ArgumentException($"{name}: {label} does not require grad, so it never gets a gradient.", nameof(parameters));
            if (Shapes.FirstBroadcastAxis(parameter.Value.Shape, parameter.Value.Strides) >= 0)
            {
                throw new ArgumentException(
                    $"{name}: {label} has shape {ShapeText.Of(parameter.Value.Shape)} but is a broadcast view whose elements share memory, so each step would " +
                    "update them several times; make the parameter from the array it was broadcast from, and broadcast it inside the model.",
                    nameof(parameters));
            }
            if (!seen.Add(parameter))
                throw new ArgumentException($"{name}: {label} is listed twice; it would be updated twice per step.", nameof(parameters));
        }
    }

    /// <summary>The parameters, in the order given.</summary>
    public IReadOnlyList<Variable<T>> Parameters => _parameters;

    /// <summary>How many times <see cref="Step"/> has run; settable when restoring a saved optimizer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative value.</exception>
    public int StepCount
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    }

    /// <summary>The step size, ≥ 0; may be changed between steps (a schedule).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative or non-finite value.</exception>
    public abstract double LearningRate { get; set; }

    /// <summary>
    /// The names of the state the optimizer keeps per parameter (PyTorch's names, e.g. Adam's
    /// <c>exp_avg</c>), for saving and restoring it with <see cref="GetState"/> and <see cref="SetState"/>.
    /// </summary>
    public virtual IReadOnlyList<string> StateNames => [];

    /// <summary>State <paramref name="name"/> of parameter <paramref name="index"/> (the live array, not a copy), or null before that parameter's first step.</summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="StateNames"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The index is not a parameter's.</exception>
    public virtual NdArray<T>? GetState(string name, int index) => throw UnknownState(name, index);

    /// <summary>Replaces state <paramref name="name"/> of parameter <paramref name="index"/> with <paramref name="value"/> (kept, not copied), or clears it with null.</summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="StateNames"/>, or the value's shape is wrong for it.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The index is not a parameter's.</exception>
    public virtual void SetState(string name, int index, NdArray<T>? value) => throw UnknownState(name, index);

    /// <summary>Returns <paramref name="index"/> if it is a parameter's.</summary>
    private protected int CheckIndex(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_parameters.Length, nameof(index));
        return index;
    }

    /// <summary>Checks a state's index and that <paramref name="value"/> (when not null) has <paramref name="shape"/>; returns the value.</summary>
    private protected NdArray<T>? CheckState(string name, int index, NdArray<T>? value, ReadOnlySpan<int> shape)
    {
        CheckIndex(index);
        if (value is not null && !Shapes.SameShape(value.Shape, shape))
        {
            throw new ArgumentException(
                $"{GetType().Name.Split('`')[0]}.SetState: state '{name}' of parameter {index} must have shape {ShapeText.Of(shape)}, not {ShapeText.Of(value.Shape)}.", nameof(value));
        }
        return value;
    }

    private ArgumentException UnknownState(string name, int index)
    {
        CheckIndex(index);
        var known = StateNames.Count == 0 ? "none" : string.Join(", ", StateNames);
        return new ArgumentException($"{GetType().Name.Split('`')[0]}: there is no state '{name}' (this optimizer keeps: {known}).", nameof(name));
    }

    /// <summary>Updates every parameter that has a gradient, in place.</summary>
    public void Step()
    {
        using (Variable.NoGrad())
        {
            StepCount++;
            for (var i = 0; i < _parameters.Length; i++)
            {
                var gradient = _parameters[i].Grad;
                if (gradient is not null)
                    Update(i, _parameters[i].Value, gradient);
            }
        }
    }

    /// <summary>
    /// Clears every parameter's gradient, so the next backward starts from zero, keeping the arrays for
    /// the next pass to write into; see <see cref="Variable{T}.ZeroGrad"/> for <paramref name="setToNone"/>.
    /// </summary>
    public void ZeroGrad(bool setToNone = true)
    {
        foreach (var parameter in _parameters)
            parameter.ZeroGrad(setToNone);
    }

    /// <summary>Updates parameter <paramref name="index"/>'s <paramref name="value"/> in place from its <paramref name="gradient"/>.</summary>
    protected abstract void Update(int index, NdArray<T> value, NdArray<T> gradient);

    /// <summary>
    /// <paramref name="destination"/> += <paramref name="scale"/> * <paramref name="x"/> (same shapes), in
    /// one fused pass without a temporary when both are contiguous.
    /// </summary>
    private protected static void AddScaled(NdArray<T> destination, NdArray<T> x, double scale)
    {
        if (destination.IsContiguous && x.IsContiguous)
        {
            var span = destination.AsSpan();
            TensorPrimitives.MultiplyAdd(x.AsReadOnlySpan(), T.CreateChecked(scale), span, span);
        }
        else
        {
            NdArray.AddInPlace(destination, NdArray.Multiply(x, T.CreateChecked(scale)));
        }
    }

    /// <summary>Throws unless <paramref name="value"/> is finite and at least <paramref name="minimum"/> (and below <paramref name="below"/> when given).</summary>
    private protected static void CheckHyperparameter(string optimizer, string name, double value, double minimum, double below = double.PositiveInfinity)
    {
        if (!(double.IsFinite(value) && value >= minimum && value < below))
        {
            var range = double.IsPositiveInfinity(below) ? $"at least {minimum}" : $"in [{minimum}, {below})";
            throw new ArgumentOutOfRangeException(name, value, $"{optimizer}: {name} is {value}; it must be finite and {range}.");
        }
    }
}
