// Trains a two-layer network on the classic three-arm spiral with only built-in ops and Adam,
// prints the loss as it falls, then draws the learned decision regions in the terminal.
using Autograd;
using Autograd.Optimizers;

const int classes = 3, pointsPerClass = 100, hidden = 32, steps = 400;
var (points, labels) = Spiral.Generate(pointsPerClass, classes, seed: 0);

var random = new Random(42);
var w1 = NdArray.Multiply(NdArray.RandomNormal<double>(random, 2, hidden), Math.Sqrt(2.0 / 2)).ToVariable("w1");
var b1 = NdArray.Zeros<double>(hidden).ToVariable("b1");
var w2 = NdArray.Multiply(NdArray.RandomNormal<double>(random, hidden, classes), Math.Sqrt(2.0 / hidden)).ToVariable("w2");
var b2 = NdArray.Zeros<double>(classes).ToVariable("b2");
var optimizer = new Adam<double>([w1, b1, w2, b2], learningRate: 0.02);

Variable<double> Logits(Variable<double> x) => Ops.MatMul(Ops.Relu(Ops.MatMul(x, w1) + b1), w2) + b2;

var inputs = points.ToVariable("x", requiresGrad: false);
for (var step = 0; step <= steps; step++)
{
    optimizer.ZeroGrad();
    var loss = Ops.CrossEntropy(Logits(inputs), labels);
    loss.Backward();
    optimizer.Step();
    if (step % 50 == 0)
        Console.WriteLine($"step {step,3}: loss {loss.Value.ToScalar():F4}");
}

using (Variable.NoGrad())
{
    var predicted = NdArray.ArgMax(Logits(inputs).Value, axis: 1);
    var correct = labels.Where((label, i) => predicted[i] == label).Count();
    Console.WriteLine($"training accuracy: {100.0 * correct / labels.Length:F1}%");
    Console.WriteLine();
    Console.WriteLine(DecisionMap(x => NdArray.ArgMax(Logits(x.ToVariable(requiresGrad: false)).Value, axis: 1), points, labels));
}

// The plane as text: a lower-case letter where the network predicts a class, the upper-case
// letter of its true class where a training point lies.
static string DecisionMap(Func<NdArray<double>, int[]> classify, NdArray<double> points, int[] labels)
{
    const int width = 64, height = 24;
    var grid = NdArray.Zeros<double>(width * height, 2);
    for (var r = 0; r < height; r++)
    {
        for (var c = 0; c < width; c++)
        {
            grid[r * width + c, 0] = -1 + 2.0 * c / (width - 1);
            grid[r * width + c, 1] = 1 - 2.0 * r / (height - 1);
        }
    }
    var regions = classify(grid);
    var canvas = new char[height, width];
    for (var i = 0; i < width * height; i++)
        canvas[i / width, i % width] = (char)('a' + regions[i]);
    for (var i = 0; i < labels.Length; i++)
    {
        var c = (int)Math.Round((points[i, 0] + 1) / 2 * (width - 1));
        var r = (int)Math.Round((1 - points[i, 1]) / 2 * (height - 1));
        canvas[Math.Clamp(r, 0, height - 1), Math.Clamp(c, 0, width - 1)] = (char)('A' + labels[i]);
    }
    var text = new System.Text.StringBuilder();
    for (var r = 0; r < height; r++)
    {
        for (var c = 0; c < width; c++)
            text.Append(canvas[r, c]);
        text.AppendLine();
    }
    return text.ToString();
}
