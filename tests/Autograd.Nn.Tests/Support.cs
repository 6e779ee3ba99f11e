namespace Autograd.Nn.Tests;

internal static class Support
{
    public static NdArray<double> Uniform(int seed, params int[] shape) => NdArray.RandomUniform(seed, -1.0, 1.0, shape);

    public static void AssertClose(NdArray<double> actual, double[] expected, int[] shape, double tolerance = 1e-12)
    {
        Assert.That(actual.Shape.ToArray(), Is.EqualTo(shape), "shape");
        var values = actual.ToArray();
        for (var i = 0; i < expected.Length; i++)
            Assert.That(values[i], Is.EqualTo(expected[i]).Within(tolerance), $"element {i}");
    }

    public static double StandardDeviation(double[] values)
    {
        var mean = values.Average();
        return Math.Sqrt(values.Sum(x => (x - mean) * (x - mean)) / values.Length);
    }

    /// <summary>
    /// Compares every parameter's backward gradient of <paramref name="loss"/> (a scalar) with central
    /// finite differences, perturbing each parameter element in place (GradCheck perturbs inputs only).
    /// </summary>
    public static void AssertParameterGradients<TModule>(TModule module, Func<Variable<double>> loss)
        where TModule : Module<double>
    {
        module.ZeroGrad();
        loss().Backward();
        foreach (var (name, parameter) in module.NamedParameters())
        {
            var analytic = parameter.Grad?.ToArray() ?? new double[parameter.Value.Length];
            Span<double> values;
            using (Variable.NoGrad())
                values = parameter.Value.AsSpan(); // writing a parameter in place is allowed outside recording, as optimizers do
            for (var i = 0; i < values.Length; i++)
            {
                var saved = values[i];
                const double h = 1e-6;
                values[i] = saved + h;
                var up = loss().Value.ToScalar();
                values[i] = saved - h;
                var down = loss().Value.ToScalar();
                values[i] = saved;
                var numeric = (up - down) / (2 * h);
                Assert.That(analytic[i], Is.EqualTo(numeric).Within(1e-6 + 1e-5 * Math.Abs(numeric)), $"{name}[{i}]");
            }
        }
    }
}
