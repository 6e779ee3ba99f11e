// Trains an MLP and a small CNN on real handwritten digits read from IDX files, with a progress bar,
// loss/accuracy curves as PNG, the model's graph as DOT and a safetensors checkpoint.
//
//   dotnet run -c Release --project samples/Mnist                          # both models on the shipped 10,000 digits
//   dotnet run -c Release --project samples/Mnist -- --data /usr/share/datasets/fashion-mnist --epochs 10
//   dotnet run --project samples/Mnist -- --steps 300 --min-accuracy 90    # CI: a short run that must reach a floor
//   dotnet run --project samples/Mnist -- --evaluate mnist-output/cnn.safetensors --model cnn
using System.Diagnostics;
using System.Globalization;
using Autograd;
using Autograd.Nn;
using Autograd.Optimizers;
using Spectre.Console;

var options = Options.Parse(args);
var (testImages, testLabels) = Idx.Load(options.Data, "t10k");

var (trainImages, trainLabels) = Idx.Load(options.Data, "train");
// Standardize with the training set's mean and deviation (the held-out set is not looked at).
var mean = NdArray.Mean(trainImages).ToScalar();
var deviation = MathF.Sqrt(NdArray.Mean(NdArray.Multiply(trainImages, trainImages)).ToScalar() - mean * mean);
trainImages = NdArray.Divide(NdArray.Subtract(trainImages, mean), deviation);
testImages = NdArray.Divide(NdArray.Subtract(testImages, mean), deviation);

if (options.Evaluate is { } checkpoint)
{
    // A second process: rebuild the architecture, load the weights, measure.
    var model = Models.Create(options.Models[0], new Random(0));
    Checkpoint.Load(checkpoint, model);
    AnsiConsole.MarkupLine($"{options.Models[0]} from {checkpoint}: held-out accuracy [bold]{100 * Evaluate(model, testImages, testLabels):F2}%[/]");
    return 0;
}

AnsiConsole.MarkupLine($"{trainLabels.Length} training and {testLabels.Length} held-out images from [grey]{options.Data}[/]");
Directory.CreateDirectory(options.Output);
var failed = false;
foreach (var name in options.Models)
{
    var model = Models.Create(name, new Random(1));
    var loader = new DataLoader<float>(trainImages, trainLabels, options.BatchSize, seed: 2);
    var totalSteps = options.Steps ?? options.Epochs * loader.Count;
    var optimizer = new Adam<float>(model.Parameters(), learningRate: name == "cnn" ? 2e-3 : 1e-3);
    var warmup = Math.Max(1, totalSteps / 20);
    var scheduler = new LearningRateScheduler<float>(optimizer, LearningRateSchedule.LinearWarmup(warmup, LearningRateSchedule.Cosine(Math.Max(1, totalSteps - warmup))));
    var curves = new Curves();
    var clock = Stopwatch.StartNew();

    AnsiConsole.Progress()
        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
        .Start(context =>
        {
            var task = context.AddTask(name, maxValue: totalSteps);
            var step = 0;
            while (step < totalSteps)
            {
                model.Train();
                foreach (var batch in loader)
                {
                    optimizer.ZeroGrad();
                    var logits = model.Forward(batch.Inputs);
                    var loss = Ops.CrossEntropy(logits, batch.Labels);
                    loss.Backward();
                    optimizer.Step();
                    scheduler.Step();
                    if (step == 0)
                        File.WriteAllText(Path.Combine(options.Output, $"{name}.dot"), loss.ToDot());
                    curves.Add(step, loss.Value.ToScalar(), Ops.Accuracy(logits, batch.Labels));
                    task.Description = $"{name}  loss {curves.RecentLoss:F3}  acc {100 * curves.RecentAccuracy:F1}%";
                    task.Increment(1);
                    if (++step == totalSteps)
                        break;
                }
                curves.AddTest(step, Evaluate(model, testImages, testLabels));
            }
        });

    var accuracy = curves.TestAccuracy[^1].Accuracy;
    var seconds = clock.Elapsed.TotalSeconds;
    var path = Path.Combine(options.Output, $"{name}.safetensors");
    Checkpoint.Save(path, model, optimizer);
    curves.SavePng(Path.Combine(options.Output, $"{name}.png"), $"{name}: {trainLabels.Length} training images, {totalSteps} steps of {options.BatchSize}");
    AnsiConsole.MarkupLine($"{name}: held-out accuracy [bold]{100 * accuracy:F2}%[/] after {totalSteps} steps in {seconds:F0} s; wrote {path}, {name}.png, {name}.dot");
    if (options.MinAccuracy is { } floor && 100 * accuracy < floor)
    {
        AnsiConsole.MarkupLine($"[red]{name}: {100 * accuracy:F2}% is below the floor of {floor}%[/]");
        failed = true;
    }
}
return failed ? 1 : 0;

static double Evaluate(Layer<float> model, NdArray<float> images, int[] labels)
{
    model.Eval();
    var correct = 0.0;
    using (Variable.NoGrad())
    {
        foreach (var batch in new DataLoader<float>(images, labels, 500, shuffle: false))
            correct += Ops.Accuracy(model.Forward(batch.Inputs), batch.Labels) * batch.Labels.Length;
    }
    return correct / labels.Length;
}

internal static class Models
{
    public static Layer<float> Create(string name, Random random) => name switch
    {
        "mlp" => new Sequential<float>(
            new Flatten<float>(),
            new Linear<float>(28 * 28, 512, random: random),
            new Activation<float>(Ops.Relu),
            new Dropout<float>(0.3, random),
            new Linear<float>(512, 10, random: random)),
        "cnn" => new Sequential<float>(
            new Conv2d<float>(1, 16, kernelSize: 3, padding: 1, random: random),
            new Activation<float>(Ops.Relu),
            new MaxPool2d<float>(2),
            new Conv2d<float>(16, 32, kernelSize: 3, padding: 1, random: random),
            new Activation<float>(Ops.Relu),
            new MaxPool2d<float>(2),
            new Flatten<float>(),
            new Linear<float>(32 * 7 * 7, 10, random: random)),
        _ => throw new ArgumentException($"Unknown model '{name}': use mlp or cnn."),
    };
}

internal sealed record Options(string Data, string[] Models, int Epochs, int? Steps, int BatchSize, double? MinAccuracy, string Output, string? Evaluate)
{
    public static Options Parse(string[] args)
    {
        string Value(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }
        int? Int(string name) => Value(name, "") is { Length: > 0 } text ? int.Parse(text, CultureInfo.InvariantCulture) : null;
        var model = Value("--model", "both");
        return new(
            Value("--data", Path.Combine(AppContext.BaseDirectory, "data")),
            model == "both" ? ["mlp", "cnn"] : [model],
            Int("--epochs") ?? 15,
            Int("--steps"),
            Int("--batch-size") ?? 64,
            Value("--min-accuracy", "") is { Length: > 0 } floor ? double.Parse(floor, CultureInfo.InvariantCulture) : null,
            Value("--out", "mnist-output"),
            Value("--evaluate", "") is { Length: > 0 } file ? file : null);
    }
}
