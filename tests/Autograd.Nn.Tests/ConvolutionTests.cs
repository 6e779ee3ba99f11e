using static Autograd.Nn.Tests.Support;

namespace Autograd.Nn.Tests;

/// <summary>Conv2d and MaxPool2d against naive loops on odd sizes, strides and padding, and their gradients against finite differences.</summary>
public class ConvolutionTests
{
    // batch, channels, height, width, out channels, kernel, stride, padding
    private static readonly int[][] ConvCases =
    [
        [1, 1, 5, 5, 1, 3, 1, 0],
        [2, 3, 7, 5, 4, 3, 2, 1],
        [2, 2, 6, 9, 3, 2, 3, 2],
        [1, 3, 4, 4, 2, 1, 1, 0],
        [3, 1, 5, 6, 2, 5, 1, 2],
    ];

    private static double[] NaiveConv(double[] x, double[] w, int[] c, out int[] shape)
    {
        int n = c[0], ch = c[1], h = c[2], wd = c[3], o = c[4], k = c[5], s = c[6], p = c[7];
        int oh = (h + 2 * p - k) / s + 1, ow = (wd + 2 * p - k) / s + 1;
        shape = [n, o, oh, ow];
        var y = new double[n * o * oh * ow];
        for (var b = 0; b < n; b++)
            for (var oc = 0; oc < o; oc++)
                for (var i = 0; i < oh; i++)
                    for (var j = 0; j < ow; j++)
                    {
                        var sum = 0.0;
                        for (var ic = 0; ic < ch; ic++)
                            for (var u = 0; u < k; u++)
                                for (var v = 0; v < k; v++)
                                {
                                    int r = i * s - p + u, q = j * s - p + v;
                                    if (r >= 0 && r < h && q >= 0 && q < wd)
                                        sum += x[((b * ch + ic) * h + r) * wd + q] * w[((oc * ch + ic) * k + u) * k + v];
                                }
                        y[((b * o + oc) * oh + i) * ow + j] = sum;
                    }
        return y;
    }

    private static double[] NaivePool(double[] x, int[] c, out int[] shape)
    {
        int n = c[0], ch = c[1], h = c[2], wd = c[3], k = c[4], s = c[5], p = c[6];
        int oh = (h + 2 * p - k) / s + 1, ow = (wd + 2 * p - k) / s + 1;
        shape = [n, ch, oh, ow];
        var y = new double[n * ch * oh * ow];
        for (var plane = 0; plane < n * ch; plane++)
            for (var i = 0; i < oh; i++)
                for (var j = 0; j < ow; j++)
                {
                    var best = double.NegativeInfinity;
                    for (var u = 0; u < k; u++)
                        for (var v = 0; v < k; v++)
                        {
                            int r = i * s - p + u, q = j * s - p + v;
                            if (r >= 0 && r < h && q >= 0 && q < wd)
                                best = Math.Max(best, x[(plane * h + r) * wd + q]);
                        }
                    y[(plane * oh + i) * ow + j] = best;
                }
        return y;
    }

    [TestCaseSource(nameof(ConvCases))]
    public void Conv2d_matches_a_naive_loop(int[] c)
    {
        var x = Uniform(1, c[0], c[1], c[2], c[3]);
        var w = Uniform(2, c[4], c[1], c[5], c[5]);
        var expected = NaiveConv(x.ToArray(), w.ToArray(), c, out var shape);
        AssertClose(ConvolutionOps.Conv2d(x, w, c[6], c[7]), expected, shape);
        // A strided (transposed) view as input gives the same result.
        var transposed = x.Transpose(0, 1, 3, 2).Clone().Transpose(0, 1, 3, 2);
        AssertClose(ConvolutionOps.Conv2d(transposed, w, c[6], c[7]), expected, shape);
    }

    [TestCaseSource(nameof(ConvCases))]
    public void Conv2d_gradients_match_finite_differences(int[] c)
    {
        var x = Uniform(3, c[0], c[1], c[2], c[3]);
        var w = Uniform(4, c[4], c[1], c[5], c[5]);
        GradCheck.Assert(v => ConvolutionOps.Conv2d(v[0], v[1], c[6], c[7]), x, w);
    }

    [TestCaseSource(nameof(ConvCases))]
    public void Conv2d_second_derivatives_match_finite_differences_of_its_gradient(int[] c)
    {
        // Conv2d is bilinear: its own second derivatives are the mixed input-weight ones; tanh adds the rest.
        var x = Uniform(3, c[0], c[1], c[2], c[3]);
        var w = Uniform(4, c[4], c[1], c[5], c[5]);
        GradCheck.AssertSecondOrder(v => Ops.Tanh(ConvolutionOps.Conv2d(v[0], v[1], c[6], c[7])), x, w);
        // On a strided view of the input, too.
        GradCheck.AssertSecondOrder(v => Ops.Tanh(ConvolutionOps.Conv2d(Ops.Transpose(v[0], [0, 1, 3, 2]), v[1], c[6], c[7])), x.Transpose(0, 1, 3, 2).Clone(), w);
    }

    [Test]
    public void Conv2d_third_derivatives_through_a_gradient_penalty_match_finite_differences()
    {
        // The penalty's gradient runs the recorded backward of the recorded backward: Unfold's and Fold's.
        var x = Uniform(8, 1, 2, 4, 4);
        var w = Uniform(9, 2, 2, 3, 3);
        GradCheck.AssertSecondOrder(v =>
        {
            using var recording = Variable.EnableGrad(); // GradCheck evaluates the function under NoGrad too
            var leaves = v[0].RequiresGrad ? v : [.. v.Select(p => p.Value.Clone().ToVariable())];
            var slopes = Variable.Gradients(Ops.Sum(Ops.Tanh(ConvolutionOps.Conv2d(leaves[0], leaves[1], 2, 1))), leaves, createGraph: true);
            return Ops.Sum(slopes[0] * slopes[0]) + Ops.Sum(slopes[1] * slopes[1]);
        }, x, w);
    }

    [Test]
    public void Conv2d_layer_adds_a_bias_per_channel_and_its_parameter_gradients_match()
    {
        var layer = new Conv2d<double>(2, 3, kernelSize: 3, stride: 2, padding: 1, random: new Random(5));
        var x = Uniform(6, 2, 2, 5, 5);
        var bias = layer.Bias!.Value.ToArray();
        var plain = ConvolutionOps.Conv2d(x, layer.Weight.Value, 2, 1).ToArray();

        var y = layer.Forward(x);

        AssertClose(y.Value, plain.Select((v, i) => v + bias[i / 9 % 3]).ToArray(), [2, 3, 3, 3]);
        var mix = Uniform(7, 2, 3, 3, 3);
        AssertParameterGradients(layer, () => Ops.Sum(layer.Forward(x) * mix));
        var bound = 1 / Math.Sqrt(2 * 9);
        Assert.That(layer.Weight.Value.ToArray().Max(Math.Abs), Is.LessThanOrEqualTo(bound));
    }

    // batch, channels, height, width, kernel, stride, padding
    private static readonly int[][] PoolCases =
    [
        [1, 1, 4, 4, 2, 2, 0],
        [2, 3, 7, 5, 3, 2, 1],
        [1, 2, 5, 7, 2, 1, 1],
        [2, 1, 9, 9, 3, 3, 0],
    ];

    [TestCaseSource(nameof(PoolCases))]
    public void MaxPool2d_matches_a_naive_loop_and_its_gradient_matches_finite_differences(int[] c)
    {
        // Distinct values keep every window's maximum away from a tie, where the gradient is not defined.
        var count = c[0] * c[1] * c[2] * c[3];
        var values = Enumerable.Range(0, count).Select(i => (i * 37 % count) * 0.1 - 1).ToArray();
        var x = NdArray.Create(values, c[0], c[1], c[2], c[3]);
        var expected = NaivePool(values, c, out var shape);

        AssertClose(new MaxPool2d<double>(c[4], c[5], c[6]).Forward(x).Value, expected, shape);
        GradCheck.Assert(v => ConvolutionOps.MaxPool2d(v[0], c[4], c[5], c[6]), x);
        // Squared, so the second derivative (2 at each winner, summed over the windows it wins) is not 0; through a strided view.
        GradCheck.AssertSecondOrder(v =>
        {
            var pooled = ConvolutionOps.MaxPool2d(Ops.Transpose(v[0], [0, 1, 3, 2]), c[4], c[5], c[6]);
            return pooled * pooled;
        }, x.Transpose(0, 1, 3, 2).Clone());
    }

    [Test]
    public void MaxPool2d_saves_the_winners_index_and_sends_each_gradient_there()
    {
        var x = NdArray.Create([1.0, 5, 2, 0, 3, 4, 9, 8, 7, 7, 6, 1, 0, 2, 3, 4], 1, 1, 4, 4);
        var y = ConvolutionOps.MaxPool2d(x, 2, 2, 0, out var argmax);
        Assert.That(y.ToArray(), Is.EqualTo(new[] { 5.0, 9, 7, 6 }));
        Assert.That(argmax, Is.EqualTo(new[] { 1, 6, 8, 10 }), "the first of the tied 7s wins");

        var input = Variable.Create(x);
        ConvolutionOps.MaxPool2d(input, 2, 2, 0).Backward(NdArray.Create([1.0, 2, 3, 4], 1, 1, 2, 2));
        AssertClose(input.Grad!, [0, 1, 0, 0, 0, 0, 2, 0, 3, 0, 4, 0, 0, 0, 0, 0], [1, 1, 4, 4]);
        Assert.That(new MaxPool2d<double>(2).Forward(x).Shape.ToArray(), Is.EqualTo(new[] { 1, 1, 2, 2 }), "the stride defaults to the kernel");
    }

    [Test]
    public void Bad_geometry_is_an_error_naming_the_op_and_the_shapes()
    {
        var x = NdArray.Zeros<double>(1, 2, 4, 4);
        Assert.That(() => ConvolutionOps.Conv2d(x, NdArray.Zeros<double>(3, 1, 3, 3), 1, 0),
            Throws.ArgumentException.With.Message.Contains("Conv2d: input of shape [1, 2, 4, 4] and weight of shape [3, 1, 3, 3]"));
        Assert.That(() => ConvolutionOps.Conv2d(x, NdArray.Zeros<double>(3, 2, 7, 7), 1, 1),
            Throws.ArgumentException.With.Message.Contains("Conv2d: the input of shape [1, 2, 4, 4] padded by 1 is 6×6, smaller than the kernel 7×7"));
        Assert.That(() => ConvolutionOps.Conv2d(x, NdArray.Zeros<double>(3, 2, 3, 3), 0, 0),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Conv2d: the stride 0 must be at least 1"));
        Assert.That(() => ConvolutionOps.MaxPool2d(x, 2, 2, 2),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("MaxPool2d: padding 2 is more than half the kernel size 2"));
        Assert.That(() => ConvolutionOps.MaxPool2d(NdArray.Zeros<double>(4, 4), 2, 2, 0),
            Throws.ArgumentException.With.Message.Contains("MaxPool2d: the input has shape [4, 4]"));
    }
}
