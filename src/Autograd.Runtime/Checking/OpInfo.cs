namespace Autograd.Registry;

/// <summary>
/// One <see cref="DifferentiableOpAttribute"/> op as listed by the generated registry
/// (<c>&lt;AssemblyName&gt;.DifferentiableOpRegistry.All</c>): its name, where it is declared, how many
/// array inputs it has, and, when the op can be called with only its array inputs (every other
/// parameter has a default), invokers over tracked inputs for each element type it supports.
/// </summary>
public sealed class OpInfo
{
    private readonly Func<Variable<double>[], Variable<double>>? _invokeDouble;
    private readonly Func<Variable<float>[], Variable<float>>? _invokeSingle;

    /// <summary>Made by generated code.</summary>
    /// <param name="name">The op's name (the attribute's <c>Name</c>, else the method's).</param>
    /// <param name="declaringTypeName">The containing type's full name.</param>
    /// <param name="methodName">The forward method's name.</param>
    /// <param name="inputCount">How many array inputs the op has.</param>
    /// <param name="invokeDouble">Calls the op on <c>double</c> variables, or null.</param>
    /// <param name="invokeSingle">Calls the op on <c>float</c> variables, or null.</param>
    /// <param name="isDifferentiableTwice">True when the op has a recorded backward.</param>
    public OpInfo(
        string name,
        string declaringTypeName,
        string methodName,
        int inputCount,
        Func<Variable<double>[], Variable<double>>? invokeDouble,
        Func<Variable<float>[], Variable<float>>? invokeSingle,
        bool isDifferentiableTwice = false)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(declaringTypeName);
        ArgumentNullException.ThrowIfNull(methodName);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputCount);
        Name = name;
        DeclaringTypeName = declaringTypeName;
        MethodName = methodName;
        InputCount = inputCount;
        _invokeDouble = invokeDouble;
        _invokeSingle = invokeSingle;
        IsDifferentiableTwice = isDifferentiableTwice;
    }

    /// <summary>True when the op has a recorded backward, so its gradients can be differentiated again (the registry check then also checks second derivatives).</summary>
    public bool IsDifferentiableTwice { get; }

    /// <summary>The op's name, as in messages and graph export.</summary>
    public string Name { get; }

    /// <summary>The full name of the type that declares the op.</summary>
    public string DeclaringTypeName { get; }

    /// <summary>The forward method's name.</summary>
    public string MethodName { get; }

    /// <summary>How many array (differentiable) inputs the op takes; a variadic input (<c>NdArray&lt;T&gt;[]</c>) counts as the two elements the invoker passes it.</summary>
    public int InputCount { get; }

    /// <summary>True when <see cref="Invoke(Variable{double}[])"/> works: the op is generic or written for <c>double</c>, reachable, and needs no non-array argument.</summary>
    public bool SupportsDouble => _invokeDouble is not null;

    /// <summary>True when <see cref="Invoke(Variable{float}[])"/> works.</summary>
    public bool SupportsSingle => _invokeSingle is not null;

    /// <summary>Calls the op's tracked overload on <paramref name="inputs"/> (one per array input, in order), non-array parameters at their defaults.</summary>
    /// <exception cref="NotSupportedException">The op cannot be called this way (see <see cref="SupportsDouble"/>).</exception>
    /// <exception cref="ArgumentException">The number of inputs is not <see cref="InputCount"/>.</exception>
    public Variable<double> Invoke(params Variable<double>[] inputs) => Invoke(_invokeDouble, inputs, "double");

    /// <summary>Calls the op's tracked overload on <paramref name="inputs"/> (one per array input, in order), non-array parameters at their defaults.</summary>
    /// <exception cref="NotSupportedException">The op cannot be called this way (see <see cref="SupportsSingle"/>).</exception>
    /// <exception cref="ArgumentException">The number of inputs is not <see cref="InputCount"/>.</exception>
    public Variable<float> Invoke(params Variable<float>[] inputs) => Invoke(_invokeSingle, inputs, "float");

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({DeclaringTypeName}.{MethodName}, {InputCount} input{(InputCount == 1 ? "" : "s")})";

    private Variable<T> Invoke<T>(Func<Variable<T>[], Variable<T>>? invoke, Variable<T>[] inputs, string element)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (invoke is null)
        {
            throw new NotSupportedException(
                $"Op '{Name}' ({DeclaringTypeName}.{MethodName}) cannot be invoked on {element} from the registry: it is not generic or written for {element}, " +
                "is not accessible from its assembly, or has a non-array parameter without a default.");
        }
        if (inputs.Length != InputCount)
            throw new ArgumentException($"Op '{Name}' takes {InputCount} array input(s) but {inputs.Length} were given.", nameof(inputs));
        return invoke(inputs);
    }
}
