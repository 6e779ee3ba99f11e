using static Autograd.Runtime.Tests.Ops.OpTestSupport;
using Op = Autograd.Ops;

namespace Autograd.Runtime.Tests.Ops;

/// <summary>Whole models checked end to end against finite differences.</summary>
public class CompositeTests
{
    private static void Check(Func<Variable<double>[], Variable<double>> function, params NdArray<double>[] inputs)
    {
        var result = GradCheck.Check(function, inputs);
        Assert.That(result.Passed, Is.True, result.ToString());
    }

    /// <summary>Two layers, tanh and leaky relu, bias broadcast over the batch, cross-entropy with integer labels.</summary>
    private static Variable<double> Mlp(Variable<double> x, Variable<double> w1, Variable<double> b1, Variable<double> w2, Variable<double> b2, int[] labels)
    {
        var hidden = Op.Tanh(Op.MatMul(x, w1) + b1);
        var logits = Op.LeakyRelu(Op.MatMul(hidden, w2), 0.1) + b2;
        return Op.CrossEntropy(logits, labels);
    }

    [Test]
    public void An_mlp_with_cross_entropy()
    {
        int[] labels = [0, 2, 1, 2, 0];
        Check(
            v => Mlp(v[0], v[1], v[2], v[3], v[4], labels),
            Uniform(1, -1, 1, 5, 4), Uniform(2, -1, 1, 4, 6), Uniform(3, -0.5, 0.5, 6), Uniform(4, -1, 1, 6, 3), Uniform(5, -0.5, 0.5, 3));
    }

    [Test]
    public void An_mlp_with_mse_sigmoid_softplus_and_dropout()
    {
        Check(
            v =>
            {
                var hidden = Op.Dropout(Op.Softplus(Op.MatMul(v[0], v[1])), 0.25, seed: 11);
                return Op.MeanSquaredError(Op.Sigmoid(Op.MatMul(hidden, v[2])), v[3]);
            },
            Uniform(6, -1, 1, 4, 3), Uniform(7, -1, 1, 3, 5), Uniform(8, -1, 1, 5, 2), Uniform(9, 0, 1, 4, 2));
    }

    /// <summary>Single-head attention over a batch: softmax(Q Kᵀ / √d) V, then a residual, a norm-like rescale and a mean.</summary>
    [Test]
    public void A_softmax_attention_block()
    {
        const int batch = 2, tokens = 3, model = 4;
        Check(
            v =>
            {
                var x = v[0];
                var q = Op.MatMul(x, v[1]);
                var k = Op.MatMul(x, v[2]);
                var values = Op.MatMul(x, v[3]);
                var scores = Op.MatMul(q, Op.Transpose(k, [0, 2, 1])) / Math.Sqrt(model);
                var attended = Op.MatMul(Op.Softmax(scores, axis: -1), values);
                var residual = attended + x;
                var centered = residual - Op.Mean(residual, [-1], keepDims: true);
                var scale = Op.Sqrt(Op.Mean(centered * centered, [-1], keepDims: true) + 1e-5);
                return Op.Sum(Op.Sin(centered / scale));
            },
            Uniform(10, -1, 1, batch, tokens, model), Uniform(11, -1, 1, model, model), Uniform(12, -1, 1, model, model), Uniform(13, -1, 1, model, model));
    }

    [Test]
    public void A_polynomial_using_one_variable_many_times()
    {
        Check(
            v =>
            {
                var x = v[0];
                var y = v[1];
                var x2 = x * x;
                var p = 3.0 * x2 * x2 - 2.0 * x2 * x + x * y - Op.PowScalar(y, 3.0) + x / (y * y + 1.0);
                return Op.Sum(p * p, [0]) + Op.Max(x, [0]);
            },
            Uniform(14, -1.5, 1.5, 3, 2), Uniform(15, -1.5, 1.5, 2));
    }

    [Test]
    public void Shape_ops_composed_with_concat_and_stack()
    {
        Check(
            v =>
            {
                var parts = Op.Stack([Op.Slice(v[0], 0, 0, 2), Op.Slice(v[0], 0, 2, 4)], axis: 1);
                var joined = Op.Concat([Op.Reshape(parts, [2, -1]), Op.BroadcastTo(Op.Unsqueeze(v[1], 0), [2, 3])], axis: 1);
                return Op.LogSoftmax(Op.Squeeze(Op.Unsqueeze(joined, 0), 0), axis: 0);
            },
            Uniform(16, -1, 1, 4, 3), Uniform(17, -1, 1, 3));
    }
}
