using System.Numerics;

namespace Autograd.Runtime.Tests.Arrays;

[TestFixture(typeof(float))]
[TestFixture(typeof(double))]
public class ViewTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static NdArray<T> Counting(params int[] shape) => Reference.Build<T>(shape, i => i);

    [Test]
    public void Layouts_have_the_requested_shape_and_share_no_element_twice_unless_broadcast([ValueSource(typeof(Layouts), nameof(Layouts.All))] Layout layout)
    {
        var x = Layouts.Make<T>(layout, [3, 4, 2], new Random(1));

        Assert.That(x.Shape.ToArray(), Is.EqualTo(new[] { 3, 4, 2 }));
        Assert.That(x.Length, Is.EqualTo(24));
        Assert.That(x.Rank, Is.EqualTo(3));
        Assert.That(x.IsContiguous, Is.EqualTo(layout == Layout.Contiguous));
        var positions = Reference.Indices([3, 4, 2]).Select(i => x.Offset + i.Zip(x.Strides.ToArray(), (a, s) => a * s).Sum()).Distinct().Count();
        Assert.That(positions, layout == Layout.Broadcast ? Is.LessThan(24) : Is.EqualTo(24));
    }

    [Test]
    public void Transpose_without_axes_reverses_them()
    {
        var x = Counting(2, 3, 4);
        var t = x.Transpose();

        Assert.That(t.Shape.ToArray(), Is.EqualTo(new[] { 4, 3, 2 }));
        foreach (var index in Reference.Indices([4, 3, 2]))
            Assert.That(Reference.At(t, index), Is.EqualTo(Reference.At(x, [index[2], index[1], index[0]])));
    }

    [Test]
    public void Transpose_with_a_permutation_takes_axis_i_from_axes_i_and_accepts_negative_axes()
    {
        var x = Counting(2, 3, 4);
        var t = x.Transpose(1, -1, 0);

        Assert.That(t.Shape.ToArray(), Is.EqualTo(new[] { 3, 4, 2 }));
        foreach (var index in Reference.Indices([3, 4, 2]))
            Assert.That(Reference.At(t, index), Is.EqualTo(Reference.At(x, [index[2], index[0], index[1]])));
    }

    [Test]
    public void Slice_with_positive_and_negative_steps_reads_start_plus_i_times_step(
        [Values(1, 2, 3, -1, -2)] int step)
    {
        var x = Counting(3, 7);
        var (start, stop) = step > 0 ? (1, 6) : (6, 0);
        var view = x.Slice(1, start, stop, step);

        var expectedCount = step > 0 ? (stop - start + step - 1) / step : (start - stop - step - 1) / -step;
        Assert.That(view.Shape.ToArray(), Is.EqualTo(new[] { 3, expectedCount }));
        foreach (var index in Reference.Indices(view.Shape.ToArray()))
            Assert.That(Reference.At(view, index), Is.EqualTo(Reference.At(x, [index[0], start + index[1] * step])));
    }

    [Test]
    public void Slice_backwards_to_minus_one_includes_element_zero()
    {
        var view = Counting(5).Slice(0, 4, -1, -1);

        Assert.That(Reference.Read(view), Is.EqualTo(new double[] { 4, 3, 2, 1, 0 }));
    }

    [Test]
    public void Slice_may_be_empty()
    {
        var view = Counting(3, 4).Slice(1, 2, 2);

        Assert.That(view.Shape.ToArray(), Is.EqualTo(new[] { 3, 0 }));
        Assert.That(view.ToArray(), Is.Empty);
    }

    [Test]
    public void Slice_with_ranges_accepts_from_end_indices()
    {
        var x = Counting(4, 5);
        var view = x.Slice(1..3, ^2..);

        Assert.That(view.Shape.ToArray(), Is.EqualTo(new[] { 2, 2 }));
        Assert.That(Reference.Read(view), Is.EqualTo(new double[] { 8, 9, 13, 14 }));
    }

    [Test]
    public void Pick_removes_the_axis_and_reads_the_chosen_index()
    {
        var x = Counting(2, 3, 4);
        var view = x.Pick(1, 2);

        Assert.That(view.Shape.ToArray(), Is.EqualTo(new[] { 2, 4 }));
        foreach (var index in Reference.Indices([2, 4]))
            Assert.That(Reference.At(view, index), Is.EqualTo(Reference.At(x, [index[0], 2, index[1]])));
    }

    [Test]
    public void BroadcastTo_repeats_with_stride_zero_and_shares_the_buffer()
    {
        var x = Counting(3, 1);
        var view = x.BroadcastTo(2, 3, 4);

        Assert.That(view.Strides.ToArray(), Is.EqualTo(new[] { 0, 1, 0 }));
        foreach (var index in Reference.Indices([2, 3, 4]))
            Assert.That(Reference.At(view, index), Is.EqualTo(index[1]));
        x[2, 0] = T.CreateChecked(40);
        Assert.That(view[1, 2, 3], Is.EqualTo(T.CreateChecked(40)));
    }

    [Test]
    public void Reshape_of_a_contiguous_array_is_a_view_in_row_major_order()
    {
        var x = Counting(2, 6);
        var view = x.Reshape(3, -1, 2);

        Assert.That(view.Shape.ToArray(), Is.EqualTo(new[] { 3, 2, 2 }));
        Assert.That(Reference.Read(view), Is.EqualTo(Reference.Read(x)));
        view[0, 0, 1] = T.CreateChecked(-5);
        Assert.That(x[0, 1], Is.EqualTo(T.CreateChecked(-5)), "a view writes through");
    }

    [Test]
    public void Reshape_of_a_strided_array_copies_in_row_major_order([ValueSource(typeof(Layouts), nameof(Layouts.All))] Layout layout)
    {
        var x = Layouts.Make<T>(layout, [2, 3, 2], new Random(2));
        var reshaped = x.Reshape(6, 2);

        Assert.That(reshaped.Shape.ToArray(), Is.EqualTo(new[] { 6, 2 }));
        Assert.That(Reference.Read(reshaped), Is.EqualTo(Reference.Read(x)));
    }

    [Test]
    public void Reshape_of_a_strided_array_is_a_view_only_when_strides_can_express_it()
    {
        var x = Counting(6, 4);
        var transposed = x.Transpose(); // [4, 6], strides [1, 4]
        var stepped = x.Slice(1, 0, 4, 2); // [6, 2], strides [4, 2]

        var split = transposed.Reshape(2, 2, 1, 6);
        var merged = stepped.Reshape(2, 3, 2);
        var flattened = transposed.Reshape(24);

        Assert.That(Reference.Read(split), Is.EqualTo(Reference.Read(transposed)));
        Assert.That(Reference.Read(merged), Is.EqualTo(Reference.Read(stepped)));
        Assert.That(Reference.Read(flattened), Is.EqualTo(Reference.Read(transposed)));
        split[1, 0, 0, 5] = T.CreateChecked(-1);
        Assert.That(x[5, 2], Is.EqualTo(T.CreateChecked(-1)), "splitting an axis is a view");
        merged[1, 2, 1] = T.CreateChecked(-2);
        Assert.That(x[5, 2], Is.EqualTo(T.CreateChecked(-2)), "splitting a stepped axis is a view");
        flattened[23] = T.CreateChecked(-3);
        Assert.That(x[5, 3], Is.EqualTo(T.CreateChecked(23)), "merging axes walked in different orders copies");
    }

    [Test]
    public void Reshape_handles_rank_zero_and_empty_arrays()
    {
        Assert.That(NdArray.Scalar(T.CreateChecked(7)).Reshape(1, 1).ToArray(), Is.EqualTo(new[] { T.CreateChecked(7) }));
        Assert.That(Counting(1).Reshape().Rank, Is.Zero);
        Assert.That(Counting(2, 0).Reshape(0, 5).Shape.ToArray(), Is.EqualTo(new[] { 0, 5 }));
    }

    [Test]
    public void Unsqueeze_and_Squeeze_add_and_remove_an_axis_of_length_one()
    {
        var x = Counting(2, 3);
        var u = x.Unsqueeze(1);
        var last = x.Unsqueeze(-1);

        Assert.That(u.Shape.ToArray(), Is.EqualTo(new[] { 2, 1, 3 }));
        Assert.That(last.Shape.ToArray(), Is.EqualTo(new[] { 2, 3, 1 }));
        Assert.That(Reference.Read(u), Is.EqualTo(Reference.Read(x)));
        Assert.That(u.IsContiguous, Is.True);
        var back = u.Squeeze(1);
        Assert.That(back.Shape.ToArray(), Is.EqualTo(new[] { 2, 3 }));
        Assert.That(Reference.Read(back), Is.EqualTo(Reference.Read(x)));
    }

    [Test]
    public void Clone_is_contiguous_equal_and_independent([ValueSource(typeof(Layouts), nameof(Layouts.All))] Layout layout)
    {
        var x = Layouts.Make<T>(layout, [3, 2, 2], new Random(3));
        var clone = x.Clone();

        Assert.That(clone.IsContiguous, Is.True);
        Assert.That(clone.Shape.ToArray(), Is.EqualTo(x.Shape.ToArray()));
        Assert.That(Reference.Read(clone), Is.EqualTo(Reference.Read(x)));
        Assert.That(clone.ToArray().Select(double.CreateChecked), Is.EqualTo(Reference.Read(x)));
        clone[0, 0, 0] = T.CreateChecked(99);
        Assert.That(Reference.At(x, [0, 0, 0]), Is.Not.EqualTo(99));
    }

    [Test]
    public void Indexers_read_and_write_through_strided_views()
    {
        var x = Counting(3, 4, 5);
        var t = x.Transpose();
        t[4, 2, 1] = T.CreateChecked(-1);
        Assert.That(x[1, 2, 4], Is.EqualTo(T.CreateChecked(-1)));

        var m = x.Pick(0, 2).Slice(1, 4, 0, -2);
        Assert.That(m[3, 1], Is.EqualTo(T.CreateChecked(2 * 20 + 3 * 5 + 2)));
        m[0, 0] = T.CreateChecked(-2);
        Assert.That(x[2, 0, 4], Is.EqualTo(T.CreateChecked(-2)));

        var v = x.Pick(0, 1).Pick(0, 3);
        Assert.That(v[2], Is.EqualTo(T.CreateChecked(20 + 15 + 2)));
        Assert.That(x[[1, 3, 2]], Is.EqualTo(v[2]));
        x[[0, 0, 1]] = T.CreateChecked(8);
        Assert.That(x[0, 0, 1], Is.EqualTo(T.CreateChecked(8)));
    }

    [Test]
    public void ToScalar_reads_a_rank_zero_or_single_element_view()
    {
        Assert.That(NdArray.Scalar(T.CreateChecked(2.5)).ToScalar(), Is.EqualTo(T.CreateChecked(2.5)));
        Assert.That(Counting(3, 4).Slice(1, 2, 3).Slice(0, 2, 3).ToScalar(), Is.EqualTo(T.CreateChecked(10)));
    }

    [Test]
    public void AsSpan_of_a_contiguous_view_covers_exactly_its_elements()
    {
        var x = Counting(4, 3).Slice(0, 1, 3);

        Assert.That(x.IsContiguous, Is.True);
        Assert.That(x.AsSpan().ToArray().Select(double.CreateChecked), Is.EqualTo(new double[] { 3, 4, 5, 6, 7, 8 }));
    }

    [Test]
    public void Creation_functions_fill_as_described()
    {
        Assert.That(NdArray.Zeros<T>(2, 3).ToArray(), Is.EqualTo(Enumerable.Repeat(T.Zero, 6)));
        Assert.That(NdArray.Ones<T>(4).ToArray(), Is.EqualTo(Enumerable.Repeat(T.One, 4)));
        Assert.That(NdArray.Full(T.CreateChecked(3), 2, 2).ToArray(), Is.EqualTo(Enumerable.Repeat(T.CreateChecked(3), 4)));
        Assert.That(NdArray.Zeros<T>().Rank, Is.Zero);
        Assert.That(NdArray.Zeros<T>(0, 3).Length, Is.Zero);
        Assert.That(NdArray.Arange<T>(4).ToArray().Select(double.CreateChecked), Is.EqualTo(new double[] { 0, 1, 2, 3 }));

        var data = new[] { T.One, T.CreateChecked(2), T.CreateChecked(3), T.CreateChecked(4), T.CreateChecked(5), T.CreateChecked(6) };
        var created = NdArray.Create(data, 2, 3);
        Assert.That(created[1, 0], Is.EqualTo(T.CreateChecked(4)));
        data[0] = T.CreateChecked(10);
        Assert.That(created[0, 0], Is.EqualTo(T.CreateChecked(10)), "Create wraps without copying");
        Assert.That(NdArray.Create(data).Shape.ToArray(), Is.EqualTo(new[] { 6 }));

        var fromArray = NdArray.FromArray(new[,] { { T.One, T.CreateChecked(2) }, { T.CreateChecked(3), T.CreateChecked(4) }, { T.CreateChecked(5), T.CreateChecked(6) } });
        Assert.That(fromArray.Shape.ToArray(), Is.EqualTo(new[] { 3, 2 }));
        Assert.That(fromArray[2, 1], Is.EqualTo(T.CreateChecked(6)));
        Assert.That(fromArray[1, 0], Is.EqualTo(T.CreateChecked(3)));
    }

    [Test]
    public void Random_arrays_are_reproducible_and_have_the_right_distribution()
    {
        var normal = NdArray.RandomNormal<T>(5, 101, 99);
        Assert.That(NdArray.RandomNormal<T>(5, 101, 99).ToArray(), Is.EqualTo(normal.ToArray()));
        Assert.That(NdArray.RandomNormal<T>(6, 101, 99).ToArray(), Is.Not.EqualTo(normal.ToArray()));
        var values = normal.ToArray().Select(double.CreateChecked).ToArray();
        var mean = values.Average();
        var variance = values.Select(v => (v - mean) * (v - mean)).Average();
        Assert.That(mean, Is.EqualTo(0).Within(0.05));
        Assert.That(variance, Is.EqualTo(1).Within(0.05));

        var low = T.CreateChecked(-3);
        var high = T.CreateChecked(5);
        var uniform = NdArray.RandomUniform(7, low, high, 100, 100).ToArray();
        Assert.That(uniform, Is.All.GreaterThanOrEqualTo(low).And.All.LessThan(high));
        Assert.That(uniform.Select(double.CreateChecked).Average(), Is.EqualTo(1).Within(0.1));
        Assert.That(NdArray.RandomUniform(7, low, high, 100, 100).ToArray(), Is.EqualTo(uniform));
    }

    [Test]
    public void INdArray_reports_shape_and_element_type()
    {
        INdArray x = Counting(2, 5);

        Assert.That(x.Shape.ToArray(), Is.EqualTo(new[] { 2, 5 }));
        Assert.That(x.Rank, Is.EqualTo(2));
        Assert.That(x.Length, Is.EqualTo(10));
        Assert.That(x.ElementType, Is.EqualTo(typeof(T)));
    }
}
