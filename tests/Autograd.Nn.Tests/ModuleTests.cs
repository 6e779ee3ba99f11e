using static Autograd.Nn.Tests.Support;

namespace Autograd.Nn.Tests;

public class ModuleTests
{
    private sealed class Block : Layer<double>
    {
        public Block(Random random)
        {
            Scale = RegisterParameter("scale", NdArray.Ones<double>(2));
            Inner = RegisterModule("inner", new Sequential<double>(new Linear<double>(2, 3, random: random), new Dropout<double>(0.5, random)));
        }

        public Variable<double> Scale { get; }

        public Sequential<double> Inner { get; }

        public override Variable<double> Forward(Variable<double> input) => Inner.Forward(input * Scale);

        public void Register(string name) => RegisterParameter(name, NdArray.Zeros<double>(1));
    }

    [Test]
    public void Parameters_are_named_with_dots_in_registration_order()
    {
        var model = new Sequential<double>(new Block(new Random(1)), new Activation<double>(Ops.Tanh), new Linear<double>(3, 1, bias: false, random: new Random(2)));

        var names = model.NamedParameters().Select(p => p.Key).ToArray();

        Assert.That(names, Is.EqualTo(new[] { "0.scale", "0.inner.0.weight", "0.inner.0.bias", "2.weight" }));
        Assert.That(model.Parameters(), Is.EqualTo(model.NamedParameters().Select(p => p.Value)));
        Assert.That(model.Children.Select(c => c.Key), Is.EqualTo(new[] { "0", "1", "2" }));
    }

    [TestCase("")]
    [TestCase("a.b")]
    [TestCase("scale")]
    [TestCase("inner")]
    public void A_bad_or_taken_name_is_refused(string name)
    {
        var block = new Block(new Random(1));
        var error = Assert.Throws<ArgumentException>(() => block.Register(name));
        Assert.That(error!.Message, Does.StartWith($"Block: the name '{name}'"));
    }

    [Test]
    public void Train_and_eval_reach_every_submodule_and_switch_dropout()
    {
        var block = new Block(new Random(1));
        var dropout = (Dropout<double>)block.Inner.Layers[1];
        var x = NdArray.Ones<double>(50, 2);

        Assert.That(dropout.IsTraining, Is.True);
        var trained = block.Forward(x).Value.ToArray();
        block.Eval();
        Assert.That(dropout.IsTraining && block.Inner.IsTraining, Is.False);
        var evaluated = block.Forward(x).Value.ToArray();
        block.Train();
        Assert.That(dropout.IsTraining, Is.True);

        Assert.That(trained.Count(v => v == 0), Is.InRange(40, 110), "about half of 150 dropped in training");
        Assert.That(evaluated.Count(v => v == 0), Is.Zero, "nothing dropped in evaluation");
    }

    [Test]
    public void ZeroGrad_clears_every_parameter()
    {
        var model = new Sequential<double>(new Linear<double>(2, 2, random: new Random(3)), new Linear<double>(2, 1, random: new Random(4)));
        Ops.Sum(model.Forward(NdArray.Ones<double>(1, 2))).Backward();
        Assert.That(model.Parameters().All(p => p.Grad is not null), Is.True);
        model.ZeroGrad();
        Assert.That(model.Parameters().All(p => p.Grad is null), Is.True);
    }
}
