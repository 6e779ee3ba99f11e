using Autograd;

/// <summary>Three spiral arms of noisy points in [-1, 1]², one class each (the cs231n toy data set); samples/Distributed links this file too.</summary>
internal static class Spiral
{
    public static (NdArray<double> Points, int[] Labels) Generate(int perClass, int classes, int seed)
    {
        var random = new Random(seed);
        var points = NdArray.Zeros<double>(perClass * classes, 2);
        var labels = new int[perClass * classes];
        for (var c = 0; c < classes; c++)
        {
            for (var i = 0; i < perClass; i++)
            {
                var row = c * perClass + i;
                var radius = (double)i / perClass;
                var angle = c * 4.0 + 4.0 * i / perClass + 0.2 * NormalSample(random);
                points[row, 0] = radius * Math.Sin(angle);
                points[row, 1] = radius * Math.Cos(angle);
                labels[row] = c;
            }
        }
        return (points, labels);
    }

    private static double NormalSample(Random random) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());
}
