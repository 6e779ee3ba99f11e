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
        var g = gradient;
        if (WeightDecay != 0)
        {
            if (DecoupledWeightDecay)
                NdArray.MultiplyInPlace(value, NdArray.Scalar(T.CreateChecked(1 - LearningRate * WeightDecay)));
            else
                g = NdArray.Add(gradient, NdArray.Multiply(value, T.CreateChecked(WeightDecay)));
        }
        var t = ++_steps[index];
        var m = _firstMoment[index] ??= NdArray.Zeros<T>(value.Shape.ToArray());
        var v = _secondMoment[index] ??= NdArray.Zeros<T>(value.Shape.ToArray());
        NdArray.MultiplyInPlace(m, NdArray.Scalar(T.CreateChecked(Beta1)));
        NdArray.AddInPlace(m, NdArray.Multiply(g, T.CreateChecked(1 - Beta1)));
        NdArray.MultiplyInPlace(v, NdArray.Scalar(T.CreateChecked(Beta2)));
        NdArray.AddInPlace(v, NdArray.Multiply(NdArray.Multiply(g, g), T.CreateChecked(1 - Beta2)));

        var firstCorrection = 1 - Math.Pow(Beta1, t);
        var secondCorrection = 1 - Math.Pow(Beta2, t);
        var denominator = NdArray.SqrtInPlace(NdArray.Divide(v, T.CreateChecked(secondCorrection)));
        NdArray.AddInPlace(denominator, NdArray.Scalar(T.CreateChecked(Epsilon)));
        var step = NdArray.DivideInPlace(NdArray.Multiply(m, T.CreateChecked(LearningRate / firstCorrection)), denominator);
        NdArray.SubtractInPlace(value, step);
    }
}
