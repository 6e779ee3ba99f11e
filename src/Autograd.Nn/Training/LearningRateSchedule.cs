namespace Autograd.Nn;

/// <summary>
/// A learning-rate schedule: the factor the base learning rate is multiplied by at each step (0, 1, …).
/// Combine with <see cref="LearningRateScheduler{T}"/> to drive an optimizer, or read <see cref="Factor"/> directly.
/// </summary>
/// <param name="factor">The factor at a step; the step is never negative.</param>
public sealed class LearningRateSchedule(Func<int, double> factor)
{
    private readonly Func<int, double> _factor = factor ?? throw new ArgumentNullException(nameof(factor));

    /// <summary>The factor at <paramref name="step"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The step is negative.</exception>
    public double Factor(int step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return _factor(step);
    }

    /// <summary>Multiplied by <paramref name="gamma"/> every <paramref name="stepSize"/> steps: gamma^⌊step / stepSize⌋ (PyTorch's <c>StepLR</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The step size is below 1 or gamma is negative.</exception>
    public static LearningRateSchedule Step(int stepSize, double gamma = 0.1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stepSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(gamma);
        return new(step => Math.Pow(gamma, step / stepSize));
    }

    /// <summary>
    /// Half a cosine from 1 down to <paramref name="minimumFactor"/> over <paramref name="totalSteps"/>, then flat:
    /// m + (1 − m)(1 + cos(π·min(step, total) / total)) / 2 (PyTorch's <c>CosineAnnealingLR</c> with η_min = m·base).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The total is below 1 or the minimum factor is outside [0, 1].</exception>
    public static LearningRateSchedule Cosine(int totalSteps, double minimumFactor = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        if (!(minimumFactor >= 0 && minimumFactor <= 1))
            throw new ArgumentOutOfRangeException(nameof(minimumFactor), minimumFactor, "LearningRateSchedule.Cosine: the minimum factor must lie in [0, 1].");
        return new(step => minimumFactor + (1 - minimumFactor) * (1 + Math.Cos(Math.PI * Math.Min(step, totalSteps) / totalSteps)) / 2);
    }

    /// <summary>
    /// A linear ramp from <paramref name="startFactor"/> to 1 over <paramref name="warmupSteps"/> steps, then
    /// <paramref name="then"/> (counted from the end of the warm-up) or a constant 1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The warm-up is below 1 step or the start factor is outside [0, 1].</exception>
    public static LearningRateSchedule LinearWarmup(int warmupSteps, LearningRateSchedule? then = null, double startFactor = 0.1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(warmupSteps, 1);
        if (!(startFactor >= 0 && startFactor <= 1))
            throw new ArgumentOutOfRangeException(nameof(startFactor), startFactor, "LearningRateSchedule.LinearWarmup: the start factor must lie in [0, 1].");
        return new(step => step < warmupSteps
            ? startFactor + (1 - startFactor) * step / warmupSteps
            : then?.Factor(step - warmupSteps) ?? 1);
    }
}
