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
    public string? RecordedAt => AnomalyMode.CallSiteOf(this);

    /// <summary>The variable passed as array input <paramref name="index"/>, or null where a constant was passed.</summary>
    public abstract Variable<T>? GetInput(int index);

    /// <summary>
    /// Runs the op's backward for <paramref name="outputGradient"/>, accumulating into the inputs'
    /// slots, which <paramref name="pass"/> hands out with <see cref="BackwardPass{T}.Slot"/>.
    /// </summary>
    protected abstract void Backward(NdArray<T> outputGradient, BackwardPass<T> pass);

    /// <summary>Drops the references to saved inputs, outputs and state.</summary>
    protected abstract void ReleaseSavedState();

    /// <summary>True when the op's backward can be recorded (<see cref="BackwardGraph"/>), so its gradients can be differentiated again.</summary>
    public virtual bool IsDifferentiableTwice => false;

    /// <summary>
    /// The op's backward computed with recorded ops, for a pass that creates a graph: it receives
    /// the output gradient and the output as variables and accumulates variables into the slots.
    /// An op without one is first-order only, and a pass with <c>createGraph: true</c> through it throws.
    /// </summary>
    protected virtual void BackwardGraph(Variable<T> outputGradient, Variable<T> output, BackwardPass<T> pass) =>
        throw new NotSupportedException(
            $"Backward(createGraph: true): op '{OpName}' is first-order only: its backward computes on arrays and cannot be recorded, " +
            "so its gradient cannot be differentiated again. Give the op a backward written with Variable<T> (see the README's higher-order section).");

    internal void RunBackward(NdArray<T> outputGradient, BackwardPass<T> pass)
    {
        ThrowIfReleased();
        Backward(outputGradient, pass);
    }

    private void ThrowIfReleased()
    {
        if (IsReleased)
        {
            throw new InvalidOperationException(
                $"Backward: the graph through op '{OpName}' was freed by an earlier Backward(retainGraph: false); " +
                "pass retainGraph: true (the default) to that call to backpropagate through the graph again.");
        }
    }

    internal void RunBackwardGraph(Variable<T> outputGradient, Variable<T> output, BackwardPass<T> pass)
    {
        ThrowIfReleased();
        BackwardGraph(outputGradient, output, pass);
    }

    internal void Release()
    {
        ReleaseSavedState();
        IsReleased = true;
    }
}
