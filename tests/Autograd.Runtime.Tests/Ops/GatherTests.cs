using System.Numerics;
using static Autograd.Runtime.Tests.Ops.OpTestSupport;
using Op = Autograd.Ops;

namespace Autograd.Runtime.Tests.Ops;

/// <summary>IndexSelect's values and scatter-add gradient, ArgMax on variables and Accuracy.</summary>
[TestFixture(typeof(float))]
[TestFixture(typeof(double))]
public class GatherTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [TestCase(0, "contiguous")]
    [TestCase(1, "transposed")]
    [TestCase(-1, "sliced")]
    public void IndexSelect_picks_the_slices_in_order_with_repeats(int axis, string layout)
    {
        var x = Rounded<T>(Uniform(1, -3, 3, 3, 4));
        var data = x.ToArray();
        int[] shape = [3, 4];
        var along = axis < 0 ? 1 : axis;
        int[] indices = along == 0 ? [2, 0, 2] : [3, 1, 3, 3, 0];
        var expectedShape = (int[])shape.Clone();
        expectedShape[along] = indices.Length;

        var y = Op.IndexSelect(Layout(Cast<T>(x), layout), axis, indices);

        var expected = Indices(expectedShape).Select(i =>
        {
            var source = (int[])i.Clone();
            source[along] = indices[i[along]];
            return At(data, shape, source);
        }).ToArray();
        AssertValues(y, expected, expectedShape);
    }

    [Test]
    public void IndexSelect_backward_adds_the_gradient_of_a_repeated_index_once_per_use()
    {
        var x = Variable.Create(NdArray.Zeros<T>(4, 2));
        var y = Op.IndexSelect(x, 0, [1, 3, 1, 1]);
        y.Backward(Cast<T>(NdArray.Create([1.0, 2, 3, 4, 5, 6, 7, 8], 4, 2)));

        // Row 1 gets rows 0, 2 and 3 of dy; row 3 gets row 1; rows 0 and 2 get nothing.
        AssertValues(x.Grad!, [0, 0, 1 + 5 + 7, 2 + 6 + 8, 0, 0, 3, 4], [4, 2]);
    }

    [Test]
    public void IndexSelect_with_no_indices_gives_an_empty_axis_and_a_zero_gradient()
    {
        var x = Variable.Create(Cast<T>(Uniform(2, -1, 1, 3, 2)));
        var y = Op.IndexSelect(x, 0, []);
        Assert.That(y.Shape.ToArray(), Is.EqualTo(new[] { 0, 2 }));
        y.Backward(NdArray.Zeros<T>(0, 2));
        Assert.That(Doubles(x.Grad!), Has.All.EqualTo(0.0));
    }

    [Test]
    public void IndexSelect_names_an_index_outside_the_axis()
    {
        var x = NdArray.Zeros<T>(3, 2);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Op.IndexSelect(x, 0, [0, 3]));
        Assert.That(error!.Message, Does.Contain("IndexSelect: index 3 at position 1 is outside axis 0 of length 3 (shape [3, 2])"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Op.IndexSelect(x, 0, [-1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Op.IndexSelect(x, 2, [0]));
    }

    [Test]
    public void IndexSelect_gradients_pass_GradCheck_along_each_axis_with_repeats()
    {
        var x = Uniform(3, -1, 1, 3, 4, 2);
        for (var axis = 0; axis < 3; axis++)
        {
            var length = x.Shape[axis];
            int[] indices = [length - 1, 0, length - 1, 0, 0];
            GradCheck.Assert(v => Op.IndexSelect(v[0], axis, indices) * Uniform(4 + axis, -1, 1, [.. x.Shape.ToArray().Select((n, a) => a == axis ? 5 : n)]), x);
        }
    }

    [Test]
    public void ArgMax_on_a_variable_reads_its_value_and_records_nothing()
    {
        var scores = Variable.Create(Cast<T>(NdArray.Create([0.1, 0.7, 0.2, 0.9, 0.05, 0.05], 2, 3)));
        Assert.That(Op.ArgMax(scores), Is.EqualTo(new[] { 1, 0 }));
        Assert.That(Op.ArgMax(scores, axis: 0), Is.EqualTo(new[] { 1, 0, 0 }));
    }

    [Test]
    public void Accuracy_is_the_fraction_of_rows_whose_largest_score_is_the_label()
    {
        var scores = Cast<T>(NdArray.Create([0.1, 0.7, 0.2, 0.9, 0.05, 0.05, 0.3, 0.3, 0.4, 0.5, 0.5, 0], 4, 3));
        // Predictions 1, 0, 2, 0 (the first of a tie wins).
        Assert.That(Op.Accuracy(scores, [1, 0, 0, 1]), Is.EqualTo(0.5));
        Assert.That(Op.Accuracy(Variable.Create(scores), [1, 0, 2, 0]), Is.EqualTo(1.0));
        Assert.That(Op.Accuracy(NdArray.Zeros<T>(0, 3), []), Is.NaN);
        var error = Assert.Throws<ArgumentException>(() => Op.Accuracy(scores, [1, 0]));
        Assert.That(error!.Message, Does.Contain("Accuracy: scores of shape [4, 3] were given with 2 labels"));
    }
}
