// Writing your own ops: a generic op with a non-array parameter and saved state, checked against
// finite differences, then every op of this assembly checked in one loop through the registry.
using Autograd;
using CustomOps;

var x = NdArray.RandomNormal<double>(seed: 1, 2, 3).ToVariable("x");

Console.WriteLine("1. A generic op on a variable, with a non-array argument (axis: 1).");
var y = MyOps.L2Normalize(x, axis: 1);
Console.WriteLine($"   y = {y.Value}");
Console.WriteLine($"   row norms of y: {NdArray.Sqrt(NdArray.Sum(NdArray.Multiply(y.Value, y.Value), [1]))}");

Console.WriteLine("2. Backward reuses the norms the forward saved and the forward's output.");
y.Backward(NdArray.RandomNormal<double>(seed: 2, 2, 3));
Console.WriteLine($"   x.Grad = {x.Grad}");

Console.WriteLine("3. The same op on plain arrays is just the forward; the generated overload drops the saved state.");
NdArray<float> plain = MyOps.L2Normalize(NdArray.Create([3f, 4f]), axis: 0);
Console.WriteLine($"   L2Normalize([3, 4]) = {plain}");

Console.WriteLine("4. GradCheck compares the analytic gradient with central finite differences.");
var check = GradCheck.Check(v => MyOps.L2Normalize(v[0], axis: 1), NdArray.RandomNormal<double>(seed: 3, 3, 4));
Console.WriteLine($"   {check}");

Console.WriteLine("5. Every op of this assembly, from the generated registry, checked in one loop.");
var allPassed = check.Passed;
foreach (var op in CustomOps.DifferentiableOpRegistry.All)
{
    if (!op.SupportsDouble)
    {
        Console.WriteLine($"   {op}: skipped (it has a parameter without a default)");
        continue;
    }
    var inputs = Enumerable.Range(0, op.InputCount).Select(i => NdArray.RandomNormal<double>(seed: 10 + i, 3, 4)).ToArray();
    var passed = GradCheck.Check(op.Invoke, inputs).Passed;
    allPassed &= passed;
    Console.WriteLine($"   {op}: {(passed ? "gradients match" : "MISMATCH")}");
}
return allPassed ? 0 : 1;
