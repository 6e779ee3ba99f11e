using System.Numerics;

namespace Autograd.Optimizers;

/// <summary>
/// Adam (Kingma and Ba), as PyTorch's: g = grad + weightDecay * p; m = β1 m + (1 - β1) g;
/// v = β2 v + (1 - β2) g²; p -= learningRate * (m / (1 - β1^t)) / (√(v / (1 - β2^t)) + ε), with t the
/// parameter's own step count. With <c>decoupledWeightDecay</c> (AdamW) the decay is applied to the
/// parameter instead, p *= 1 - learningRate * weightDecay, and not added to the gradient.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Adam<T> : Optimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly NdArray<T>?[] _firstMoment;
    private readonly NdArray<T>?[] _secondMoment;
    private readonly int[] _steps;
    private double _learningRate;

    /// <summary>An Adam optimizer over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">Leaf variables to update.</param>
    /// <param name="learningRate">The step size, ≥ 0.</param>
    /// <param name="beta1">The first moment's decay, in [0, 1).</param>
    /// <param name="beta2">The second moment's decay, in [0, 1).</param>
    /// <param name="epsilon">Added to the denominator for stability, ≥ 0.</param>
    /// <param name="weightDecay">The weight decay coefficient, ≥ 0.</param>
    /// <param name="decoupledWeightDecay">True for AdamW: decay the parameter directly instead of adding an L2 term to the gradient.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is out of range.</exception>
    public Adam(
        IEnumerable<Variable<T>> parameters,
        double learningRate = 1e-3,
        double beta1 = 0.9,
        double beta2 = 0.999,
        double epsilon = 1e-8,
        double weightDecay = 0,
        bool decoupledWeightDecay = false)
        : base(parameters, "Adam")
    {
        CheckHyperparameter("Adam", nameof(learningRate), learningRate, 0);
        CheckHyperparameter("Adam", nameof(beta1), beta1, 0, 1);
        CheckHyperparameter("Adam", nameof(beta2), beta2, 0, 1);
        CheckHyperparameter("Adam", nameof(epsilon), epsilon, 0);
        CheckHyperparameter("Adam", nameof(weightDecay), weightDecay, 0);
        LearningRate = learningRate;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        DecoupledWeightDecay = decoupledWeightDecay;
        _firstMoment = new NdArray<T>?[Parameters.Count];
        _secondMoment = new NdArray<T>?[Parameters.Count];
        _steps = new int[Parameters.Count];
    }

    /// <inheritdoc />
    public override double LearningRate
    {
        get => _learningRate;
        set
        {
            CheckHyperparameter("Adam", "learningRate", value, 0);
            _learningRate = value;
        }
    }

    /// <summary>The first moment's decay β1.</summary>
    public double Beta1 { get; }

    /// <summary>The second moment's decay β2.</summary>
    public double Beta2 { get; }

    /// <summary>The denominator's ε.</summary>
    public double Epsilon { get; }

    /// <summary>The weight decay coefficient.</summary>
    public double WeightDecay { get; }

    /// <summary>True for AdamW's decoupled decay.</summary>
    public bool DecoupledWeightDecay { get; }

    /// <summary>
    /// <c>exp_avg</c> (m) and <c>exp_avg_sq</c> (v), of the parameter's shape, and <c>step</c> (the
    /// parameter's own step count t, as a 0-D array), as PyTorch's Adam keeps them.
    /// </summary>
    public override IReadOnlyList<string> StateNames => [ExpAvg, ExpAvgSq, StepName];

    /// <inheritdoc />
    public override NdArray<T>? GetState(string name, int index) => name switch
    {
        ExpAvg => _firstMoment[CheckIndex(index)],
        ExpAvgSq => _secondMoment[CheckIndex(index)],
        StepName => _steps[CheckIndex(index)] == 0 ? null : NdArray.Scalar(T.CreateChecked(_steps[index])),
        _ => base.GetState(name, index),
    };

    /// <inheritdoc />
    public override void SetState(string name, int index, NdArray<T>? value)
    {
        switch (name)
        {
            case ExpAvg:
                _firstMoment[CheckIndex(index)] = CheckState(name, index, value, Parameters[index].Value.Shape);
                break;
            case ExpAvgSq:
                _secondMoment[CheckIndex(index)] = CheckState(name, index, value, Parameters[index].Value.Shape);
                break;
            case StepName:
                var step = CheckState(name, index, value, []) is { } scalar ? double.CreateChecked(scalar.ToScalar()) : 0;
                if (!(step >= 0 && step <= int.MaxValue && step == Math.Floor(step)))
                    throw new ArgumentException($"Adam.SetState: state 'step' of parameter {index} must be a whole number ≥ 0, not {step}.", nameof(value));
                _steps[index] = (int)step;
                break;
            default:
                base.SetState(name, index, value);
                break;
        }
    }

    private const string ExpAvg = "exp_avg";
    private const string ExpAvgSq = "exp_avg_sq";
    private const string StepName = "step";

    /// <inheritdoc />
    protected override void Update(int index, NdArray<T> value, NdArray<T> gradient)
    {
        if (WeightDecay != 0 && DecoupledWeightDecay)
            NdArray.MultiplyInPlace(value, NdArray.Scalar(T.CreateChecked(1 - LearningRate * WeightDecay)));
        var t = ++_steps[index];
        var m = _firstMoment[index] = Contiguous(_firstMoment[index], value);
        var v = _secondMoment[index] = Contiguous(_secondMoment[index], value);
        var p = value.IsContiguous ? value : value.Clone();
        var constants = new Constants(
            Beta1, Beta2, DecoupledWeightDecay ? 0 : WeightDecay, LearningRate / (1 - Math.Pow(Beta1, t)), 1 - Math.Pow(Beta2, t), Epsilon);
        Update(p.AsSpan(), (gradient.IsContiguous ? gradient : gradient.Clone()).AsReadOnlySpan(), m.AsSpan(), v.AsSpan(), constants);
        if (!ReferenceEquals(p, value))
            NdArray.Copy(p, value);
    }

    /// <summary><paramref name="state"/> as a contiguous array of the parameter's shape (zeros before the first step).</summary>
    private static NdArray<T> Contiguous(NdArray<T>? state, NdArray<T> value) =>
        state is null ? NdArray.Zeros<T>(value.Shape.ToArray()) : state.IsContiguous ? state : state.Clone();

    /// <summary>The step's scalars: the decays, the L2 coefficient (0 when decoupled), lr / (1 - β1^t), 1 - β2^t and ε.</summary>
    private readonly record struct Constants(double Beta1, double Beta2, double L2, double StepSize, double SecondCorrection, double Epsilon);

    /// <summary>
    /// One pass over the elements, without temporaries: g += L2 p; m = β1 m + (1 - β1) g; v = β2 v + (1 - β2) g²;
    /// p -= stepSize m / (√(v / secondCorrection) + ε). Vectors first, then the tail, the same arithmetic in each.
    /// </summary>
    private static void Update(Span<T> p, ReadOnlySpan<T> g, Span<T> m, Span<T> v, Constants c)
    {
        var (beta1, beta2, l2) = (T.CreateChecked(c.Beta1), T.CreateChecked(c.Beta2), T.CreateChecked(c.L2));
        var (keep1, keep2) = (T.CreateChecked(1 - c.Beta1), T.CreateChecked(1 - c.Beta2));
        var (stepSize, correction, epsilon) = (T.CreateChecked(c.StepSize), T.CreateChecked(c.SecondCorrection), T.CreateChecked(c.Epsilon));
        var i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            for (; i <= p.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var parameter = new Vector<T>(p[i..]);
                var gi = new Vector<T>(g[i..]) + parameter * l2;
                var mi = new Vector<T>(m[i..]) * beta1 + gi * keep1;
                var vi = new Vector<T>(v[i..]) * beta2 + gi * gi * keep2;
                mi.CopyTo(m[i..]);
                vi.CopyTo(v[i..]);
                (parameter - mi * stepSize / (Vector.SquareRoot(vi / correction) + new Vector<T>(epsilon))).CopyTo(p[i..]);
            }
        }
        for (; i < p.Length; i++)
        {
            var gi = g[i] + p[i] * l2;
            m[i] = m[i] * beta1 + gi * keep1;
            v[i] = v[i] * beta2 + gi * gi * keep2;
            p[i] -= m[i] * stepSize / (T.Sqrt(v[i] / correction) + epsilon);
        }
    }
}
