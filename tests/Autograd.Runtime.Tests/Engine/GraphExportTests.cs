namespace Autograd.Runtime.Tests.Engine;

public class GraphExportTests
{
    [Test]
    public void ToDot_draws_each_variable_and_op_once_with_edges_along_the_data_flow()
    {
        var x = NdArray.Create([1.0, 2.0]).ToVariable("x");
        var constant = NdArray.Create([3.0, 4.0]);
        var y = TestOps.Mul(x, x);
        y.Name = "y";
        var z = global::Autograd.Ops.Add(y, constant);

        var dot = z.ToDot();

        Assert.That(dot, Does.StartWith("digraph autograd {").And.EndWith("}\n"));
        Assert.That(Count(dot, "label=\"x\\n[2]\""), Is.EqualTo(1), "x is used twice but drawn once");
        Assert.That(Count(dot, "label=\"mul\""), Is.EqualTo(1));
        Assert.That(Count(dot, "label=\"y\\n[2]\""), Is.EqualTo(1));
        Assert.That(Count(dot, "label=\"constant\""), Is.EqualTo(1));
        Assert.That(Count(dot, " -> "), Is.EqualTo(6), "x->mul twice, mul->y, y->add, constant->add, add->z");
    }

    [Test]
    public void ToDot_of_a_leaf_is_one_box()
    {
        var dot = NdArray.Zeros<float>(2, 3).ToVariable("w").ToDot();
        Assert.That(dot, Does.Contain("label=\"w\\n[2, 3]\"").And.Not.Contain("->"));
    }

    private static int Count(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;
}
