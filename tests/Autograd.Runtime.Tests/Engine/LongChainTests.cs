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
    public void A_recorded_elementwise_op_in_a_chain_allocates_its_buffer_two_small_objects_and_its_tape_record()
    {
        // The result array (sharing its operand's shape and strides arrays) and the variable, per op; the
        // records go in chunks that double, so at most two records' bytes (96 each) per op. Large graphs cost
        // the collector per object, so a node object per op again would be a regression.
        const int Ops = 1000;
        var x = NdArray.RandomNormal<float>(1, 128).ToVariable("x");
        var factor = NdArray.Ones<float>(128);
        var y = x * factor;

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Ops; i++)
            y *= factor;
        var perOp = (GC.GetAllocatedBytesForCurrentThread() - before) / Ops;

        var buffer = 24 + 128 * sizeof(float);
        Assert.That(perOp, Is.InRange(buffer + 2 * 48 + 96, buffer + 2 * 80 + 2 * 96), $"{perOp} B per recorded op");
        Assert.That(y.Node, Is.Not.Null);
    }
}
