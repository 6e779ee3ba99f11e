namespace Autograd.Runtime.Tests.Engine;

public class VariableTests
{
    [Test]
    public void Create_and_ToVariable_wrap_the_value_with_an_optional_name()
    {
        var value = NdArray.Create([1.0, 2.0]);
        var named = Variable.Create(value, "x1");
        var anonymous = value.ToVariable();

        Assert.That(named.Value, Is.SameAs(value));
        Assert.That(named.Name, Is.EqualTo("x1"));
        Assert.That(anonymous.Name, Is.Null);
        Assert.That(named.IsLeaf && named.RequiresGrad, Is.True);
        Assert.That(named.Shape.ToArray(), Is.EqualTo(new[] { 2 }));
    }

    [Test]
    public void IsVariable_tells_variables_from_arrays_and_other_objects()
    {
        object variable = NdArray.Create([1.0f]).ToVariable();
        object array = NdArray.Create([1.0]);

        Assert.That(Variable.IsVariable(variable), Is.True);
        Assert.That(Variable.IsVariable(array), Is.False);
        Assert.That(Variable.IsVariable("x"), Is.False);
        Assert.That(Variable.IsVariable(null), Is.False);
    }

    [Test]
    public void Detach_shares_the_value_but_not_the_graph()
    {
        var x = NdArray.Create([1.0]).ToVariable("x");
        var y = TestOps.Scale(x, 2);
        var detached = y.Detach();

        Assert.That(detached.Value, Is.SameAs(y.Value));
        Assert.That(detached.RequiresGrad, Is.False);
        Assert.That(detached.IsLeaf, Is.True);
    }

    [Test]
    public void ToString_shows_the_name_and_value()
    {
        var x = NdArray.Create([1.0, 2.5]).ToVariable("x");
        Assert.That(x.ToString(), Is.EqualTo("Variable x([  1, 2.5])"));
    }
}
