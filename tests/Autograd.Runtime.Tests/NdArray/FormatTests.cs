namespace Autograd.Runtime.Tests.Arrays;

public class FormatTests
{
    private static NdArray<double> Values(int[] shape, params double[] values) => NdArray.Create(values, shape);

    [Test]
    public void A_scalar_prints_its_value() => Assert.That(NdArray.Scalar(3.5).ToString(), Is.EqualTo("3.5"));

    [Test]
    public void A_vector_prints_on_one_line_aligned() => Assert.That(Values([3], 1, 2.5, -3).ToString(), Is.EqualTo("[  1, 2.5,  -3]"));

    [Test]
    public void A_matrix_aligns_its_columns_right() =>
        Assert.That(Values([2, 2], 1, -2, 10, 4).ToString(), Is.EqualTo("[[ 1, -2],\n [10,  4]]"));

    [Test]
    public void Rank_three_separates_blocks_by_a_blank_line() =>
        Assert.That(
            Values([2, 2, 2], 0, 1, 2, 3, 4, 5, 6, 7).ToString(),
            Is.EqualTo("[[[0, 1],\n  [2, 3]],\n\n [[4, 5],\n  [6, 7]]]"));

    [Test]
    public void A_strided_view_prints_in_its_own_order() =>
        Assert.That(Values([2, 3], 1, 2, 3, 4, 5, 6).Transpose().Slice(0, 2, -1, -1).ToString(), Is.EqualTo("[[3, 6],\n [2, 5],\n [1, 4]]"));

    [Test]
    public void Float_and_special_values_use_six_significant_digits_and_invariant_culture()
    {
        Assert.That(NdArray.Create([0.1f, 1f / 3, float.NaN]).ToString(), Is.EqualTo("[     0.1, 0.333333,      NaN]"));
        Assert.That(NdArray.Create([double.PositiveInfinity, -1234567.0]).ToString(), Is.EqualTo("[    Infinity, -1.23457E+06]"));
    }

    [Test]
    public void Empty_arrays_print_empty_brackets()
    {
        Assert.That(NdArray.Zeros<double>(0).ToString(), Is.EqualTo("[]"));
        Assert.That(NdArray.Zeros<double>(2, 0).ToString(), Is.EqualTo("[[],\n []]"));
    }

    [Test]
    public void A_large_vector_shows_three_items_at_each_end() =>
        Assert.That(NdArray.Arange<double>(2000).ToString(), Is.EqualTo("[   0,    1,    2, ..., 1997, 1998, 1999]"));

    [Test]
    public void A_large_matrix_elides_rows_and_columns()
    {
        var text = NdArray.Arange<double>(2500).Reshape(50, 50).ToString();
        var lines = text.Split('\n');

        Assert.That(lines, Has.Length.EqualTo(7));
        Assert.That(lines[0], Is.EqualTo("[[   0,    1,    2, ...,   47,   48,   49],"));
        Assert.That(lines[3], Is.EqualTo(" ...,"));
        Assert.That(lines[6], Is.EqualTo(" [2450, 2451, 2452, ..., 2497, 2498, 2499]]"));
    }

    [Test]
    public void Up_to_a_thousand_elements_print_in_full() =>
        Assert.That(NdArray.Zeros<float>(1000).ToString().Split(", "), Has.Length.EqualTo(1000));
}
