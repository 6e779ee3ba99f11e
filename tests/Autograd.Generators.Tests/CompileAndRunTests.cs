using Autograd.Registry;
using static Autograd.Generators.Tests.GeneratorHarness;

namespace Autograd.Generators.Tests;

/// <summary>User ops compiled in memory with the generator, loaded and run; gradients compared with hand-computed values.</summary>
public class CompileAndRunTests
{
    // The generic Mul op of OpSources (file-scoped namespace User), driven by a scenario that mixes variables and a constant.
    private const string MulOps = OpSources.Generic + """

        public static class Scenario
        {
            public static double[][] Run()
            {
                var a = NdArray.Create(new[] { 1.0, 2.0, 3.0 }, 3).ToVariable("a");
                var b = NdArray.Create(new[] { 4.0, 5.0, 6.0 }, 3).ToVariable("b");
                var c = NdArray.Create(new[] { 10.0, 20.0, 30.0 }, 3);
                var y = MyOps.Mul(MyOps.Mul(a, b), c);   // (a*b)*c, c constant
                y.Backward();
                var plain = MyOps.Mul(c, c);             // all-constant call: the user's forward
                return new[] { y.Value.ToArray(), a.Grad!.ToArray(), b.Grad!.ToArray(), plain.ToArray(), new[] { y.Node!.OpName == "*" ? 1.0 : 0.0 } };
            }
        }
        """;

    private const string GatherScenario = OpSources.ArrayArguments + """

        public static class GatherScenario
        {
            public static double[] Run()
            {
                var x = NdArray.Create(new[] { 1.0, 2.0, 3.0 }).ToVariable("x");
                var indices = new[] { 0, 2, 2 };
                var weights = new[] { 1.0, 10.0, 100.0 };
                var y = Gathering.Gather(x, indices, weights);
                indices[0] = 1;          // the caller reuses its arrays before backward
                weights[2] = -1.0;
                y.Backward();
                return x.Grad!.ToArray();
            }
        }
        """;

    [Test]
    public void C_sharp_array_arguments_are_saved_as_copies_so_the_caller_may_reuse_them()
    {
        var assembly = CompileAndLoad(GatherScenario);
        var gradient = (double[])Invoke(assembly, "User.GatherScenario", "Run")!;
        Assert.That(gradient, Is.EqualTo(new[] { 1.0, 0.0, 110.0 }), "the indices and weights of the forward call");
    }

    [Test]
    public void Mul_records_a_graph_and_backward_gives_the_product_rule()
    {
        var assembly = CompileAndLoad(MulOps);
        var results = (double[][])Invoke(assembly, "User.Scenario", "Run")!;
        Assert.That(results[0], Is.EqualTo(new[] { 40.0, 200.0, 540.0 }));
        Assert.That(results[1], Is.EqualTo(new[] { 40.0, 100.0, 180.0 }));   // b * c
        Assert.That(results[2], Is.EqualTo(new[] { 10.0, 40.0, 90.0 }));     // a * c
        Assert.That(results[3], Is.EqualTo(new[] { 100.0, 400.0, 900.0 }));
        Assert.That(results[4], Is.EqualTo(new[] { 1.0 }));
    }

    private const string Scenarios = Usings + """
        using System.Collections.Generic;
        using User;

        namespace Run;

        public static partial class BufferOps
        {
            // A backward that adds straight into the gradient buffer instead of allocating.
            [DifferentiableOp]
            public static NdArray<double> Copy(NdArray<double> x) => x.Clone();

            static void CopyBackward(NdArray<double> dy, GradSlot<double> dx)
            {
                if (dx.IsNeeded) NdArray.AddInPlace(dx.GetBuffer(), dy);
            }
        }

        public static class Scenarios
        {
            static NdArray<double> A(params double[] values) => NdArray.Create(values, values.Length);

            public static Dictionary<string, double[]> Run()
            {
                var r = new Dictionary<string, double[]>();

                // Saved state and output: Drop zeroes every 2nd element and doubles the rest; the mask is the gradient.
                var x = A(1, 2, 3, 4).ToVariable();
                var dropped = Regularization.Drop(x, 2);
                dropped.Backward();
                r["drop.value"] = dropped.Value.ToArray();
                r["drop.grad"] = x.Grad!.ToArray();
                r["drop.stateless"] = Regularization.Drop(A(1, 2, 3, 4), 2).ToArray();

                // A generic op with non-array parameters passed to backward.
                var l = A(-2, 3).ToVariable();
                var leaky = Activations.LeakyRelu(l, slope: 0.5f);
                leaky.Backward();
                r["leaky.value"] = leaky.Value.ToArray();
                r["leaky.grad"] = l.Grad!.ToArray();

                // A concrete double op; a variable used twice sums both contributions.
                var s = A(3).ToVariable();
                var sq = MyOps.Mul(DoubleOps.Square(s), s);   // s^3
                sq.Backward();
                r["cube.grad"] = s.Grad!.ToArray();            // 3 s^2 = 27

                // Output saved for backward.
                var e = A(0, 1).ToVariable();
                var exp = UnaryOps.Exp(e);
                exp.Backward();
                r["exp.grad"] = e.Grad!.ToArray();

                // Broadcasting: a [3] input multiplied into a [2, 3] one gets its gradient summed back to [3].
                var m = NdArray.Create(new double[] { 1, 2, 3, 4, 5, 6 }, 2, 3).ToVariable();
                var row = A(1, 1, 1).ToVariable();
                MyOps.Mul(m, row).Backward();
                r["broadcast.grad"] = row.Grad!.ToArray();      // column sums 5, 7, 9

                // GetBuffer.
                var c = A(1, 2).ToVariable();
                var copy = BufferOps.Copy(c);
                var sum = MyOps.Mul(copy, A(10, 20));
                sum.Backward();
                r["buffer.grad"] = c.Grad!.ToArray();

                // Nothing is recorded for constants, under no-grad, or for variables that do not require grad.
                var constant = A(1).ToVariable(requiresGrad: false);
                var fromConstant = MyOps.Mul(constant, A(2));
                Variable<double> inScope;
                using (Variable.NoGrad())
                    inScope = MyOps.Mul(A(1).ToVariable(), A(2));
                r["recorded"] = new[] { fromConstant.RequiresGrad ? 1.0 : 0, fromConstant.Node is null ? 0 : 1.0, inScope.RequiresGrad ? 1.0 : 0, sq.Node!.InputCount };

                // Overloads of one name get distinct nodes; three inputs in any mix.
                var f = A(2).ToVariable();
                var fma = Fused.MulAdd(A(3), f, f);              // 3f + f
                fma.Backward();
                r["fma.grad"] = f.Grad!.ToArray();
                var p = A(2).ToVariable();
                var scaled = Scaling.Scale(Scaling.Scale(p, A(5)), factor: 3);   // 15 p
                scaled.Backward();
                r["scale.grad"] = p.Grad!.ToArray();
                r["names"] = new[] { scaled.Node!.OpName == "Scale" ? 1.0 : 0, fma.Node!.OpName == "fma" ? 1.0 : 0 };
                return r;
            }

            public static string FreedGraph()
            {
                var v = A(1).ToVariable();
                var y = UnaryOps.Exp(v);
                y.Backward(retainGraph: false);
                try { y.Backward(); return "no error"; }
                catch (InvalidOperationException ex) { return ex.Message; }
            }
        }
        """;

    private const string VariadicScenario = Usings + """
        using System.Collections.Generic;
        using User;

        namespace Run;

        public static class VariadicScenario
        {
            static NdArray<double> A(params double[] values) => NdArray.Create(values, values.Length);

            public static Dictionary<string, double[]> Run()
            {
                var r = new Dictionary<string, double[]>();
                var options = new GradCheckOptions { RelativeTolerance = 1e-6 };

                // Against finite differences: an element used twice, a broadcast element, params, and a second derivative.
                var mix = GradCheck.Check(v => Mixing.Mix([v[0], v[1], v[0]], v[2], scale: 0.5), options,
                    NdArray.RandomNormal<double>(seed: 1, 2, 3), NdArray.RandomNormal<double>(seed: 2, 1, 3), NdArray.RandomNormal<double>(seed: 3, 2, 3));
                var product = GradCheck.Check(v => Products.Product(v[0], v[1], v[2]), options,
                    NdArray.RandomNormal<double>(seed: 4, 3), NdArray.RandomNormal<double>(seed: 5, 3), NdArray.RandomNormal<double>(seed: 6, 3));
                var second = GradCheck.CheckSecondOrder(v => Products.Product(v[0], v[1], v[0]), options,
                    NdArray.RandomNormal<double>(seed: 7, 3), NdArray.RandomNormal<double>(seed: 8, 3));
                r["gradcheck"] = [mix.Passed ? 1 : 0, product.Passed ? 1 : 0, second.Passed ? 1 : 0];

                // One graph input per element, in parameter order: the node of each variable that requires grad, null for the rest.
                var a = A(1, 2).ToVariable("a");
                var b = A(3, 4).ToVariable("b", requiresGrad: false);
                var w = A(10, 20).ToVariable("w");
                var tracked = Mixing.Mix([a, b], w);
                var constants = Mixing.Mix([A(1, 2), A(3, 4)], w);
                tracked.Backward();
                r["inputs"] = [tracked.Node!.InputCount, tracked.Node.GetInput(0) == a.GraphNode ? 1 : 0, tracked.Node.GetInput(1) is null ? 1 : 0, tracked.Node.GetInput(2) == w.GraphNode ? 1 : 0,
                    constants.Node!.InputCount, constants.Node.GetInput(1) is null ? 1 : 0, constants.Node.GetInput(2) == w.GraphNode ? 1 : 0];
                r["grads"] = [.. a.Grad!.ToArray(), .. w.Grad!.ToArray(), b.Grad is null ? 1 : 0];
                r["values"] = [.. tracked.Value.ToArray(), .. Mixing.Mix([A(1, 2), A(3, 4)], A(10, 20)).ToArray()];
                return r;
            }

            public static string StaleElement()
            {
                var xs = new[] { A(1, 2).ToVariable(), A(3, 4).ToVariable(requiresGrad: false) };
                var constant = xs[1];
                var y = Products.Product(xs);
                xs[0] = A(9, 9).ToVariable();           // the caller reuses its array: the node kept its own copy
                NdArray.NegateInPlace(constant.Value);
                try { y.Backward(); return "no error"; }
                catch (InvalidOperationException ex) { return ex.Message; }
            }

            public static string NullElement()
            {
                try { Products.Product(A(1).ToVariable(), null!); return "no error"; }
                catch (ArgumentNullException ex) { return ex.Message; }
            }
        }
        """;

    [Test]
    public void A_variadic_op_records_an_input_per_element_and_its_gradients_match_finite_differences()
    {
        var assembly = CompileAndLoad(OpSources.Variadic, OpSources.VariadicRecorded, VariadicScenario);
        var r = (Dictionary<string, double[]>)Invoke(assembly, "Run.VariadicScenario", "Run")!;
        Assert.Multiple(() =>
        {
            Assert.That(r["gradcheck"], Is.EqualTo(new[] { 1.0, 1, 1 }), "Mix, Product, and Product's second derivatives");
            Assert.That(r["inputs"], Is.EqualTo(new[] { 3.0, 1, 1, 1, 3, 1, 1 }));
            Assert.That(r["grads"], Is.EqualTo(new[] { 10.0, 20, 4, 6, 1 }));   // d/da = w; d/dw = a + b; b does not require grad
            Assert.That(r["values"], Is.EqualTo(new[] { 40.0, 120, 40, 120 }));
        });
        Assert.That((string)Invoke(assembly, "Run.VariadicScenario", "StaleElement")!, Does.Contain("input 'xs[1]'").And.Contain("op 'Product'"));
        Assert.That((string)Invoke(assembly, "Run.VariadicScenario", "NullElement")!, Does.StartWith("Product: xs[1] is null"));
    }

    private static string[] AllShapes => [.. OpSources.All.Where(s => s.Key != nameof(OpSources.BrokenBackward)).Select(s => s.Value)];

    [Test]
    public void An_extension_op_is_called_as_a_method_on_arrays_and_variables()
    {
        var assembly = CompileAndLoad(OpSources.Documented, GeneratorHarness.Usings + """
            namespace Run;
            using User;
            public static class Methods
            {
                public static double[] Run()
                {
                    var x = NdArray.Create(new[] { 1.0, 2.0 }).ToVariable("x");
                    var y = x.Stretch(3.0);
                    Sum(y).Backward();
                    var plain = x.Value.Stretch(2.0);
                    return [.. y.Value.ToArray(), .. x.Grad!.ToArray(), .. plain.ToArray()];
                }

                private static Variable<double> Sum(Variable<double> v) => Ops.Sum(v);
            }
            """);
        Assert.That(Invoke(assembly, "Run.Methods", "Run"), Is.EqualTo(new[] { 3.0, 6, 3, 3, 2, 4 }));
    }

    [Test]
    public void Every_shape_runs_with_the_expected_gradients()
    {
        var assembly = CompileAndLoadAllowing(["AG0020"], [.. AllShapes, Scenarios]);
        var r = (Dictionary<string, double[]>)Invoke(assembly, "Run.Scenarios", "Run")!;
        Assert.Multiple(() =>
        {
            Assert.That(r["drop.value"], Is.EqualTo(new[] { 0.0, 4, 0, 8 }));
            Assert.That(r["drop.grad"], Is.EqualTo(new[] { 0.0, 2, 0, 2 }));
            Assert.That(r["drop.stateless"], Is.EqualTo(new[] { 0.0, 4, 0, 8 }));
            Assert.That(r["leaky.value"], Is.EqualTo(new[] { -1.0, 3 }));
            Assert.That(r["leaky.grad"], Is.EqualTo(new[] { 0.5, 1 }));
            Assert.That(r["cube.grad"], Is.EqualTo(new[] { 27.0 }));
            Assert.That(r["exp.grad"], Is.EqualTo(new[] { 1.0, Math.E }).Within(1e-12));
            Assert.That(r["broadcast.grad"], Is.EqualTo(new[] { 5.0, 7, 9 }));
            Assert.That(r["buffer.grad"], Is.EqualTo(new[] { 10.0, 20 }));
            Assert.That(r["recorded"], Is.EqualTo(new[] { 0.0, 0, 0, 2 }));
            Assert.That(r["fma.grad"], Is.EqualTo(new[] { 4.0 }));
            Assert.That(r["scale.grad"], Is.EqualTo(new[] { 15.0 }));
            Assert.That(r["names"], Is.EqualTo(new[] { 1.0, 1 }));
        });
        Assert.That((string)Invoke(assembly, "Run.Scenarios", "FreedGraph")!, Does.Contain("'Exp'"));
    }

    [Test]
    public void The_registry_lists_every_op_and_gradient_checks_them_all_in_one_call()
    {
        var assembly = CompileAndLoadAllowing(["AG0020"], AllShapes);
        var registry = assembly.GetType("UserAssembly.DifferentiableOpRegistry", throwOnError: true)!;
        var all = (IReadOnlyList<OpInfo>)registry.GetProperty("All")!.GetValue(null)!;
        Assert.That(all.Select(o => o.Name), Is.EquivalentTo(new[]
        {
            "*", "Square", "neg", "leaky_relu", "Exp", "Drop", "add", "Scale", "Scale", "Identity", "fma", "Sum5", "Twice", "Tag", "Half", "gather", "Stretch", "Thin", "*", "mix", "Product", "Weigh", "Ratio",
        }));

        var results = all.GradCheckAll(new OpCheckOptions { Broadcasting = true });
        var failed = results.Where(r => r.Outcome == OpCheckOutcome.Failed).ToList();
        Assert.That(failed, Is.Empty, () => string.Join("\n", failed));
        var skipped = results.Where(r => r.Outcome == OpCheckOutcome.Skipped).Select(r => r.Op.Name);
        Assert.That(skipped, Is.EquivalentTo(new[] { "neg", "Drop", "Tag", "gather", "Stretch" }));   // float only; 'every' has no default; two type parameters; 'indices' and 'factor' have no default
        Assert.That(results.Count(r => r.Outcome == OpCheckOutcome.Passed), Is.GreaterThanOrEqualTo(15));
    }

    [Test]
    public void The_registry_check_reports_a_wrong_backward()
    {
        var wrong = OpSources.Generic.Replace("dx2.Accumulate(NdArray.Multiply(dy, x1))", "dx2.Accumulate(NdArray.Multiply(dy, x2))", StringComparison.Ordinal);
        var assembly = CompileAndLoad(wrong);
        var all = (IReadOnlyList<OpInfo>)assembly.GetType("UserAssembly.DifferentiableOpRegistry", throwOnError: true)!.GetProperty("All")!.GetValue(null)!;
        var results = all.GradCheckAll();
        Assert.That(results.Single().Outcome, Is.EqualTo(OpCheckOutcome.Failed));
        Assert.That(() => all.AssertGradCheckAll(), Throws.InvalidOperationException.With.Message.Contains("op '*'"));
    }

    private const string Allocation = Usings + """
        using User;

        namespace Run;

        public static class Allocation
        {
            // Bytes per call: the plain forward, the tracked overload on a leaf, a bare untracked Variable, and the tracked
            // overload on the previous call's result (a chain), measured on this thread.
            public static long[] Measure()
            {
                var a = NdArray.Create(new[] { 1.0, 2.0, 3.0 }, 3);
                var b = NdArray.Create(new[] { 4.0, 5.0, 6.0 }, 3);
                var va = a.ToVariable();
                const int N = 1000;
                for (var i = 0; i < N; i++) { MyOps.Mul(a, b); MyOps.Mul(va, b); _ = new Variable<double>(a, requiresGrad: false); }

                var start = GC.GetAllocatedBytesForCurrentThread();
                for (var i = 0; i < N; i++) MyOps.Mul(a, b);
                var plain = (GC.GetAllocatedBytesForCurrentThread() - start) / N;

                start = GC.GetAllocatedBytesForCurrentThread();
                for (var i = 0; i < N; i++) MyOps.Mul(va, b);
                var tracked = (GC.GetAllocatedBytesForCurrentThread() - start) / N;

                start = GC.GetAllocatedBytesForCurrentThread();
                for (var i = 0; i < N; i++) _ = new Variable<double>(a, requiresGrad: false);
                var variable = (GC.GetAllocatedBytesForCurrentThread() - start) / N;

                var chain = va;
                start = GC.GetAllocatedBytesForCurrentThread();
                for (var i = 0; i < N; i++) chain = MyOps.Mul(chain, b);
                var chained = (GC.GetAllocatedBytesForCurrentThread() - start) / N;
                return new[] { plain, tracked, variable, chained };
            }
        }
        """;

    [Test]
    public void A_tracked_call_allocates_only_the_result_variable_and_one_tape_record_beyond_the_forward()
    {
        var assembly = CompileAndLoad(OpSources.Generic, Allocation);
        var bytes = (long[])Invoke(assembly, "Run.Allocation", "Measure")!;
        var (plain, tracked, variable, chained) = (bytes[0], bytes[1], bytes[2], bytes[3]);
        var message = $"forward {plain} B, tracked {tracked} B, variable {variable} B, chained {chained} B per call";
        // A record: the op (8), two inputs (2 × 16: chunk and index), two saved arrays with the versions they had
        // (2 × 16), the output shape (8), the pass claim (id and slot) and a flag (16): 96 bytes.
        // On a leaf, a chunk of its own: the chunk object (40) and an array of one record (24 + 96).
        Assert.That(tracked - plain - variable, Is.InRange(1, 160), message);
        // On the previous result, the record goes after it in its chunk; chunks double, so at most two records' bytes per call.
        Assert.That(chained - plain - variable, Is.InRange(1, 2 * 96), message);
    }

    [Test]
    public void Parameters_named_like_generated_locals_do_not_clash()
    {
        var source = Usings + """
            namespace User;

            public static partial class Odd
            {
                [DifferentiableOp]
                public static NdArray<double> F(NdArray<double> __value, double __state, out double value)
                {
                    value = __state;
                    return NdArray.Multiply(__value, __state);
                }

                static void FBackward(NdArray<double> dy, double __state, double value, NdArray<double> output, GradSlot<double> dx)
                    => dx.Accumulate(NdArray.Multiply(dy, value));
            }

            public static class Check
            {
                public static double[] Run()
                {
                    var x = NdArray.Create(new[] { 1.0, 2.0 }, 2).ToVariable();
                    Odd.F(x, 3).Backward();
                    return x.Grad!.ToArray();
                }
            }
            """;
        var assembly = CompileAndLoad(source);
        Assert.That((double[])Invoke(assembly, "User.Check", "Run")!, Is.EqualTo(new[] { 3.0, 3.0 }));
    }

    private const string ThirdDerivative = GeneratorHarness.Usings + """
        namespace User;

        public static class Derivatives
        {
            public static double[] Run()
            {
                var x = NdArray.Create(new[] { 2.0, -3.0 }).ToVariable("x");
                var cube = Poly.Times(Poly.Times(x, x), x);
                var first = Variable.Gradients(cube, new[] { x }, createGraph: true)[0];
                var second = Variable.Gradients(first, new[] { x }, createGraph: true)[0];
                var third = Variable.Gradients(second, new[] { x })[0];
                return [.. first.Value.ToArray(), .. second.Value.ToArray(), .. third.Value.ToArray(), cube.Node!.IsDifferentiableTwice ? 1 : 0];
            }
        }
        """;

    [Test]
    public void An_op_with_a_recorded_backward_is_differentiable_to_any_order()
    {
        var assembly = CompileAndLoad(OpSources.Recorded, ThirdDerivative);

        var results = (double[])Invoke(assembly, "User.Derivatives", "Run")!;

        Assert.That(results, Is.EqualTo(new[] { 12.0, 27.0, 12.0, -18.0, 6.0, 6.0, 1.0 }), "3x², 6x, 6, and the node says so");
    }

    // Weigh(x, scale, terms) = x * scale * Σterms and Ratio(x1, x2) = x1 / x2 of OpSources.SavedFor.
    private const string SavedForScenario = Usings + """
        using System.Runtime.CompilerServices;
        using User;

        namespace Run;

        public static class SavedForScenario
        {
            static NdArray<double> A(params double[] values) => NdArray.Create(values, values.Length);

            // h = Weigh(x, s, [t]) and y = Weigh(h, s, [t]): y's node would save h's value for the gradients of s and t,
            // which it needs only when s or t requires grad. They are constant arrays (mode 0), variables that do not
            // require grad (1), or s requires grad (2). Only y, x and a weak reference to h's value leave this method.
            [MethodImpl(MethodImplOptions.NoInlining)]
            static (Variable<double> Y, Variable<double> X, WeakReference HiddenValue) Record(int mode)
            {
                var x = A(1, 2, 3).ToVariable("x");
                var (scale, term) = (A(2, 3, 4), A(1, 1, 1));
                Variable<double> h, y;
                if (mode == 0)
                {
                    h = Weighing.Weigh(x, scale, [term]);
                    y = Weighing.Weigh(h, scale, [term]);
                }
                else
                {
                    var (s, t) = (scale.ToVariable("s", requiresGrad: mode == 2), term.ToVariable("t", requiresGrad: false));
                    h = Weighing.Weigh(x, s, [t]);
                    y = Weighing.Weigh(h, s, [t]);
                }
                return (y, x, new WeakReference(h.Value));
            }

            // [h's value collected, y has a node, x's gradient]
            public static double[] Chain(int mode)
            {
                var (y, x, hidden) = Record(mode);
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                var collected = hidden.IsAlive ? 0.0 : 1.0;
                y.Backward();
                return [collected, y.Node is null ? 0 : 1, .. x.Grad!.ToArray()];
            }

            // GradCheck passes: every mix of tracked and constant inputs, and Ratio's second derivatives.
            public static double[] Checks()
            {
                var options = new GradCheckOptions { RelativeTolerance = 1e-6 };
                NdArray<double> R(int seed) => NdArray.RandomUniform<double>(seed, 0.5, 2.0, 2, 3);
                var (s, t) = (R(10), R(11));
                return
                [
                    GradCheck.Check(v => Weighing.Weigh(v[0], v[1], [v[2], v[3]]), options, R(1), R(2), R(3), R(4)).Passed ? 1 : 0,
                    GradCheck.Check(v => Weighing.Weigh(v[0], s, [v[1]]), options, R(5), R(6)).Passed ? 1 : 0,
                    GradCheck.Check(v => Weighing.Weigh(v[0], s, [t]), options, R(7)).Passed ? 1 : 0,
                    GradCheck.Check(v => Weighing.Weigh(s, v[0], [t.ToVariable(requiresGrad: false), v[1]]), options, R(8), R(9)).Passed ? 1 : 0,
                    GradCheck.CheckSecondOrder(v => Weighing.Ratio(v[0], v[1]), options, R(12), R(13)).Passed ? 1 : 0,
                    GradCheck.CheckSecondOrder(v => Weighing.Ratio(v[0], s), options, R(14)).Passed ? 1 : 0,
                    GradCheck.CheckSecondOrder(v => Weighing.Ratio(s, v[0]), options, R(15)).Passed ? 1 : 0,
                ];
            }
        }
        """;

    [Test]
    public void An_input_saved_for_the_gradients_of_constants_only_is_not_kept()
    {
        var assembly = CompileAndLoad(OpSources.SavedFor, SavedForScenario);

        var results = Enumerable.Range(0, 3).Select(mode => (double[])Invoke(assembly, "Run.SavedForScenario", "Chain", mode)!).ToList();

        // y = x s² t², so dy/dx = s² t² = 4, 9, 16 in every case.
        Assert.That(results[0], Is.EqualTo(new[] { 1.0, 1, 4, 9, 16 }), "s and t are constant arrays: h's value is collected while y's node lives");
        Assert.That(results[1], Is.EqualTo(new[] { 1.0, 1, 4, 9, 16 }), "s and t are variables that do not require grad: the same");
        Assert.That(results[2], Is.EqualTo(new[] { 0.0, 1, 4, 9, 16 }), "s requires grad: y's node keeps h's value for its gradient");
    }

    [Test]
    public void Inputs_saved_for_some_gradients_give_gradients_that_match_finite_differences()
    {
        var assembly = CompileAndLoad(OpSources.SavedFor, SavedForScenario);

        var passed = (double[])Invoke(assembly, "Run.SavedForScenario", "Checks")!;

        Assert.That(passed, Is.EqualTo(new[] { 1.0, 1, 1, 1, 1, 1, 1 }), "Weigh with all, some and one input tracked; Ratio's second derivatives");
    }
}
