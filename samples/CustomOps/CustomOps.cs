using System.Numerics;
using Autograd;

namespace CustomOps;

/// <summary>
/// Two ops a user might write: generic over the element type, with non-array parameters that have
/// defaults, and a backward that reuses the forward's output and the state it saved.
/// </summary>
public static partial class MyOps
{
    /// <summary>x divided by its L2 norm along <paramref name="axis"/>; the norms are saved for backward.</summary>
    [DifferentiableOp(Name = "l2-normalize")]
    public static NdArray<T> L2Normalize<T>(NdArray<T> x, int axis, out NdArray<T> norm)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        norm = NdArray.Sqrt(NdArray.Sum(NdArray.Multiply(x, x), [axis], keepDims: true));
        return NdArray.Divide(x, norm);
    }

    // With y = x / n: dx = (dy - y * sum(dy * y, axis)) / n. The norm and y come saved, not recomputed.
    private static void L2NormalizeBackward<T>(NdArray<T> dy, int axis, NdArray<T> norm, NdArray<T> output, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!dx.IsNeeded)
            return;
        var along = NdArray.Sum(NdArray.Multiply(dy, output), [axis], keepDims: true);
        dx.Accumulate(NdArray.Divide(NdArray.Subtract(dy, NdArray.Multiply(output, along)), norm));
    }

    /// <summary>x clamped to [<paramref name="min"/>, <paramref name="max"/>]; the gradient passes only where x is inside.</summary>
    [DifferentiableOp(Name = "clamp")]
    public static NdArray<T> Clamp<T>(NdArray<T> x, double min = -1, double max = 1)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        NdArray.Minimum(NdArray.Maximum(x, T.CreateChecked(min)), T.CreateChecked(max));

    private static void ClampBackward<T>(NdArray<T> dy, NdArray<T> x, double min, double max, GradSlot<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!dx.IsNeeded)
            return;
        var inside = x.Clone();
        var values = inside.AsSpan();
        for (var i = 0; i < values.Length; i++)
            values[i] = values[i] > T.CreateChecked(min) && values[i] < T.CreateChecked(max) ? T.One : T.Zero;
        dx.Accumulate(NdArray.Multiply(dy, inside));
    }
}
