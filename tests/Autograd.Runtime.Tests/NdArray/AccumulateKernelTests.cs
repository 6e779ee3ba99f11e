using System.Numerics;
using Autograd.Kernels;

namespace Autograd.Runtime.Tests.Arrays;

/// <summary>
/// The kernel forms backwards write gradients with (issue 8): <c>into += x op y</c> (accumulate), a
/// sum over broadcast axes straight into a destination, and the SIMD gradient-function operator,
/// each against a naive loop: odd sizes with vector tails, rows longer than the accumulate chunk,
/// strided and broadcast operands and destinations, threads on and off, float and double.
/// </summary>
[TestFixture(typeof(float))]
[TestFixture(typeof(double))]
public class AccumulateKernelTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public enum BinaryOp { Add, Subtract, Multiply, Divide }

    /// <summary>Small with a vector tail; one row longer than the 256-element accumulate chunk.</summary>
    private static readonly int[][] Shapes = [[3, 7], [2, 517]];

    /// <summary>Large enough to be split across threads.</summary>
    private static readonly int[] Large = [517, 263];

    [TearDown]
    public void RestoreThreading() => KernelOptions.Threading = true;

    private static double Apply(BinaryOp op, double a, double b) => op switch
    {
        BinaryOp.Add => Reference.Round<T>(a + b),
        BinaryOp.Subtract => Reference.Round<T>(a - b),
        BinaryOp.Multiply => Reference.Round<T>(a * b),
        _ => Reference.Round<T>(a / b),
    };

    private static NdArray<T> Run(BinaryOp op, NdArray<T> x, NdArray<T> y, NdArray<T> into) => op switch
    {
        BinaryOp.Add => NdArray.Add(x, y, into, accumulate: true),
        BinaryOp.Subtract => NdArray.Subtract(x, y, into, accumulate: true),
        BinaryOp.Multiply => NdArray.Multiply(x, y, into, accumulate: true),
        _ => NdArray.Divide(x, y, into, accumulate: true),
    };

    [Test]
    public void Accumulate_adds_the_result_into_the_destination(
        [Values] BinaryOp op,
        [ValueSource(nameof(Shapes))] int[] shape,
        [Values(Layout.Contiguous, Layout.Transposed, Layout.Broadcast)] Layout layoutX,
        [Values(Layout.Contiguous, Layout.Stepped, Layout.Reversed)] Layout layoutInto) =>
        AssertAccumulates(op, shape, layoutX, layoutInto, threading: false);

    [Test]
    public void Accumulate_adds_the_result_into_a_large_destination(
        [Values] BinaryOp op,
        [Values] bool threading,
        [Values(Layout.Contiguous, Layout.Transposed)] Layout layoutX,
        [Values(Layout.Contiguous, Layout.Reversed)] Layout layoutInto) =>
        AssertAccumulates(op, Large, layoutX, layoutInto, threading);

    private static void AssertAccumulates(BinaryOp op, int[] shape, Layout layoutX, Layout layoutInto, bool threading)
    {
        var random = new Random((int)op * 1000 + shape[1] + (int)layoutX * 10 + (int)layoutInto * 100);
        var x = Layouts.Make<T>(layoutX, shape, random);
        var y = Layouts.Make<T>(Layout.Contiguous, shape, random);
        var into = Layouts.Make<T>(layoutInto, shape, random);
        var before = Reference.Read(into);
        var expected = Reference.Broadcast(x, y, (a, b) => Apply(op, a, b), out _).Select((value, i) => Reference.Round<T>(before[i] + value)).ToArray();

        KernelOptions.Threading = threading;
        var result = Run(op, x, y, into);

        Assert.That(result, Is.SameAs(into));
        Reference.AssertClose(into, shape, expected);
    }

    [Test]
    public void Accumulate_into_an_operand_adds_what_the_operand_held_before([Values] bool threading)
    {
        var shape = Large;
        var random = new Random(shape[1]);
        var into = Reference.Random<T>(shape, random);
        var y = Reference.Random<T>(shape, random);
        var (before, factors) = (Reference.Read(into), Reference.Read(y));
        var expected = before.Select((value, i) => Reference.Round<T>(value + Reference.Round<T>(value * factors[i]))).ToArray();

        KernelOptions.Threading = threading;
        NdArray.Multiply(into, y, into, accumulate: true); // into += into * y

        Reference.AssertClose(into, shape, expected);
    }

    [Test]
    public void Accumulate_needs_a_destination() =>
        Assert.That(
            () => NdArray.Multiply(NdArray.Zeros<T>(2), NdArray.Zeros<T>(2), accumulate: true),
            Throws.ArgumentException.With.Message.Contains("Multiply: accumulate: true adds the result into a destination"));

    private static readonly int[][][] SumCases =
    [
        [[517, 263], [1, 263]],
        [[517, 263], [517, 1]],
        [[517, 263], []],
        [[3, 4, 5], [4, 1]],
        [[3, 1, 5], [3, 1, 1]],
    ];

    [Test]
    public void SumInto_sums_over_the_broadcast_axes_into_the_destination(
        [ValueSource(nameof(SumCases))] int[][] shapes,
        [Values] bool accumulate,
        [Values] bool threading,
        [Values(Layout.Contiguous, Layout.Transposed)] Layout layoutX,
        [Values(Layout.Contiguous, Layout.Reversed)] Layout layoutInto)
    {
        var (shape, to) = (shapes[0], shapes[1]);
        var random = new Random(shape.Length * 100 + to.Length * 10 + (int)layoutX + (int)layoutInto);
        var x = Layouts.Make<T>(layoutX, shape, random);
        var into = Layouts.Make<T>(layoutInto, to, random);
        var expected = accumulate ? Reference.Read(into) : new double[Reference.Count(to)];
        var magnitude = expected.Select(Math.Abs).ToArray(); // of everything summed into each element, for the rounding bound
        foreach (var index in Reference.Indices(shape))
        {
            var slot = Reference.Flatten(Reference.Project(index, to), to);
            expected[slot] += Reference.At(x, index);
            magnitude[slot] += Math.Abs(Reference.At(x, index));
        }

        KernelOptions.Threading = threading;
        var result = NdArray.SumInto(x, into, accumulate, "test");

        Assert.That(result, Is.SameAs(into));
        Assert.That(into.Shape.ToArray(), Is.EqualTo(to));
        var actual = Reference.Read(into);
        var epsilon = typeof(T) == typeof(float) ? 1e-5 : 1e-13; // about 100 roundings of T
        for (var i = 0; i < expected.Length; i++)
            Assert.That(actual[i], Is.EqualTo(expected[i]).Within(epsilon * (1 + magnitude[i])), $"element {i}");
    }

    /// <summary>dy * (1 - y²), as tanh's backward computes it.</summary>
    private readonly struct TestGradient : IGradientFunction<T>
    {
        public static T Invoke(T dy, T y) => dy * (T.One - y * y);

        public static Vector<T> Invoke(Vector<T> dy, Vector<T> y) => dy * (Vector<T>.One - y * y);
    }

    /// <summary>The operator's three span forms (both rows, a broadcast dy, a broadcast y) and its scalar form on strided views.</summary>
    [Test]
    public void The_gradient_operator_matches_its_scalar_function(
        [Values(1, 7, 8, 9, 33, 300)] int length,
        [Values(Layout.Contiguous, Layout.Broadcast, Layout.Stepped)] Layout layoutDy,
        [Values(Layout.Contiguous, Layout.Broadcast, Layout.Reversed)] Layout layoutY,
        [Values] bool accumulate)
    {
        int[] shape = [2, length];
        var random = new Random(length * 100 + (int)layoutDy * 10 + (int)layoutY);
        var dy = Layouts.Make<T>(layoutDy, shape, random);
        var y = Layouts.Make<T>(layoutY, shape, random);
        var into = Reference.Random<T>(shape, random);
        var before = Reference.Read(into);
        var expected = Reference.Broadcast(dy, y, (g, v) => Reference.Round<T>(g * Reference.Round<T>(1 - Reference.Round<T>(v * v))), out _)
            .Select((value, i) => accumulate ? Reference.Round<T>(before[i] + value) : value).ToArray();

        NdArray.Binary<T, OpKernels.GradientOperator<T, TestGradient>>(dy, y, into, "test", accumulate);

        Reference.AssertClose(into, shape, expected);
    }
}
