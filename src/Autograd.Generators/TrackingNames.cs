namespace Autograd.Generators;

/// <summary>Names of the generator's pipeline steps, so tests can assert how each step ran.</summary>
internal static class TrackingNames
{
    /// <summary>Each [DifferentiableOp] method parsed to a model (null when the op is malformed).</summary>
    public const string Ops = nameof(Ops);

    /// <summary>The ops that parsed to a model.</summary>
    public const string ValidOps = nameof(ValidOps);

    /// <summary>The compilation's assembly name, which names the registry's namespace.</summary>
    public const string AssemblyName = nameof(AssemblyName);

    /// <summary>All valid ops of the compilation, for the registry.</summary>
    public const string Registry = nameof(Registry);
}
