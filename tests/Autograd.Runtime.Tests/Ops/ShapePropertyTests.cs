using CsCheck;
using static Autograd.Runtime.Tests.Ops.OpTestSupport;
using Op = Autograd.Ops;

namespace Autograd.Runtime.Tests.Ops;

/// <summary>Property-based (CsCheck) tests of the ops' shape rules, and of gradients having their inputs' shapes.</summary>
public class ShapePropertyTests
{
    private static readonly Gen<int[]> ShapeGen = Gen.Int[1, 4].Array[0, 4];

    /// <summary>Two shapes that broadcast: a common shape with some axes set to 1 and some leading axes dropped on either side.</summary>
    private static readonly Gen<(int[], int[])> BroadcastPairGen =
        from full in Gen.Int[1, 4].Array[0, 4]
        from dropA in Gen.Int[0, full.Length]
        from dropB in Gen.Int[0, full.Length]
        from onesA in Gen.Bool.Array[full.Length]
        from onesB in Gen.Bool.Array[full.Length]
        select (full.Select((n, i) => onesA[i] ? 1 : n).Skip(dropA).ToArray(), full.Select((n, i) => onesB[i] ? 1 : n).Skip(dropB).ToArray());

    [Test]
    public void Binary_ops_give_the_numpy_broadcast_shape_and_gradients_of_each_input_shape()
    {
        BroadcastPairGen.Sample(pair =>
        {
            var (shapeA, shapeB) = pair;
            var a = Variable.Create(NdArray.Ones<double>(shapeA));
            var b = Variable.Create(NdArray.Ones<double>(shapeB));
            var y = Op.Multiply(a, b);
            Assert.That(y.Shape.ToArray(), Is.EqualTo(BroadcastShape(shapeA, shapeB)));
            Op.Sum(y).Backward();
            Assert.That(a.Grad!.Shape.ToArray(), Is.EqualTo(shapeA));
            Assert.That(b.Grad!.Shape.ToArray(), Is.EqualTo(shapeB));
            // d(Σ a*b)/da = b summed over the axes a was broadcast along: the number of copies of each element.
            var copies = ShapeCount(BroadcastShape(shapeA, shapeB)) / ShapeCount(shapeA);
            Assert.That(a.Grad.ToArray(), Has.All.EqualTo((double)copies));
        }, iter: 200);
    }

    [Test]
    public void Reductions_drop_or_keep_exactly_the_reduced_axes()
    {
        Gen.Select(ShapeGen.Where(s => s.Length > 0), Gen.Bool, Gen.Int).Sample((shape, keepDims, pick) =>
        {
            var axes = Enumerable.Range(0, shape.Length).Where(a => ((pick >> a) & 1) == 1).ToArray();
            var x = Variable.Create(NdArray.RandomNormal<double>(pick, shape));
            foreach (var y in new[] { Op.Sum(x, axes, keepDims), Op.Mean(x, axes, keepDims), Op.Max(x, axes, keepDims), Op.Min(x, axes, keepDims) })
            {
                var expected = keepDims
                    ? shape.Select((n, a) => axes.Contains(a) ? 1 : n).ToArray()
                    : shape.Where((_, a) => !axes.Contains(a)).ToArray();
                Assert.That(y.Shape.ToArray(), Is.EqualTo(expected));
                y.Backward(NdArray.Ones<double>(expected));
            }
            Assert.That(x.Grad!.Shape.ToArray(), Is.EqualTo(shape));
        }, iter: 200);
    }

    [Test]
    public void MatMul_shape_follows_numpy_rules()
    {
        var gen =
            from batch in Gen.Int[1, 3].Array[0, 2]
            from m in Gen.Int[1, 4]
            from k in Gen.Int[1, 4]
            from n in Gen.Int[1, 4]
            from vectorA in Gen.Bool
            from vectorB in Gen.Bool
            from batchOnA in Gen.Bool
            select (batch, m, k, n, vectorA, vectorB, batchOnA);
        gen.Sample(c =>
        {
            int[] shapeA = c.vectorA ? [c.k] : c.batchOnA ? [.. c.batch, c.m, c.k] : [c.m, c.k];
            int[] shapeB = c.vectorB ? [c.k] : !c.batchOnA ? [.. c.batch, c.k, c.n] : [c.k, c.n];
            var batch = (c.vectorA && c.batchOnA) || (c.vectorB && !c.batchOnA) ? [] : c.batch;
            var expected = new List<int>(batch);
            if (!c.vectorA)
                expected.Add(c.m);
            if (!c.vectorB)
                expected.Add(c.n);
            var a = Variable.Create(NdArray.Ones<double>(shapeA));
            var b = Variable.Create(NdArray.Ones<double>(shapeB));
            var y = Op.MatMul(a, b);
            Assert.That(y.Shape.ToArray(), Is.EqualTo(expected.ToArray()));
            y.Backward();
            Assert.That(a.Grad!.Shape.ToArray(), Is.EqualTo(shapeA));
            Assert.That(b.Grad!.Shape.ToArray(), Is.EqualTo(shapeB));
        }, iter: 200);
    }

    [Test]
    public void Transpose_reshape_concat_and_stack_shapes()
    {
        Gen.Select(ShapeGen.Where(s => s.Length > 0), Gen.Int, Gen.Int[1, 3]).Sample((shape, seed, count) =>
        {
            var random = new Random(seed);
            var permutation = Enumerable.Range(0, shape.Length).OrderBy(_ => random.Next()).ToArray();
            var x = NdArray.Ones<double>(shape);

            Assert.That(Op.Transpose(x, permutation).Shape.ToArray(), Is.EqualTo(permutation.Select(a => shape[a]).ToArray()));
            Assert.That(Op.Transpose(x).Shape.ToArray(), Is.EqualTo(shape.Reverse().ToArray()));
            Assert.That(Op.Reshape(x, [-1]).Shape.ToArray(), Is.EqualTo(new[] { ShapeCount(shape) }));

            var axis = random.Next(shape.Length);
            var parts = Enumerable.Range(0, count).Select(_ => x).ToArray();
            var concatShape = (int[])shape.Clone();
            concatShape[axis] *= count;
            Assert.That(Op.Concat(parts, axis).Shape.ToArray(), Is.EqualTo(concatShape));
            var stackShape = shape.ToList();
            stackShape.Insert(axis, count);
            Assert.That(Op.Stack(parts, axis).Shape.ToArray(), Is.EqualTo(stackShape.ToArray()));
        }, iter: 200);
    }

    private static int ShapeCount(int[] shape) => shape.Aggregate(1, (a, b) => a * b);
}
