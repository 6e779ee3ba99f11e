using Autograd.Registry;

namespace Autograd.Generators.Tests;

/// <summary>The runtime's own ops, written with [DifferentiableOp], checked in one call through their generated registry.</summary>
public class BuiltInOpsTests
{
    private static IReadOnlyList<OpInfo> BuiltIns()
    {
        // The runtime's registry is internal to it, as every assembly's is; reflection reaches it from here.
        var registry = typeof(NdArray<>).Assembly.GetType("Autograd.Runtime.DifferentiableOpRegistry", throwOnError: true)!;
        return (IReadOnlyList<OpInfo>)registry.GetProperty("All")!.GetValue(null)!;
    }

    [Test]
    public void Every_built_in_op_invocable_from_the_registry_gradient_checks()
    {
        var ops = BuiltIns();
        Assert.That(ops.Select(o => o.MethodName), Is.SupersetOf(new[] { "Add", "Multiply", "Exp", "Softmax", "MatMul", "Sum" }));
        Assert.That(ops.Where(o => !o.IsDifferentiableTwice), Is.Empty, "so GradCheckAll checks second derivatives of every one");
        var options = new OpCheckOptions
        {
            Broadcasting = true,
            Shapes = op => op.MethodName switch
            {
                "MatMul" => [[[2, 3], [3, 4]], [[2, 2, 3], [2, 3, 4]]],
                "MeanSquaredError" => [[[2, 3], [2, 3]]],
                "Stack" => [[[2, 3], [2, 3]]],   // stacked arrays have one shape: no broadcast case
                _ => null,
            },
        };
        var results = ops.GradCheckAll(options);
        Assert.That(results.Where(r => r.Outcome == OpCheckOutcome.Failed), Is.Empty);
        Assert.That(results.Count(r => r.Outcome == OpCheckOutcome.Passed), Is.GreaterThanOrEqualTo(20));
    }
}
