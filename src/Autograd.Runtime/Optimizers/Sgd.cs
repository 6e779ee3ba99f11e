using System.Numerics;

namespace Autograd.Optimizers;

/// <summary>
/// Stochastic gradient descent with optional momentum and L2 weight decay, as PyTorch's SGD:
/// g = grad + weightDecay * p; v = momentum * v + g (v = g on the first step); p -= learningRate * v
/// (with momentum 0, p -= learningRate * g).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Sgd<T> : Optimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly NdArray<T>?[] _velocity;
    private double _learningRate;

    /// <summary>An SGD optimizer over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">Leaf variables to update.</param>
    /// <param name="learningRate">The step size, ≥ 0.</param>
    /// <param name="momentum">The velocity's decay per step, in [0, 1).</param>
    /// <param name="weightDecay">The L2 penalty coefficient added to each gradient, ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is out of range.</exception>
    public Sgd(IEnumerable<Variable<T>> parameters, double learningRate, double momentum = 0, double weightDecay = 0)
        : base(parameters, "Sgd")
    {
        CheckHyperparameter("Sgd", nameof(learningRate), learningRate, 0);
        CheckHyperparameter("Sgd", nameof(momentum), momentum, 0, 1);
        CheckHyperparameter("Sgd", nameof(weightDecay), weightDecay, 0);
        LearningRate = learningRate;
        Momentum = momentum;
        WeightDecay = weightDecay;
        _velocity = new NdArray<T>?[Parameters.Count];
    }

    /// <inheritdoc />
    public override double LearningRate
    {
        get => _learningRate;
        set
        {
            CheckHyperparameter("Sgd", "learningRate", value, 0);
            _learningRate = value;
        }
    }

    /// <summary>The velocity's decay per step.</summary>
    public double Momentum { get; }

    /// <summary>The L2 penalty coefficient.</summary>
    public double WeightDecay { get; }

    /// <summary>With momentum, <c>momentum_buffer</c> (the velocity v); without, nothing.</summary>
    public override IReadOnlyList<string> StateNames => Momentum != 0 ? [MomentumBuffer] : [];

    /// <inheritdoc />
    public override NdArray<T>? GetState(string name, int index) =>
        StateNames.Contains(name) ? _velocity[CheckIndex(index)] : base.GetState(name, index);

    /// <inheritdoc />
    public override void SetState(string name, int index, NdArray<T>? value)
    {
        if (!StateNames.Contains(name))
            base.SetState(name, index, value);
        else
            _velocity[CheckIndex(index)] = CheckState(name, index, value, Parameters[index].Value.Shape);
    }

    private const string MomentumBuffer = "momentum_buffer";

    /// <inheritdoc />
    protected override void Update(int index, NdArray<T> value, NdArray<T> gradient)
    {
        if (Momentum == 0)
        {
            if (WeightDecay != 0)
                NdArray.MultiplyInPlace(value, NdArray.Scalar(T.CreateChecked(1 - LearningRate * WeightDecay))); // p -= lr * wd * p
            AddScaled(value, gradient, -LearningRate);
            return;
        }
        var velocity = _velocity[index];
        if (velocity is null)
        {
            velocity = _velocity[index] = gradient.Clone();
        }
        else
        {
            NdArray.MultiplyInPlace(velocity, NdArray.Scalar(T.CreateChecked(Momentum)));
            NdArray.AddInPlace(velocity, gradient);
        }
        if (WeightDecay != 0)
            AddScaled(velocity, value, WeightDecay);
        AddScaled(value, velocity, -LearningRate);
    }
}
