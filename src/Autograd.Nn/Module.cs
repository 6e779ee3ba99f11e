using System.Numerics;

namespace Autograd.Nn;

/// <summary>
/// A part of a model: named parameters and named submodules, and a train/eval mode that reaches every
/// submodule. A module registers its parameters and submodules in its constructor with
/// <see cref="RegisterParameter"/> and <see cref="RegisterModule{TModule}"/>; the registration order is
/// the order of <see cref="Parameters"/> and of a saved checkpoint, and names join with dots
/// (<c>"0.weight"</c>, <c>"encoder.norm.bias"</c>) as in PyTorch's state dicts.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public abstract class Module<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<KeyValuePair<string, Variable<T>>> _parameters = [];
    private readonly List<KeyValuePair<string, Module<T>>> _modules = [];

    /// <summary>True in training mode (the default), false in evaluation mode; dropout acts only in training.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Every parameter of this module and its submodules, in registration order (what an optimizer takes).</summary>
    public IEnumerable<Variable<T>> Parameters() => NamedParameters().Select(p => p.Value);

    /// <summary>Every parameter with its dotted name: this module's own first, then each submodule's under its name.</summary>
    public IEnumerable<KeyValuePair<string, Variable<T>>> NamedParameters()
    {
        foreach (var parameter in _parameters)
            yield return parameter;
        foreach (var (prefix, module) in _modules)
        {
            foreach (var (name, parameter) in module.NamedParameters())
                yield return new(prefix + "." + name, parameter);
        }
    }

    /// <summary>The direct submodules with their names, in registration order.</summary>
    public IReadOnlyList<KeyValuePair<string, Module<T>>> Children => _modules;

    /// <summary>Sets training mode (<paramref name="training"/> true) or evaluation mode on this module and every submodule; returns this module.</summary>
    public Module<T> Train(bool training = true)
    {
        IsTraining = training;
        foreach (var (_, module) in _modules)
            module.Train(training);
        return this;
    }

    /// <summary>Sets evaluation mode on this module and every submodule (<c>Train(false)</c>); returns this module.</summary>
    public Module<T> Eval() => Train(false);

    /// <summary>Clears every parameter's gradient, keeping the arrays for reuse; see <see cref="Variable{T}.ZeroGrad"/> for <paramref name="setToNone"/>.</summary>
    public void ZeroGrad(bool setToNone = true)
    {
        foreach (var parameter in Parameters())
            parameter.ZeroGrad(setToNone);
    }

    /// <summary>Adds a parameter named <paramref name="name"/> holding <paramref name="value"/> (not copied) and returns its variable.</summary>
    /// <exception cref="ArgumentException">The name is empty, contains a dot, or is already taken in this module.</exception>
    protected Variable<T> RegisterParameter(string name, NdArray<T> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        CheckName(name);
        var parameter = Variable.Create(value, name);
        _parameters.Add(new(name, parameter));
        return parameter;
    }

    /// <summary>Adds <paramref name="module"/> as a submodule named <paramref name="name"/> and returns it.</summary>
    /// <exception cref="ArgumentException">The name is empty, contains a dot, or is already taken in this module.</exception>
    protected TModule RegisterModule<TModule>(string name, TModule module)
        where TModule : Module<T>
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckName(name);
        _modules.Add(new(name, module));
        return module;
    }

    private void CheckName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var owner = GetType().Name;
        if (name.Length == 0 || name.Contains('.', StringComparison.Ordinal))
            throw new ArgumentException($"{owner}: the name '{name}' must be non-empty and contain no dot (dots join the names of nested modules).", nameof(name));
        if (_parameters.Any(p => p.Key == name) || _modules.Any(m => m.Key == name))
            throw new ArgumentException($"{owner}: the name '{name}' is already used by a parameter or submodule of this module.", nameof(name));
    }
}

/// <summary>A module that maps one variable to another: what <see cref="Sequential{T}"/> chains.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public abstract class Layer<T> : Module<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Computes the layer's output, recording the graph when the input or a parameter is tracked.</summary>
    public abstract Variable<T> Forward(Variable<T> input);

    /// <summary>Runs <see cref="Forward(Variable{T})"/> on a constant input (gradients still reach the parameters).</summary>
    public Variable<T> Forward(NdArray<T> input) => Forward(Variable.Create(input, requiresGrad: false));
}
