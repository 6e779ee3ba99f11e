namespace Autograd.Runtime.Tests.Engine;

public class LongChainTests
{
    [Test]
    public void A_chain_of_five_million_ops_backpropagates_on_a_one_megabyte_stack()
    {
        // Recursion anywhere in recording, discovery or the sweep would overflow a 1 MiB stack long before this.
        const int length = 5_000_000;
        const double factor = 1.00000001;
        double? gradient = null;
        Exception? failure = null;
        var worker = new Thread(() =>
        {
            try
            {
                var x = NdArray.Create([1.0]).ToVariable("x");
                var y = x;
                for (var i = 0; i < length; i++)
                    y = TestOps.Scale(y, factor);
                y.Backward(retainGraph: false);
                gradient = x.Grad!.ToScalar();
            }
            catch (Exception e)
            {
                failure = e;
            }
        }, maxStackSize: 1 << 20);

        worker.Start();
        worker.Join();

        Assert.That(failure, Is.Null);
        Assert.That(gradient, Is.EqualTo(Math.Pow(factor, length)).Within(1e-8));
    }
}

public class RecordingCostTests
{
    [Test]
    public void A_recorded_elementwise_op_allocates_its_buffer_and_three_small_objects()
    {
        // The result array (sharing its operand's shape and strides arrays), the node and the variable:
        // large graphs cost the collector per object, so a fourth small object per op is a regression.
        var x = NdArray.RandomNormal<float>(1, 128).ToVariable("x");
        var factor = NdArray.Ones<float>(128);
        var y = x * factor;

        var before = GC.GetAllocatedBytesForCurrentThread();
        y *= factor;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        var buffer = 24 + 128 * sizeof(float);
        Assert.That(allocated, Is.InRange(buffer + 3 * 48, buffer + 3 * 80), $"{allocated} B for one recorded op");
        Assert.That(y.Node, Is.Not.Null);
    }
}
