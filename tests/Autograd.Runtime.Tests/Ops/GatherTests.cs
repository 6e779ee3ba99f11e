using System.Numerics;
using static Autograd.Runtime.Tests.Ops.OpTestSupport;
using Op = Autograd.Ops;

namespace Autograd.Runtime.Tests.Ops;

/// <summary>IndexSelect's values and scatter-add gradient, IndexAdd and SliceAdd (the scatters), ArgMax on variables and Accuracy.</summary>
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
    public void IndexAdd_adds_each_source_slice_at_its_index_and_is_IndexSelects_gradient()
    {
        var x = Cast<T>(NdArray.Create([1.0, 2, 3, 4, 5, 6], 3, 2));
        var source = Cast<T>(NdArray.Create([10.0, 20, 30, 40, 50, 60], 3, 2));

        var y = Op.IndexAdd(x, source, 0, [2, 0, 2]);

        AssertValues(y, [1 + 30, 2 + 40, 3, 4, 5 + 10 + 50, 6 + 20 + 60], [3, 2]);
        AssertValues(x, [1, 2, 3, 4, 5, 6], [3, 2]);
        var leaf = Variable.Create(NdArray.Zeros<T>(3, 2));
        var dy = Cast<T>(NdArray.Create([1.0, 2, 3, 4, 5, 6], 3, 2));
        Op.IndexSelect(leaf, 0, [2, 0, 2]).Backward(dy);
        AssertValues(leaf.Grad!, Doubles(Op.IndexAdd(NdArray.Zeros<T>(3, 2), dy, 0, [2, 0, 2])), [3, 2]);
    }

    [Test]
    public void IndexAdd_names_a_bad_index_and_a_source_of_the_wrong_shape()
    {
        var x = NdArray.Zeros<T>(3, 2);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Op.IndexAdd(x, NdArray.Zeros<T>(1, 2), 0, [3]));
        Assert.That(error!.Message, Does.Contain("IndexAdd: index 3 at position 0 is outside axis 0 of length 3 (shape [3, 2])"));
        var shape = Assert.Throws<ArgumentException>(() => Op.IndexAdd(x, NdArray.Zeros<T>(2, 2), 1, [0, 1, 1]));
        Assert.That(shape!.Message, Does.Contain("IndexAdd: the source has shape [2, 2], but 3 slices of x (shape [3, 2]) along axis 1 have shape [3, 3]"));
    }

    [Test]
    public void SliceAdd_adds_the_source_where_Slice_reads_and_is_Slices_gradient()
    {
        var x = Cast<T>(NdArray.Create([1.0, 2, 3, 4, 5, 6, 7, 8], 2, 4));
        var source = Cast<T>(NdArray.Create([10.0, 20, 30, 40], 2, 2));

        var y = Op.SliceAdd(x, source, 1, 1, 4, 2);

        AssertValues(y, [1, 2 + 10, 3, 4 + 20, 5, 6 + 30, 7, 8 + 40], [2, 4]);
        var leaf = Variable.Create(NdArray.Zeros<T>(2, 4));
        Op.Slice(leaf, 1, 1, 4, 2).Backward(source);
        AssertValues(leaf.Grad!, Doubles(Op.SliceAdd(NdArray.Zeros<T>(2, 4), source, 1, 1, 4, 2)), [2, 4]);
        var error = Assert.Throws<ArgumentException>(() => Op.SliceAdd(x, NdArray.Zeros<T>(2, 3), 1, 1, 4, 2));
        Assert.That(error!.Message, Does.Contain("SliceAdd: the source has shape [2, 3], but the slice 1:4:2 along axis 1 of x (shape [2, 4]) has shape [2, 2]"));
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
