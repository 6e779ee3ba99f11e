using System.Numerics;

namespace Autograd.Engine;

/// <summary>
/// One recorded op application: knows its inputs and runs the op's backward. The generator writes
/// one sealed subclass per <see cref="DifferentiableOpAttribute"/> op, holding the inputs and
/// whatever the backward needs as plain fields (arrays as <see cref="SavedArray{T}"/>, so a stale
/// one is caught).
/// </summary>
public abstract class Node<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The op's name, for messages and graph export.</summary>
    public abstract string OpName { get; }

    /// <summary>How many array inputs the op has, tracked or not.</summary>
    public abstract int InputCount { get; }

    /// <summary>True once a <c>Backward(retainGraph: false)</c> freed what the op saved.</summary>
    public bool IsReleased { get; private set; }

    /// <summary>Where user code called the op, when it was recorded under <see cref="Variable.DetectAnomaly"/>; else null.</summary>
    public string? RecordedAt { get; internal set; }

    /// <summary>The variable passed as array input <paramref name="index"/>, or null where a constant was passed.</summary>
    public abstract Variable<T>? GetInput(int index);

    /// <summary>
    /// Runs the op's backward for <paramref name="outputGradient"/>, accumulating into the inputs'
    /// slots, which <paramref name="pass"/> hands out with <see cref="BackwardPass{T}.Slot"/>.
    /// </summary>
    protected abstract void Backward(NdArray<T> outputGradient, BackwardPass<T> pass);

    /// <summary>Drops the references to saved inputs, outputs and state.</summary>
    protected abstract void ReleaseSavedState();

    internal void RunBackward(NdArray<T> outputGradient, BackwardPass<T> pass)
    {
        if (IsReleased)
        {
            throw new InvalidOperationException(
                $"Backward: the graph through op '{OpName}' was freed by an earlier Backward(retainGraph: false); " +
                "pass retainGraph: true (the default) to that call to backpropagate through the graph again.");
        }
        Backward(outputGradient, pass);
    }

    internal void Release()
    {
        ReleaseSavedState();
        IsReleased = true;
    }
}
