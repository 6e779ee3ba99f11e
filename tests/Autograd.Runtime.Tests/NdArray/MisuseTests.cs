namespace Autograd.Runtime.Tests.Arrays;

/// <summary>Every misuse throws the documented exception, with a message naming the op and the shapes.</summary>
public class MisuseTests
{
    private static NdArray<double> Array(params int[] shape) => NdArray.Zeros<double>(shape);

    [Test]
    public void Writing_into_a_broadcast_view_is_refused_naming_the_shape_and_axis()
    {
        var buffer = NdArray.Create([1.0, 2.0, 3.0]);
        var broadcast = buffer.BroadcastTo(2, 3);

        var inPlace = Assert.Throws<ArgumentException>(() => NdArray.AddInPlace(broadcast, NdArray.Ones<double>(2, 3)));
        Assert.That(inPlace!.Message, Does.Contain("AddInPlace").And.Contain("[2, 3]").And.Contain("axis 0"));
        Assert.Throws<ArgumentException>(() => NdArray.Copy(NdArray.Zeros<double>(2, 3), broadcast));
        Assert.Throws<ArgumentException>(() => NdArray.ExpInPlace(broadcast));
        Assert.Throws<ArgumentException>(() => NdArray.MatMul(NdArray.Ones<double>(2, 1), NdArray.Ones<double>(1, 3), into: broadcast));
        Assert.That(buffer.ToArray(), Is.EqualTo(new[] { 1.0, 2.0, 3.0 }), "nothing was written");
    }

    [Test]
    public void A_stride_0_axis_of_length_1_is_still_a_valid_destination()
    {
        var column = NdArray.Zeros<double>(3).Unsqueeze(0);   // shape [1, 3], stride 0 on the unit axis
        NdArray.AddInPlace(column, NdArray.Ones<double>(1, 3));
        Assert.That(column.ToArray(), Is.EqualTo(new[] { 1.0, 1.0, 1.0 }));
    }

    private static void AssertMessage<TException>(Action action, params string[] fragments)
        where TException : Exception
    {
        var exception = Assert.Throws<TException>(action)!;
        foreach (var fragment in fragments)
            Assert.That(exception.Message, Does.Contain(fragment));
    }

    [Test]
    public void Broadcast_incompatible_shapes() =>
        AssertMessage<ArgumentException>(() => NdArray.Add(Array(2, 3), Array(4)), "Add:", "[2, 3]", "[4]", "must be equal or one of them 1");

    [Test]
    public void Broadcast_incompatible_in_place_operand() =>
        AssertMessage<ArgumentException>(() => NdArray.MultiplyInPlace(Array(3), Array(2, 3)), "MultiplyInPlace:", "[3]", "[2, 3]");

    [Test]
    public void BroadcastTo_an_incompatible_shape() =>
        AssertMessage<ArgumentException>(() => Array(2, 3).BroadcastTo(3, 3), "BroadcastTo:", "[2, 3]", "[3, 3]");

    [Test]
    public void Wrong_destination_shape_for_a_binary_op() =>
        AssertMessage<ArgumentException>(() => NdArray.Subtract(Array(2, 3), Array(3), into: Array(3, 2)), "Subtract:", "[3, 2]", "[2, 3]");

    [Test]
    public void Wrong_destination_shape_for_a_unary_op() =>
        AssertMessage<ArgumentException>(() => NdArray.Exp(Array(2, 3), into: Array(4, 2, 3)), "Exp:", "[4, 2, 3]", "[2, 3]");

    [Test]
    public void Copy_into_a_destination_the_source_does_not_broadcast_to() =>
        AssertMessage<ArgumentException>(() => NdArray.Copy(Array(2, 3), Array(3)), "Copy:", "[2, 3]", "[3]");

    [Test]
    public void Slice_out_of_range() =>
        AssertMessage<ArgumentOutOfRangeException>(() => Array(2, 5).Slice(1, 2, 7), "Slice:", "start 2, stop 7", "[2, 5]");

    [Test]
    public void Slice_with_step_zero() =>
        AssertMessage<ArgumentOutOfRangeException>(() => Array(5).Slice(0, 0, 5, 0), "Slice:", "step 0", "[5]");

    [Test]
    public void Slice_with_too_many_ranges() =>
        AssertMessage<ArgumentException>(() => Array(5).Slice(0..1, 0..1), "Slice:", "2 ranges", "[5]");

    [Test]
    public void Reshape_to_a_different_element_count() =>
        AssertMessage<ArgumentException>(() => Array(2, 3).Reshape(4, 2), "Reshape:", "[2, 3]", "[4, 2]", "element counts must match");

    [Test]
    public void Reshape_with_two_inferred_lengths() =>
        AssertMessage<ArgumentException>(() => Array(2, 3).Reshape(-1, -1), "Reshape:", "[-1, -1]");

    [Test]
    public void Reshape_with_an_uninferable_length() =>
        AssertMessage<ArgumentException>(() => Array(2, 3).Reshape(-1, 4), "Reshape:", "[2, 3]", "[-1, 4]");

    [Test]
    public void Indexer_rank_mismatch() =>
        AssertMessage<ArgumentException>(() => _ = Array(2, 3)[1], "indexer", "1 indices", "[2, 3]");

    [Test]
    public void Indexer_params_rank_mismatch() =>
        AssertMessage<ArgumentException>(() => Array(2, 3, 4, 5)[[1, 2, 3]] = 1, "indexer", "3 indices", "[2, 3, 4, 5]");

    [Test]
    public void Indexer_out_of_range() =>
        AssertMessage<ArgumentOutOfRangeException>(() => _ = Array(2, 3)[1, 3], "indexer", "index 3", "axis 1", "[2, 3]");

    [Test]
    public void Indexer_negative_index() =>
        AssertMessage<ArgumentOutOfRangeException>(() => _ = Array(2, 3, 4)[-1, 0, 0], "indexer", "index -1", "[2, 3, 4]");

    [Test]
    public void Reduction_axis_out_of_range() =>
        AssertMessage<ArgumentOutOfRangeException>(() => NdArray.Sum(Array(2, 3), [2]), "Sum:", "axis 2", "[2, 3]", "-2 to 1");

    [Test]
    public void Reduction_axis_given_twice() =>
        AssertMessage<ArgumentException>(() => NdArray.Mean(Array(2, 3), [1, -1]), "Mean:", "given twice", "[2, 3]");

    [Test]
    public void Reduction_over_an_empty_axis_without_identity() =>
        AssertMessage<ArgumentException>(() => NdArray.Max(Array(2, 0), [1]), "Max:", "length 0", "[2, 0]");

    [Test]
    public void Transpose_with_a_wrong_axis_count() =>
        AssertMessage<ArgumentException>(() => Array(2, 3, 4).Transpose(1, 0), "Transpose:", "2 axes", "[2, 3, 4]");

    [Test]
    public void Transpose_with_a_repeated_axis() =>
        AssertMessage<ArgumentException>(() => Array(2, 3).Transpose(1, 1), "Transpose:", "given twice", "[2, 3]");

    [Test]
    public void Pick_out_of_range() =>
        AssertMessage<ArgumentOutOfRangeException>(() => Array(2, 3).Pick(1, 3), "Pick:", "index 3", "[2, 3]");

    [Test]
    public void Pick_on_a_rank_zero_array() =>
        AssertMessage<ArgumentOutOfRangeException>(() => NdArray.Scalar(1.0).Pick(0, 0), "Pick:", "[]", "no axes");

    [Test]
    public void Squeeze_an_axis_longer_than_one() =>
        AssertMessage<ArgumentException>(() => Array(2, 3).Squeeze(0), "Squeeze:", "length 2", "[2, 3]");

    [Test]
    public void Unsqueeze_out_of_range() =>
        AssertMessage<ArgumentOutOfRangeException>(() => Array(2, 3).Unsqueeze(4), "Unsqueeze:", "axis 4", "[2, 3]");

    [Test]
    public void SumToShape_to_a_shape_that_does_not_broadcast_back() =>
        AssertMessage<ArgumentException>(() => NdArray.SumToShape(Array(2, 3), [2]), "SumToShape:", "[2, 3]", "[2]");

    [Test]
    public void Create_with_a_shape_that_does_not_hold_the_data() =>
        AssertMessage<ArgumentException>(() => NdArray.Create(new double[5], 2, 3), "Create:", "[2, 3]", "5");

    [Test]
    public void Creation_with_a_negative_length() =>
        AssertMessage<ArgumentException>(() => NdArray.Zeros<double>(2, -1), "Zeros:", "[2, -1]", "negative");

    [Test]
    public void ToScalar_of_several_elements() =>
        AssertMessage<InvalidOperationException>(() => Array(2, 3).ToScalar(), "ToScalar:", "[2, 3]", "6 elements");

    [Test]
    public void AsSpan_of_a_strided_view() =>
        AssertMessage<InvalidOperationException>(() => Array(2, 3).Transpose().AsSpan(), "AsSpan:", "[3, 2]", "Clone()");

    [Test]
    public void MatMul_inner_lengths_differ() =>
        AssertMessage<ArgumentException>(() => NdArray.MatMul(Array(2, 3), Array(4, 5)), "MatMul:", "[2, 3]", "[4, 5]", "must be equal");

    [Test]
    public void MatMul_vector_length_differs() =>
        AssertMessage<ArgumentException>(() => NdArray.MatMul(Array(2, 3), Array(4)), "MatMul:", "[2, 3]", "[4]");

    [Test]
    public void MatMul_batch_axes_do_not_broadcast() =>
        AssertMessage<ArgumentException>(() => NdArray.MatMul(Array(2, 3, 4), Array(5, 4, 1)), "MatMul:", "[2, 3, 4]", "[5, 4, 1]", "batch");

    [Test]
    public void MatMul_with_a_rank_zero_operand() =>
        AssertMessage<ArgumentException>(() => NdArray.MatMul(NdArray.Scalar(2.0), Array(3)), "MatMul:", "[]", "[3]", "Multiply");

    [Test]
    public void MatMul_into_the_wrong_shape() =>
        AssertMessage<ArgumentException>(() => NdArray.MatMul(Array(2, 3), Array(3, 4), into: Array(4, 2)), "MatMul:", "[4, 2]", "[2, 4]");

    [Test]
    public void ArgMax_over_an_empty_axis() =>
        AssertMessage<ArgumentException>(() => NdArray.ArgMax(Array(3, 0), 1), "ArgMax:", "length 0", "[3, 0]");

    [Test]
    public void ArgMin_axis_out_of_range() =>
        AssertMessage<ArgumentOutOfRangeException>(() => NdArray.ArgMin(Array(3, 2), -3), "ArgMin:", "axis -3", "[3, 2]");

    [Test]
    public void Null_arguments_are_named() =>
        AssertMessage<ArgumentNullException>(() => NdArray.Add(Array(2), null!), "y");
}
