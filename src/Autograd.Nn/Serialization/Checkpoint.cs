using System.Globalization;
using System.Numerics;
using Autograd.Optimizers;

namespace Autograd.Nn;

/// <summary>
/// Saves a module's parameters, and optionally an optimizer's state, as one safetensors file, and loads
/// them back. Parameters are stored under their dotted names (<c>"0.weight"</c>), as PyTorch's
/// <c>save_file(model.state_dict())</c> does, so weights move between the two. Optimizer state is stored as
/// <c>"optimizer.&lt;parameter&gt;.&lt;state&gt;"</c> (e.g. <c>optimizer.0.weight.exp_avg</c>) with the
/// optimizer's type and step count in the metadata. Loading checks the whole file against the model
/// before changing anything: a load either succeeds entirely or leaves model and optimizer untouched.
/// </summary>
public static class Checkpoint
{
    private const string OptimizerPrefix = "optimizer.";
    private const string OptimizerTypeKey = "optimizer";
    private const string StepCountKey = "optimizer.step_count";

    /// <summary>Writes <paramref name="module"/>'s parameters (and <paramref name="optimizer"/>'s state) to <paramref name="path"/>, through a temporary file so a crash never leaves half a file.</summary>
    /// <exception cref="ArgumentException">The optimizer updates a variable that is not one of the module's parameters.</exception>
    public static void Save<T>(string path, Module<T> module, Optimizer<T>? optimizer = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(module);
        var tensors = module.NamedParameters().Select(p => new KeyValuePair<string, NdArray<T>>(p.Key, p.Value.Value)).ToList();
        Dictionary<string, string>? metadata = null;
        if (optimizer is not null)
        {
            var names = OptimizerParameterNames(module, optimizer, "Checkpoint.Save");
            metadata = new() { [OptimizerTypeKey] = OptimizerType(optimizer), [StepCountKey] = optimizer.StepCount.ToString(CultureInfo.InvariantCulture) };
            for (var i = 0; i < names.Length; i++)
            {
                foreach (var state in optimizer.StateNames)
                {
                    if (optimizer.GetState(state, i) is { } value)
                        tensors.Add(new(OptimizerPrefix + names[i] + "." + state, value));
                }
            }
        }
        var temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
            SafeTensors.Write(stream, tensors, metadata);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// Loads <paramref name="path"/> into <paramref name="module"/> (and <paramref name="optimizer"/>):
    /// every parameter must be in the file with the module's dtype and shape, and the file may hold
    /// nothing else but optimizer state, which is loaded into <paramref name="optimizer"/> when given
    /// (it must be the same kind) and skipped otherwise.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is malformed, or does not match the model (a missing, extra, wrongly typed or wrongly shaped tensor), or the optimizer's.</exception>
    public static void Load<T>(string path, Module<T> module, Optimizer<T>? optimizer = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        Load(SafeTensorsFile.Load(path), module, optimizer);
    }

    /// <inheritdoc cref="Load{T}(string, Module{T}, Optimizer{T})"/>
    public static void Load<T>(SafeTensorsFile file, Module<T> module, Optimizer<T>? optimizer = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(module);
        var expected = new HashSet<string>(StringComparer.Ordinal);

        // Read everything into copies first; nothing in the model changes until all of it checks out.
        var parameters = module.NamedParameters().ToList();
        var values = parameters.Select(p => Read<T>(file, p.Key, p.Value.Value.Shape, expected, required: true)!).ToList();

        var states = new List<(string Tensor, string State, int Index, NdArray<T>? Value)>();
        var stepCount = 0;
        if (optimizer is not null)
        {
            var names = OptimizerParameterNames(module, optimizer, "Checkpoint.Load");
            if (!file.Metadata.TryGetValue(OptimizerTypeKey, out var type) || type != OptimizerType(optimizer))
                throw SafeTensors.Invalid($"the file holds no state of a {OptimizerType(optimizer)} optimizer (its metadata says '{type ?? "no optimizer"}')");
            if (!file.Metadata.TryGetValue(StepCountKey, out var count) || !int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out stepCount))
                throw SafeTensors.Invalid($"the metadata's {StepCountKey} is '{count}', not a whole number");
            for (var i = 0; i < names.Length; i++)
            {
                foreach (var state in optimizer.StateNames)
                {
                    // The optimizer checks the shape when the state is set (and may not hold one yet to compare with).
                    var tensor = OptimizerPrefix + names[i] + "." + state;
                    var shape = file.Entries.FirstOrDefault(e => e.Name == tensor)?.Shape ?? [];
                    states.Add((tensor, state, i, Read<T>(file, tensor, shape, expected, required: false)));
                }
            }
        }
        // Without an optimizer, saved optimizer state is skipped: weights load for inference alone.
        var skipOptimizerState = optimizer is null && file.Metadata.ContainsKey(OptimizerTypeKey);
        var extra = file.Entries.FirstOrDefault(e => !expected.Contains(e.Name) && !(skipOptimizerState && e.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal)));
        if (extra is not null)
            throw SafeTensors.Invalid($"the file holds tensor '{extra.Name}', which is no parameter of the model{(optimizer is null ? "" : " nor state of its optimizer")}");

        // Commit: the optimizer first, put back as it was if it refuses a value; then the parameters, which cannot fail.
        if (optimizer is not null)
            CommitOptimizer(optimizer, states, stepCount);
        using (Variable.NoGrad())
        {
            for (var i = 0; i < parameters.Count; i++)
                NdArray.Copy(values[i], parameters[i].Value.Value);
        }
    }

    private static NdArray<T>? Read<T>(SafeTensorsFile file, string name, ReadOnlySpan<int> shape, HashSet<string> expected, bool required)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        expected.Add(name);
        var entry = file.Entries.FirstOrDefault(e => e.Name == name);
        if (entry is null)
            return required ? throw SafeTensors.Invalid($"the file has no tensor '{name}', which the model needs") : null;
        var dtype = SafeTensors.DTypeOf<T>();
        if (entry.DType != dtype)
            throw SafeTensors.Invalid($"tensor '{name}' has dtype {entry.DType} but the model's is {dtype} ({typeof(T).Name})");
        if (!entry.Shape.AsSpan().SequenceEqual(shape))
            throw SafeTensors.Invalid($"tensor '{name}' has shape {ShapeFormat.Of(entry.Shape)} but the model's is {ShapeFormat.Of(shape)}");
        return file.GetTensor<T>(name);
    }

    private static void CommitOptimizer<T>(Optimizer<T> optimizer, List<(string Tensor, string State, int Index, NdArray<T>? Value)> states, int stepCount)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var previous = states.Select(s => (s.State, s.Index, Value: optimizer.GetState(s.State, s.Index))).ToList();
        var tensor = "";
        try
        {
            foreach (var (name, state, index, value) in states)
            {
                tensor = name;
                optimizer.SetState(state, index, value);
            }
        }
        catch (ArgumentException error)
        {
            foreach (var (state, index, value) in previous)
                optimizer.SetState(state, index, value);
            throw SafeTensors.Invalid($"tensor '{tensor}' does not fit the optimizer: {error.Message}");
        }
        optimizer.StepCount = stepCount;
    }

    private static string[] OptimizerParameterNames<T>(Module<T> module, Optimizer<T> optimizer, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var names = new Dictionary<Variable<T>, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, parameter) in module.NamedParameters())
            names[parameter] = name;
        return [.. optimizer.Parameters.Select((p, i) => names.TryGetValue(p, out var name)
            ? name
            : throw new ArgumentException($"{operation}: the optimizer's parameter {i}{(p.Name is null ? "" : $" ('{p.Name}')")} is not a parameter of the module, so its state has no name to be saved under.", nameof(optimizer)))];
    }

    private static string OptimizerType<T>(Optimizer<T> optimizer)
        where T : unmanaged, IFloatingPointIeee754<T> => optimizer.GetType().Name.Split('`')[0];
}
