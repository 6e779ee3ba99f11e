using System.Numerics;

namespace Autograd;

/// <summary>Creates variables and controls recording: the seed's <c>variable</c> and <c>isvariable</c>.</summary>
public static class Variable
{
    /// <summary>A leaf variable holding <paramref name="value"/> (not copied), optionally named.</summary>
    public static Variable<T> Create<T>(NdArray<T> value, string? name = null, bool requiresGrad = true)
        where T : unmanaged, IFloatingPointIeee754<T> => new(value, name, requiresGrad);

    /// <summary>A leaf variable holding <paramref name="value"/> (not copied), optionally named.</summary>
    public static Variable<T> ToVariable<T>(this NdArray<T> value, string? name = null, bool requiresGrad = true)
        where T : unmanaged, IFloatingPointIeee754<T> => new(value, name, requiresGrad);

    /// <summary>True when <paramref name="value"/> is a <see cref="Variable{T}"/> of any element type.</summary>
    public static bool IsVariable(object? value) => value is IVariable;

    /// <summary>
    /// A scope in which ops record nothing and return untracked results, for this thread and async
    /// flow only: <c>using (Variable.NoGrad()) { … }</c>.
    /// </summary>
    public static GradMode.NoGradScope NoGrad() => GradMode.Suspend();
}
