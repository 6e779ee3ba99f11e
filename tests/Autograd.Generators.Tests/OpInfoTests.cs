using Autograd.Registry;

namespace Autograd.Generators.Tests;

/// <summary>The runtime side of the registry: how an entry validates its use.</summary>
public class OpInfoTests
{
    private static readonly OpInfo DoubleOnly = new("id", "User.Ops", "Identity", 1, static inputs => inputs[0], null);

    [Test]
    public void Invoke_checks_the_input_count()
    {
        var x = NdArray.Zeros<double>(2).ToVariable();
        Assert.That(DoubleOnly.Invoke(x), Is.SameAs(x));
        Assert.That(() => DoubleOnly.Invoke(x, x), Throws.ArgumentException.With.Message.Contains("takes 1 array input"));
    }

    [Test]
    public void Invoke_on_an_unsupported_element_type_says_why()
    {
        Assert.That(DoubleOnly.SupportsDouble, Is.True);
        Assert.That(DoubleOnly.SupportsSingle, Is.False);
        Assert.That(() => DoubleOnly.Invoke(NdArray.Zeros<float>(2).ToVariable()), Throws.TypeOf<NotSupportedException>().With.Message.Contains("'id'"));
        Assert.That(DoubleOnly.ToString(), Is.EqualTo("id (User.Ops.Identity, 1 input)"));
    }

    [Test]
    public void GradCheckAll_reports_ops_it_cannot_invoke_as_skipped()
    {
        var floatOnly = new OpInfo("f", "User.Ops", "F", 1, null, static inputs => inputs[0]);
        var results = new[] { floatOnly }.GradCheckAll();
        Assert.That(results.Single().Outcome, Is.EqualTo(OpCheckOutcome.Skipped));
    }
}
