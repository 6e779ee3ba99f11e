namespace Autograd.Runtime.Tests.Arrays;

public class AllCloseTests
{
    [Test]
    public void Differences_within_the_tolerances_are_close_and_beyond_them_are_not()
    {
        var x = NdArray.Create([1.0, 100.0]);

        Assert.That(NdArray.AllClose(x, NdArray.Create([1.0 + 5e-9, 100.0 + 5e-4])), Is.True);
        Assert.That(NdArray.AllClose(x, NdArray.Create([1.0 + 2e-5, 100.0])), Is.False, "the allowance at 1 is 1e-8 + 1e-5 * 1");
        Assert.That(NdArray.AllClose(x, NdArray.Create([1.0, 100.01]), relativeTolerance: 1e-3), Is.True);
    }

    [Test]
    public void Broadcasts_and_reads_strided_views()
    {
        var matrix = NdArray.Create([1f, 2f, 1f, 2f], 2, 2);
        Assert.That(NdArray.AllClose(matrix, NdArray.Create([1f, 2f])), Is.True);
        Assert.That(NdArray.AllClose(matrix.Transpose(), NdArray.Create([1f, 2f])), Is.False);
    }

    [Test]
    public void NaN_is_close_to_nothing_but_equal_infinities_are_close()
    {
        Assert.That(NdArray.AllClose(NdArray.Create([double.NaN]), NdArray.Create([double.NaN])), Is.False);
        Assert.That(NdArray.AllClose(NdArray.Create([double.PositiveInfinity]), NdArray.Create([double.PositiveInfinity])), Is.True);
        Assert.That(NdArray.AllClose(NdArray.Create([double.PositiveInfinity]), NdArray.Create([double.NegativeInfinity])), Is.False);
        Assert.That(NdArray.AllClose(NdArray.Create([1e308]), NdArray.Create([double.PositiveInfinity])), Is.False);
    }

    [Test]
    public void Shapes_that_do_not_broadcast_are_an_error_naming_them()
    {
        var error = Assert.Throws<ArgumentException>(() => NdArray.AllClose(NdArray.Zeros<double>(2), NdArray.Zeros<double>(3)));
        Assert.That(error!.Message, Does.Contain("AllClose").And.Contain("[2]").And.Contain("[3]"));
    }
}
