using CsCheck;

namespace Autograd.Runtime.Tests.Arrays;

/// <summary>Shape rules as properties over random shapes, layouts and values (CsCheck shrinks any failure).</summary>
public class ShapePropertyTests
{
    private const int Iterations = 300;

    /// <summary>Rank 0 to 4, lengths 0 to 3: small, with many 1s and some 0s.</summary>
    private static readonly Gen<int[]> AnyShape = Gen.Int[0, 3].Array[0, 4];

    private static readonly Gen<Layout> AnyLayout = Gen.Int[0, Layouts.All.Length - 1].Select(i => Layouts.All[i]);

    /// <summary>A shape that broadcasts to <paramref name="target"/>: leading axes dropped, some axes set to 1.</summary>
    private static Gen<int[]> OperandOf(int[] target) =>
        Gen.Int[0, target.Length].SelectMany(drop =>
            Gen.Bool.Array[target.Length - drop].Select(ones => target.Skip(drop).Select((n, i) => ones[i] ? 1 : n).ToArray()));

    private static readonly Gen<(int[] Target, int[] A, int[] B, int[] C)> Compatible =
        AnyShape.SelectMany(target => Gen.Select(OperandOf(target), OperandOf(target), OperandOf(target), (a, b, c) => (target, a, b, c)));

    private static void Sample<T>(Gen<T> gen, Action<T> property) => gen.Sample(property, iter: Iterations, threads: 1);

    private static string Text(int[]? shape) => shape is null ? "clash" : $"[{string.Join(", ", shape)}]";

    [Test]
    public void Broadcast_agrees_with_the_reference_and_is_commutative() =>
        Sample(Gen.Select(AnyShape, AnyShape), pair =>
        {
            var (a, b) = pair;
            var ab = Shapes.TryBroadcast(a, b, out _);
            Assert.That(Text(ab), Is.EqualTo(Text(Reference.BroadcastShape(a, b))));
            Assert.That(Text(Shapes.TryBroadcast(b, a, out _)), Is.EqualTo(Text(ab)));
        });

    [Test]
    public void Broadcast_is_associative() =>
        Sample(Gen.OneOf(Gen.Select(AnyShape, AnyShape, AnyShape, (a, b, c) => new[] { a, b, c }), Compatible.Select(c => new[] { c.A, c.B, c.C })), shapes =>
        {
            int[] a = shapes[0], b = shapes[1], c = shapes[2];
            var ab = Shapes.TryBroadcast(a, b, out _);
            var bc = Shapes.TryBroadcast(b, c, out _);
            var left = ab is null ? null : Shapes.TryBroadcast(ab, c, out _);
            var right = bc is null ? null : Shapes.TryBroadcast(a, bc, out _);
            Assert.That(Text(left), Is.EqualTo(Text(right)));
        });

    [Test]
    public void Elementwise_add_is_commutative_on_broadcast_operands() =>
        Sample(Gen.Select(Compatible, AnyLayout, Gen.Int), sample =>
        {
            var ((_, shapeA, shapeB, _), layout, seed) = sample;
            var random = new Random(seed);
            var a = Layouts.Make<double>(layout, shapeA, random);
            var b = Layouts.Make<double>(Layout.Contiguous, shapeB, random);
            var ab = NdArray.Add(a, b);
            var ba = NdArray.Add(b, a);
            Assert.That(ba.Shape.ToArray(), Is.EqualTo(ab.Shape.ToArray()));
            Assert.That(Reference.Read(ba), Is.EqualTo(Reference.Read(ab)));
        });

    [Test]
    public void Reshape_round_trips_through_flat_and_reversed_shapes() =>
        Sample(Gen.Select(AnyShape, AnyLayout, Gen.Int), sample =>
        {
            var (shape, layout, seed) = sample;
            var x = Layouts.Make<float>(layout, shape, new Random(seed));
            var values = Reference.Read(x);
            var flat = x.Reshape(Reference.Count(shape));
            var reversed = flat.Reshape([.. shape.Reverse()]);
            var back = reversed.Reshape(shape);
            Assert.That(Reference.Read(flat), Is.EqualTo(values));
            Assert.That(back.Shape.ToArray(), Is.EqualTo(shape));
            Assert.That(Reference.Read(back), Is.EqualTo(values));
        });

    [Test]
    public void Transposing_by_a_permutation_then_its_inverse_is_the_identity() =>
        Sample(Gen.Select(AnyShape, AnyLayout, Gen.Int), sample =>
        {
            var (shape, layout, seed) = sample;
            var random = new Random(seed);
            var x = Layouts.Make<double>(layout, shape, random);
            var permutation = Enumerable.Range(0, shape.Length).OrderBy(_ => random.Next()).ToArray();
            var inverse = new int[shape.Length];
            for (var i = 0; i < shape.Length; i++)
                inverse[permutation[i]] = i;

            var once = x.Transpose(permutation);
            var twice = once.Transpose(inverse);

            Assert.That(once.Shape.ToArray(), Is.EqualTo(permutation.Select(axis => shape[axis]).ToArray()));
            Assert.That(twice.Shape.ToArray(), Is.EqualTo(shape));
            Assert.That(twice.Strides.ToArray(), Is.EqualTo(x.Strides.ToArray()));
            Assert.That(Reference.Read(twice), Is.EqualTo(Reference.Read(x)));
            Assert.That(Reference.Read(x.Transpose().Transpose()), Is.EqualTo(Reference.Read(x)));
        });

    [Test]
    public void SumToShape_is_the_adjoint_of_BroadcastTo() =>
        Sample(Gen.Select(Compatible, AnyLayout, Gen.Int), sample =>
        {
            var ((target, shapeA, _, _), layout, seed) = sample;
            var random = new Random(seed);
            var a = Layouts.Make<double>(layout, shapeA, random);
            var b = Layouts.Make<double>(layout, target, random);

            // <BroadcastTo(a), b> = <a, SumToShape(b)>
            var left = Reference.Read(a.BroadcastTo(target)).Zip(Reference.Read(b), (u, v) => u * v).Sum();
            var reduced = NdArray.SumToShape(b, shapeA);
            Assert.That(reduced.Shape.ToArray(), Is.EqualTo(shapeA));
            var right = Reference.Read(a).Zip(Reference.Read(reduced), (u, v) => u * v).Sum();
            Assert.That(right, Is.EqualTo(left).Within(1e-9));
        });

    [Test]
    public void BroadcastTo_reads_each_element_where_numpy_would() =>
        Sample(Gen.Select(Compatible, AnyLayout, Gen.Int), sample =>
        {
            var ((target, shapeA, _, _), layout, seed) = sample;
            var a = Layouts.Make<double>(layout, shapeA, new Random(seed));
            var view = a.BroadcastTo(target);
            foreach (var index in Reference.Indices(target))
                Assert.That(Reference.At(view, index), Is.EqualTo(Reference.At(a, Reference.Project(index, shapeA))));
        });

    [Test]
    public void Reducing_axes_in_two_steps_equals_reducing_them_at_once() =>
        Sample(Gen.Select(AnyShape, AnyLayout, Gen.Int), sample =>
        {
            var (shape, layout, seed) = sample;
            var random = new Random(seed);
            var x = Layouts.Make<double>(layout, shape, random);
            // Each axis goes to the first step, the second step, or neither; written from the end half the time.
            var step = shape.Select(_ => random.Next(3)).ToArray();
            int[] Axes(int which) => [.. Enumerable.Range(0, shape.Length).Where(axis => step[axis] == which).Select(axis => random.Next(2) == 0 ? axis : axis - shape.Length)];
            var first = Axes(1);
            var second = Axes(2);

            var kept = NdArray.Sum(x, first, keepDims: true);
            Assert.That(kept.Shape.ToArray(), Is.EqualTo(shape.Select((n, axis) => step[axis] == 1 ? 1 : n).ToArray()));
            var twoSteps = NdArray.Sum(kept, second, keepDims: true);
            var once = NdArray.Sum(x, [.. first, .. second], keepDims: true);
            Assert.That(twoSteps.Shape.ToArray(), Is.EqualTo(once.Shape.ToArray()));
            var expected = Reference.Read(once);
            var actual = Reference.Read(twoSteps);
            for (var i = 0; i < expected.Length; i++)
                Assert.That(actual[i], Is.EqualTo(expected[i]).Within(1e-12));
        });
}
