using System.Numerics;
using static Autograd.Runtime.Tests.Ops.OpTestSupport;
using Op = Autograd.Ops;

namespace Autograd.Runtime.Tests.Ops;

/// <summary>Reductions, matmul and shape ops' values in float and double, strided inputs included, against plain-loop references.</summary>
[TestFixture(typeof(float))]
[TestFixture(typeof(double))]
public class ReductionAndShapeValueTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [TestCaseSource(typeof(OpTestSupport), nameof(OpTestSupport.ReductionCases))]
    public void Reduction_matches_a_loop_over_the_reduced_axes(string name, string? axesText, bool keepDims, string layout)
    {
        var axes = axesText?.Split(',').Select(int.Parse).Select(a => a < 0 ? a + 3 : a).ToArray();
        int[] shape = [2, 3, 4];
        var x = Rounded<T>(Uniform(5, -3, 3, shape));
        var input = Layout(Cast<T>(x), layout);

        var actual = name switch
        {
            "Sum" => Op.Sum(input, axes, keepDims),
            "Mean" => Op.Mean(input, axes, keepDims),
            "Max" => Op.Max(input, axes, keepDims),
            _ => Op.Min(input, axes, keepDims),
        };

        var reduced = axes ?? [0, 1, 2];
        var keptShape = shape.Select((n, a) => reduced.Contains(a) ? 1 : n).ToArray();
        var groups = new Dictionary<int, List<double>>();
        var data = x.ToArray();
        foreach (var index in Indices(shape))
        {
            var key = 0;
            for (var a = 0; a < 3; a++)
                key = key * keptShape[a] + (reduced.Contains(a) ? 0 : index[a]);
            if (!groups.TryGetValue(key, out var list))
                groups[key] = list = [];
            list.Add(At(data, shape, index));
        }
        var expected = groups.OrderBy(g => g.Key).Select(g => name switch
        {
            "Sum" => g.Value.Sum(),
            "Mean" => g.Value.Average(),
            "Max" => g.Value.Max(),
            _ => g.Value.Min(),
        }).ToArray();
        var expectedShape = keepDims ? keptShape : shape.Where((_, a) => !reduced.Contains(a)).ToArray();
        AssertValues(actual, expected, expectedShape, tolerance: 10 * Tolerance<T>());
    }

    private static IEnumerable<TestCaseData> MatMulCases()
    {
        int[][][] pairs =
        [
            [[3, 4], [4, 2]], [[3, 4], [4]], [[4], [4, 2]], [[4], [4]], [[2, 3, 4], [4, 5]],
            [[3, 4], [2, 4, 5]], [[2, 1, 3, 4], [5, 4, 2]], [[1, 1], [1, 1]], [[5, 7], [7, 6]],
        ];
        return from pair in pairs from layout in Layouts select new TestCaseData(pair[0], pair[1], layout);
    }

    [TestCaseSource(nameof(MatMulCases))]
    public void MatMul_matches_a_triple_loop(int[] shapeA, int[] shapeB, string layout)
    {
        var a = Rounded<T>(Uniform(1, -1, 1, shapeA));
        var b = Rounded<T>(Uniform(2, -1, 1, shapeB));

        var actual = Op.MatMul(Layout(Cast<T>(a), layout), Layout(Cast<T>(b), layout));

        // Promote vectors, broadcast batches, multiply, drop the vector axes: numpy's matmul, spelled out.
        var sa = shapeA.Length == 1 ? new[] { 1, shapeA[0] } : shapeA;
        var sb = shapeB.Length == 1 ? new[] { shapeB[0], 1 } : shapeB;
        int m = sa[^2], k = sa[^1], n = sb[^1];
        var batch = BroadcastShape(sa[..^2], sb[..^2]);
        double[] da = a.ToArray(), db = b.ToArray();
        var expected = new List<double>();
        foreach (var bi in Indices([.. batch, m, n]))
        {
            double sum = 0;
            for (var p = 0; p < k; p++)
                sum += At(da, sa, [.. bi[..^2], bi[^2], p]) * At(db, sb, [.. bi[..^2], p, bi[^1]]);
            expected.Add(sum);
        }
        var shape = new List<int>(batch);
        if (shapeA.Length > 1)
            shape.Add(m);
        if (shapeB.Length > 1)
            shape.Add(n);
        AssertValues(actual, [.. expected], [.. shape], tolerance: 10 * Tolerance<T>());
    }

    [TestCase("contiguous")]
    [TestCase("transposed")]
    [TestCase("sliced")]
    public void Shape_ops_move_elements_as_index_arithmetic_says(string layout)
    {
        var x = Rounded<T>(Uniform(3, -3, 3, 2, 3, 4));
        var data = x.ToArray();
        var input = Layout(Cast<T>(x), layout);
        int[] shape = [2, 3, 4];

        AssertValues(Op.Reshape(input, [4, -1]), data, [4, 6]);
        AssertValues(Op.Transpose(input), Indices([4, 3, 2]).Select(i => At(data, shape, [i[2], i[1], i[0]])).ToArray(), [4, 3, 2]);
        AssertValues(Op.Transpose(input, [1, 2, 0]), Indices([3, 4, 2]).Select(i => At(data, shape, [i[2], i[0], i[1]])).ToArray(), [3, 4, 2]);
        AssertValues(Op.Slice(input, 2, 1, 4, 2), Indices([2, 3, 2]).Select(i => At(data, shape, [i[0], i[1], 1 + 2 * i[2]])).ToArray(), [2, 3, 2]);
        AssertValues(Op.Slice(input, 1, 2, -1, -1), Indices([2, 3, 4]).Select(i => At(data, shape, [i[0], 2 - i[1], i[2]])).ToArray(), [2, 3, 4]);
        AssertValues(Op.Unsqueeze(input, 1), data, [2, 1, 3, 4]);
        AssertValues(Op.Unsqueeze(input, -1), data, [2, 3, 4, 1]);
        AssertValues(Op.Squeeze(Op.Unsqueeze(input, 0), 0), data, shape);
        AssertValues(Op.BroadcastTo(Op.Slice(input, 0, 1, 2), [3, 1, 3, 4]), Indices([3, 1, 3, 4]).Select(i => At(data, shape, [1, i[2], i[3]])).ToArray(), [3, 1, 3, 4]);
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(-1)]
    public void Concat_and_stack_place_each_input_after_the_previous(int axis)
    {
        var a = Rounded<T>(Uniform(4, -1, 1, 2, 3));
        var b = Rounded<T>(Uniform(5, -1, 1, 2, 3));
        int[] shape = [2, 3];

        var concat = Op.Concat([Layout(Cast<T>(a), "transposed"), Cast<T>(b)], axis);
        var stack = Op.Stack([Cast<T>(a), Layout(Cast<T>(b), "sliced")], axis);

        var along = axis < 0 ? 1 : axis;
        int[] concatShape = along == 0 ? [4, 3] : [2, 6];
        var expectedConcat = Indices(concatShape).Select(i =>
        {
            var first = i[along] < shape[along];
            var j = (int[])i.Clone();
            if (!first)
                j[along] -= shape[along];
            return At(first ? a.ToArray() : b.ToArray(), shape, j);
        }).ToArray();
        AssertValues(concat, expectedConcat, concatShape);

        var stackAxis = axis < 0 ? 2 : axis;
        var stackShape = new List<int>(shape);
        stackShape.Insert(stackAxis, 2);
        var expectedStack = Indices([.. stackShape]).Select(i =>
        {
            var which = i[stackAxis];
            var j = i.Where((_, n) => n != stackAxis).ToArray();
            return At(which == 0 ? a.ToArray() : b.ToArray(), shape, j);
        }).ToArray();
        AssertValues(stack, expectedStack, [.. stackShape]);
    }

    [Test]
    public void Concat_of_variables_records_one_node_and_keeps_the_values()
    {
        var a = Variable.Create(Cast<T>(Uniform(6, -1, 1, 2, 2)), "a");
        var b = Variable.Create(Cast<T>(Uniform(7, -1, 1, 2, 1)), "b");

        var joined = Op.Concat([a, b], axis: 1);

        Assert.That(joined.Node!.OpName, Is.EqualTo("Concat"));
        Assert.That(joined.Node.InputCount, Is.EqualTo(2));
        Assert.That(joined.Node.GetInput(1), Is.SameAs(b.GraphNode));
        Assert.That(Doubles(joined.Value), Is.EqualTo(Doubles(Op.Concat([a.Value, b.Value], 1))));
        using (Variable.NoGrad())
            Assert.That(Op.Concat([a, b], 1).RequiresGrad, Is.False);
    }
}
