namespace Autograd;

/// <summary>
/// Marks a static forward method as a differentiable op. The Autograd source generator pairs it with
/// its backward (found as <c>&lt;Method&gt;Backward</c>, or named by <see cref="Backward"/>) and adds
/// overloads that take <see cref="Variable{T}"/> in any array position, record a graph node and
/// route gradients. The containing type must be <c>partial</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class DifferentiableOpAttribute : Attribute
{
    /// <summary>The op's name in error messages and graph export; the method's name when not set.</summary>
    public string? Name { get; set; }

    /// <summary>The backward method's name, for one not called <c>&lt;Method&gt;Backward</c>.</summary>
    public string? Backward { get; set; }
}
