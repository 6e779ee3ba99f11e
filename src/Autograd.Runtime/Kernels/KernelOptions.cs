namespace Autograd.Kernels;

/// <summary>
/// Switches that make the kernels take a narrower path than the machine allows, so that tests can
/// reach every path on one machine. Production code never changes them.
/// </summary>
internal static class KernelOptions
{
    /// <summary>The widest vector the matmul kernel may use, in bits: 512, 256, 128, or 0 for scalar code.</summary>
    public static int MaxVectorBits { get; set; } = 512;

    /// <summary>When false, every kernel runs on the calling thread alone.</summary>
    public static bool Threading { get; set; } = true;

    /// <summary>How many threads a large kernel splits its work across.</summary>
    public static int Threads => Threading ? Environment.ProcessorCount : 1;
}
