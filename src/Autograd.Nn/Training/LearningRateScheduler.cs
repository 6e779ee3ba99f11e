using System.Numerics;
using Autograd.Optimizers;

namespace Autograd.Nn;

/// <summary>
/// Sets an optimizer's learning rate from a schedule: base · factor(step). The base is the optimizer's
/// learning rate when the scheduler is made; step 0's rate is set at once, and each <see cref="Step"/>
/// (call it after <c>optimizer.Step()</c>) moves to the next step's.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class LearningRateScheduler<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Optimizer<T> _optimizer;
    private readonly LearningRateSchedule _schedule;

    /// <summary>Drives <paramref name="optimizer"/> with <paramref name="schedule"/>.</summary>
    public LearningRateScheduler(Optimizer<T> optimizer, LearningRateSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(schedule);
        _optimizer = optimizer;
        _schedule = schedule;
        BaseLearningRate = optimizer.LearningRate;
        _optimizer.LearningRate = BaseLearningRate * _schedule.Factor(0);
    }

    /// <summary>The learning rate the factors multiply.</summary>
    public double BaseLearningRate { get; }

    /// <summary>The current step of the schedule (0 at first).</summary>
    public int StepCount { get; private set; }

    /// <summary>Advances one step and sets the optimizer's learning rate for it; returns that rate.</summary>
    public double Step()
    {
        StepCount++;
        return _optimizer.LearningRate = BaseLearningRate * _schedule.Factor(StepCount);
    }
}
