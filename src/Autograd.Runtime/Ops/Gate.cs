using System.Numerics;

namespace Autograd;

// The recorded form of a gated product (OpKernels.Gate): what the recorded backwards of piecewise ops
// (relu, abs, maximum, max, dropout, ...) multiply the output gradient by, with their mask a constant.
public static partial class Ops
{
    /// <summary>
    /// x * factor, broadcast, except that where the factor is 0 the result is exactly 0, even where x is
    /// infinite or NaN (the gradient through a branch not taken); gradient Gate(dy, factor) to x and
    /// Gate(dy, x) to the factor.
    /// </summary>
    [DifferentiableOp(DifferentiableTwice = true)]
    internal static NdArray<T> Gate<T>(NdArray<T> x, NdArray<T> factor)
        where T : unmanaged, IFloatingPointIeee754<T> => OpKernels.Gate(x, factor, nameof(Gate));

    // x is saved only for dfactor and factor only for dx (a constant mask: x is then not kept); WriteGated reads neither unless its slot is needed.
    static void GateBackward<T>(NdArray<T> dy, [SavedFor(nameof(dfactor))] NdArray<T>? x, [SavedFor(nameof(dx))] NdArray<T>? factor, GradSlot<T> dx, GradSlot<T> dfactor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        OpKernels.WriteGated(dx, dy, factor!, nameof(Gate));
        OpKernels.WriteGated(dfactor, dy, x!, nameof(Gate));
    }

    static void GateBackward<T>(Variable<T> dy, Variable<T>? x, Variable<T>? factor, GradSlot<T> dx, GradSlot<T> dfactor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dx.IsNeeded)
            dx.Accumulate(Gate(dy, factor!));
        if (dfactor.IsNeeded)
            dfactor.Accumulate(Gate(dy, x!));
    }
}
