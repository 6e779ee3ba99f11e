namespace Autograd.Nn.Tests;

public class InitTests
{
    [TestCase(new[] { 7 }, 7, 7)]
    [TestCase(new[] { 5, 3 }, 3, 5)]
    [TestCase(new[] { 4, 3, 5, 2 }, 30, 40)]
    public void Fans_follow_PyTorch(int[] shape, int fanIn, int fanOut) =>
        Assert.That(Init.Fans(shape), Is.EqualTo((fanIn, fanOut)));

    [Test]
    public void Fans_of_an_empty_shape_are_an_error() =>
        Assert.That(() => Init.KaimingUniform<double>(new Random(0), [3, 0]), Throws.ArgumentException.With.Message.Contains("KaimingUniform: a weight of shape [3, 0] has no fan"));

    private static (double Max, double Std) Stats(NdArray<double> a) => (a.ToArray().Max(Math.Abs), Support.StandardDeviation(a.ToArray()));

    [Test]
    public void Uniform_initializers_fill_their_bound_and_normal_ones_have_their_deviation()
    {
        int[] shape = [200, 50, 3, 3]; // fan-in 450, fan-out 1800
        var random = new Random(0);

        var kaiming = Stats(Init.KaimingUniform<double>(random, shape));
        var kaimingBound = Math.Sqrt(2) * Math.Sqrt(3.0 / 450);
        Assert.That(kaiming.Max, Is.LessThanOrEqualTo(kaimingBound).And.GreaterThan(0.999 * kaimingBound));

        var linearDefault = Stats(Init.KaimingUniform<double>(random, [64, 100], a: Math.Sqrt(5)));
        Assert.That(linearDefault.Max, Is.LessThanOrEqualTo(0.1).And.GreaterThan(0.099), "a = √5 gives 1/√fan-in");

        var xavier = Stats(Init.XavierUniform<double>(random, shape, gain: 2));
        var xavierBound = 2 * Math.Sqrt(6.0 / (450 + 1800));
        Assert.That(xavier.Max, Is.LessThanOrEqualTo(xavierBound).And.GreaterThan(0.999 * xavierBound));

        Assert.That(Stats(Init.KaimingNormal<double>(random, shape, a: 1)).Std, Is.EqualTo(1 / Math.Sqrt(450)).Within(2).Percent);
        Assert.That(Stats(Init.XavierNormal<double>(random, shape)).Std, Is.EqualTo(Math.Sqrt(2.0 / 2250)).Within(2).Percent);
    }

    [Test]
    public void The_same_seed_gives_the_same_weights()
    {
        var a = Init.KaimingNormal<float>(new Random(5), [3, 4]).ToArray();
        var b = Init.KaimingNormal<float>(new Random(5), [3, 4]).ToArray();
        var c = Init.KaimingNormal<float>(new Random(6), [3, 4]).ToArray();
        Assert.That(a, Is.EqualTo(b));
        Assert.That(a, Is.Not.EqualTo(c));
    }
}
