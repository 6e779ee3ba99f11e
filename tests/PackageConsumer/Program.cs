// Compiles only if the package's generator ran (Square(Variable<double>) is generated) and the layers
// came with the package; runs a model built from layers through training, saving and loading.
using System;
using System.IO;
using System.Linq;
using Autograd;
using Autograd.Nn;
using Autograd.Optimizers;

var x = NdArray.Create([3.0]).ToVariable("x");
var y = ConsumerOps.Square(x);
y.Backward();
if (x.Grad!.ToScalar() != 6.0)
{
    Console.WriteLine($"package wrong: d(x^2)/dx is {x.Grad}, not 6");
    return 1;
}

// XOR with a two-layer network.
var inputs = NdArray.FromArray(new double[,] { { 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 } });
int[] labels = [0, 1, 1, 0];
Sequential<double> Model() => new(new Linear<double>(2, 16, random: new Random(1)), new Activation<double>(Ops.Tanh), new Linear<double>(16, 2, random: new Random(2)));
var model = Model();
var optimizer = new Adam<double>(model.Parameters(), learningRate: 0.05);
for (var step = 0; step < 200; step++)
{
    optimizer.ZeroGrad();
    Ops.CrossEntropy(model.Forward(inputs), labels).Backward();
    optimizer.Step();
}
var path = Path.Combine(Path.GetTempPath(), $"consumer-{Guid.NewGuid():N}.safetensors");
Checkpoint.Save(path, model, optimizer);
var loaded = Model();
Checkpoint.Load(path, loaded);
File.Delete(path);
var accuracy = Ops.Accuracy(loaded.Forward(inputs), labels);
var same = model.Parameters().Zip(loaded.Parameters()).All(p => p.First.Value.ToArray().SequenceEqual(p.Second.Value.ToArray()));
Console.WriteLine(accuracy == 1 && same
    ? "package ok: generator ran, d(x^2)/dx = 6; layers trained XOR and round-tripped through safetensors"
    : $"package wrong: XOR accuracy {accuracy}, weights equal after loading: {same}");
return accuracy == 1 && same ? 0 : 1;

/// <summary>x squared.</summary>
public static partial class ConsumerOps
{
    /// <summary>x * x.</summary>
    [DifferentiableOp]
    public static NdArray<double> Square(NdArray<double> x) => NdArray.Multiply(x, x);

    private static void SquareBackward(NdArray<double> dy, NdArray<double> x, GradSlot<double> dx) =>
        dx.Accumulate(NdArray.Multiply(NdArray.Multiply(dy, x), 2.0));
}
