using static Autograd.Runtime.Tests.Ops.OpTestSupport;
using Op = Autograd.Ops;

namespace Autograd.Runtime.Tests.Ops;

/// <summary>Built-in ops called as methods (<c>x.Relu()</c>, <c>x.MatMul(w)</c>) on arrays and variables give what the static calls give.</summary>
public class MethodSyntaxTests
{
    [Test]
    public void A_chain_of_method_calls_on_variables_matches_the_static_calls_in_value_and_gradient()
    {
        var xs = Uniform(1, -1, 1, 3, 4);
        var ws = Uniform(2, -1, 1, 4, 2);

        var x1 = xs.ToVariable();
        var w1 = ws.ToVariable();
        var chained = x1.MatMul(w1).Relu().Tanh().Sum();
        chained.Backward();

        var x2 = xs.ToVariable();
        var w2 = ws.ToVariable();
        var nested = Op.Sum(Op.Tanh(Op.Relu(Op.MatMul(x2, w2))));
        nested.Backward();

        Assert.Multiple(() =>
        {
            Assert.That(chained.Value.ToArray(), Is.EqualTo(nested.Value.ToArray()));
            Assert.That(x1.Grad!.ToArray(), Is.EqualTo(x2.Grad!.ToArray()));
            Assert.That(w1.Grad!.ToArray(), Is.EqualTo(w2.Grad!.ToArray()));
        });
    }

    [Test]
    public void Method_calls_on_arrays_and_mixed_arguments_match_the_static_calls()
    {
        var xs = Uniform(3, -1, 1, 2, 3);
        var ys = Uniform(4, -1, 1, 2, 3);
        var y = ys.ToVariable();
        Assert.Multiple(() =>
        {
            Assert.That(xs.Softmax().ToArray(), Is.EqualTo(Op.Softmax(xs).ToArray()));
            Assert.That(xs.Sum([1], keepDims: true).ToArray(), Is.EqualTo(Op.Sum(xs, [1], keepDims: true).ToArray()));
            Assert.That(xs.Multiply(y).Value.ToArray(), Is.EqualTo(Op.Multiply(xs, ys).ToArray()));
            Assert.That(y.LeakyRelu(0.2).Value.ToArray(), Is.EqualTo(Op.LeakyRelu(ys, 0.2).ToArray()));
            Assert.That(y.Reshape([3, 2]).Value.Shape.ToArray(), Is.EqualTo(new[] { 3, 2 }));
        });
    }
}
