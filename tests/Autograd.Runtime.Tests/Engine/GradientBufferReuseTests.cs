using Autograd.Optimizers;
using AutogradOps = Autograd.Ops;

namespace Autograd.Runtime.Tests.Engine;

/// <summary>
/// Backward passes take their gradient buffers from a per-thread pool and leaves keep theirs across
/// steps (issue 8). These tests try to catch a buffer reused while somebody can still reach it: they
/// keep every gradient a user can get hold of (hook arguments, retained grads, Gradients results,
/// GradVariable), run more training steps on the same thread (so the pool is busy with the same
/// shapes), and check that nothing they kept changed.
/// </summary>
public class GradientBufferReuseTests
{
    /// <summary>
    /// A small network whose backward exercises every way a gradient buffer moves: MatMul writing into
    /// buffers, Add handing dy on to two intermediates and reducing a broadcast bias, Relu writing into
    /// a buffer, a variable used twice, and cross-entropy; or, twice differentiable, with a sigmoid for
    /// the ReLU.
    /// </summary>
    private sealed class Model
    {
        private readonly NdArray<double> _x;
        private readonly int[] _labels = [0, 2, 1, 2];
        public readonly Variable<double> W1, B1, W2, B2;

        private readonly bool _twiceDifferentiable;

        public Model(int seed, bool twiceDifferentiable = false)
        {
            _twiceDifferentiable = twiceDifferentiable;
            _x = NdArray.RandomNormal<double>(seed, 4, 6);
            W1 = NdArray.RandomNormal<double>(seed + 1, 6, 5).ToVariable("w1");
            B1 = NdArray.RandomNormal<double>(seed + 2, 5).ToVariable("b1");
            W2 = NdArray.RandomNormal<double>(seed + 3, 5, 3).ToVariable("w2");
            B2 = NdArray.RandomNormal<double>(seed + 4, 3).ToVariable("b2");
        }

        public Variable<double>[] Parameters => [W1, B1, W2, B2];

        /// <summary>The loss, and every intermediate variable on the way to it.</summary>
        public (Variable<double> Loss, Variable<double>[] Intermediates) Forward() => Forward(W1, B1, W2, B2);

        public (Variable<double> Loss, Variable<double>[] Intermediates) Forward(Variable<double> w1, Variable<double> b1, Variable<double> w2, Variable<double> b2)
        {
            var z = AutogradOps.MatMul(_x, w1);
            var a = z + b1;
            var h = _twiceDifferentiable ? AutogradOps.Sigmoid(a) : AutogradOps.Relu(a);
            var t = AutogradOps.Tanh(a);
            var s = h + t;
            var m = AutogradOps.MatMul(s, w2);
            var logits = m + b2;
            var crossEntropy = AutogradOps.CrossEntropy(logits, _labels);
            var penalty = AutogradOps.Mean(AutogradOps.Multiply(h, h));
            var loss = crossEntropy + penalty;
            return (loss, new[] { z, a, h, t, s, m, logits, crossEntropy, penalty, loss });
        }

        /// <summary>A training step of this model, which fills the pool with buffers of its shapes.</summary>
        public void Step(Sgd<double> optimizer)
        {
            optimizer.ZeroGrad();
            Forward().Loss.Backward();
            optimizer.Step();
        }
    }

    /// <summary>An array someone kept, and a copy of what it held then.</summary>
    private sealed class Kept
    {
        private readonly List<(string What, NdArray<double> Array, double[] Then)> _arrays = [];

        public NdArray<double>? Add(string what, NdArray<double> array)
        {
            _arrays.Add((what, array, array.ToArray()));
            return null;
        }

        public int Count => _arrays.Count;

        public void AssertUnchanged()
        {
            foreach (var (what, array, then) in _arrays)
                Assert.That(array.ToArray(), Is.EqualTo(then), $"{what} changed after it was handed out");
        }
    }

    [Test]
    public void Arrays_hooks_saw_never_change_in_later_passes()
    {
        var model = new Model(seed: 1);
        var optimizer = new Sgd<double>(model.Parameters, learningRate: 0.1, momentum: 0.5);
        var kept = new Kept();
        var hooks = model.Parameters.Select((p, i) => p.RegisterHook(g => kept.Add($"parameter {i}'s gradient", g))).ToList();
        for (var step = 0; step < 12; step++)
        {
            optimizer.ZeroGrad();
            var (loss, intermediates) = model.Forward();
            for (var i = 0; i < intermediates.Length; i++)
            {
                var label = $"intermediate {i}'s gradient in step {step}";
                intermediates[i].RegisterHook(g => kept.Add(label, g));
            }
            loss.Backward();
            optimizer.Step();
        }
        hooks.ForEach(hook => hook.Dispose());
        var churn = new Model(seed: 1);
        for (var step = 0; step < 3; step++)
            churn.Step(new Sgd<double>(churn.Parameters, learningRate: 0.1)); // more passes of the same shapes, without hooks

        Assert.That(kept.Count, Is.EqualTo(12 * 14));
        kept.AssertUnchanged();
    }

    [Test]
    public void Retained_gradients_and_Gradients_results_never_change_in_later_passes()
    {
        var model = new Model(seed: 2);
        var other = new Model(seed: 3);
        var optimizer = new Sgd<double>(other.Parameters, learningRate: 0.1);
        var kept = new Kept();
        for (var step = 0; step < 6; step++)
        {
            var (loss, intermediates) = model.Forward();
            foreach (var intermediate in intermediates)
                intermediate.RetainGrad();
            var results = Variable.Gradients(loss, [intermediates[0], intermediates[2], intermediates[4], model.W1, model.B1]);
            foreach (var (result, i) in results.Select((r, i) => (r, i)))
                kept.Add($"Gradients result {i} of step {step}", result.Value);
            loss.Backward();
            foreach (var (intermediate, i) in intermediates.Select((v, i) => (v, i)))
                kept.Add($"retained grad of intermediate {i} in step {step}", intermediate.Grad!);
            other.Step(optimizer);
        }
        kept.AssertUnchanged();
    }

    [Test]
    public void A_graph_kept_for_a_second_backward_gives_the_same_gradients_again()
    {
        var model = new Model(seed: 4);
        var churn = new Model(seed: 5);
        var optimizer = new Sgd<double>(churn.Parameters, learningRate: 0.1);
        var (loss, _) = model.Forward();
        loss.Backward();
        var first = model.Parameters.Select(p => p.Grad!.ToArray()).ToArray();
        for (var step = 0; step < 3; step++)
            churn.Step(optimizer);
        loss.Backward(retainGraph: false);

        for (var i = 0; i < first.Length; i++)
            Assert.That(model.Parameters[i].Grad!.ToArray(), Is.EqualTo(first[i].Select(g => 2 * g)).Within(1e-12), $"parameter {i}");
    }

    [Test]
    public void Recorded_gradients_stay_valid_while_other_passes_reuse_buffers()
    {
        var model = new Model(seed: 6, twiceDifferentiable: true);
        var churn = new Model(seed: 7);
        var optimizer = new Sgd<double>(churn.Parameters, learningRate: 0.1);
        var (loss, _) = model.Forward();
        loss.Backward(createGraph: true);
        var gradients = model.Parameters.Select(p => p.GradVariable!).ToArray();
        var kept = new Kept();
        foreach (var (gradient, i) in gradients.Select((g, i) => (g, i)))
            kept.Add($"GradVariable of parameter {i}", gradient.Value);
        var before = Variable.Gradients(AutogradOps.Sum(AutogradOps.Multiply(gradients[0], gradients[0])), [model.W1])[0].Value.ToArray();

        for (var step = 0; step < 4; step++)
            churn.Step(optimizer);

        kept.AssertUnchanged();
        var after = Variable.Gradients(AutogradOps.Sum(AutogradOps.Multiply(gradients[0], gradients[0])), [model.W1])[0].Value.ToArray();
        Assert.That(after, Is.EqualTo(before), "the recorded gradient's graph reads what it read before");
    }

    [Test]
    public void Gradients_are_right_when_the_pool_holds_stale_buffers_of_the_same_shapes()
    {
        var model = new Model(seed: 8);
        var optimizer = new Sgd<double>(model.Parameters, learningRate: 0.1);
        for (var step = 0; step < 3; step++)
            model.Step(optimizer);

        GradCheck.Assert(v => model.Forward(v[0], v[1], v[2], v[3]).Loss, [.. model.Parameters.Select(p => p.Value.Clone())]);
    }

    /// <summary>
    /// Each op used twice on the same input: the first backward writes the input's buffer, the second
    /// adds to it; the broadcast cases sum a gradient over the broadcast axes into the buffer.
    /// </summary>
    [TestCase("MatMul")]
    [TestCase("Relu")]
    [TestCase("CrossEntropy")]
    [TestCase("LogSoftmax")]
    [TestCase("Multiply")]
    [TestCase("Divide")]
    [TestCase("Subtract")]
    [TestCase("Negate")]
    [TestCase("Exp")]
    [TestCase("Log")]
    [TestCase("Sqrt")]
    [TestCase("Tanh")]
    [TestCase("Sigmoid")]
    [TestCase("Sin")]
    [TestCase("Cos")]
    [TestCase("Abs")]
    [TestCase("Softplus")]
    [TestCase("LeakyRelu")]
    [TestCase("Pow")]
    [TestCase("Maximum")]
    [TestCase("BroadcastAdd")]
    [TestCase("BroadcastSubtract")]
    [TestCase("BroadcastMultiply")]
    [TestCase("BroadcastDivide")]
    public void Backwards_writing_into_a_buffer_add_to_a_gradient_that_already_arrived(string op)
    {
        int[] labels = [1, 0, 2];
        Variable<double> Apply(Variable<double> x, Variable<double> w) => op switch
        {
            "MatMul" => AutogradOps.Sum(AutogradOps.Tanh(AutogradOps.MatMul(x, w))),
            "Relu" => AutogradOps.Sum(AutogradOps.Multiply(AutogradOps.Relu(x), w)),
            "CrossEntropy" => AutogradOps.CrossEntropy(AutogradOps.Multiply(x, w), labels),
            "LogSoftmax" => AutogradOps.Sum(AutogradOps.Multiply(AutogradOps.LogSoftmax(x), w)),
            "Multiply" => AutogradOps.Sum(AutogradOps.Multiply(x, w)),
            "Divide" => AutogradOps.Sum(AutogradOps.Divide(x, AutogradOps.Exp(w))),
            "Subtract" => AutogradOps.Sum(AutogradOps.Multiply(AutogradOps.Subtract(w, x), w)),
            "Negate" => AutogradOps.Sum(AutogradOps.Multiply(AutogradOps.Negate(x), w)),
            "Exp" => AutogradOps.Sum(AutogradOps.Multiply(AutogradOps.Exp(x), w)),
            "Log" => AutogradOps.Sum(AutogradOps.Multiply(AutogradOps.Log(AutogradOps.Exp(x)), w)),
            "Sqrt" => AutogradOps.Sum(AutogradOps.Multiply(AutogradOps.Sqrt(AutogradOps.Exp(x)), w)),
            "Tanh" => AutogradOps.Sum(AutogradOps.Multiply(AutogradOps.Tanh(x), w)),
            "Sigmoid" => AutogradOps.Sum(AutogradOps.Multiply(AutogradOps.Sigmoid(x), w)),
            "Sin" => AutogradOps.Sum(AutogradOps.Multiply(AutogradOps.Sin(x), w)),
            "Cos" => AutogradOps.Sum(AutogradOps.Multiply(AutogradOps.Cos(x), w)),
            "Abs" => AutogradOps.Sum(AutogradOps.Multiply(AutogradOps.Abs(x), w)),
            "Softplus" => AutogradOps.Sum(AutogradOps.Multiply(AutogradOps.Softplus(x), w)),
            "LeakyRelu" => AutogradOps.Sum(AutogradOps.Multiply(AutogradOps.LeakyRelu(x, 0.1), w)),
            "Pow" => AutogradOps.Sum(AutogradOps.Pow(AutogradOps.Exp(x), w)),
            "Maximum" => AutogradOps.Sum(AutogradOps.Maximum(x, w)),
            "BroadcastAdd" => Twice(AutogradOps.Sum(x, [0], keepDims: true), w, (s, v) => AutogradOps.Add(s, v) * AutogradOps.Add(v, s)),
            "BroadcastSubtract" => Twice(AutogradOps.Sum(x, [1]), w, (s, v) => AutogradOps.Subtract(v, s) * AutogradOps.Subtract(s, v)),
            "BroadcastMultiply" => Twice(AutogradOps.Sum(x, [1], keepDims: true), w, (s, v) => AutogradOps.Multiply(s, v) * AutogradOps.Multiply(v, s)),
            _ => Twice(AutogradOps.Sum(x, [0]), w, (s, v) => AutogradOps.Divide(s, AutogradOps.Exp(v)) * AutogradOps.Divide(AutogradOps.Exp(v), s)),
        };
        var x = NdArray.RandomNormal<double>(15, 3, 3);
        var w = NdArray.RandomNormal<double>(16, 3, 3);
        GradCheck.Assert(v => Apply(v[0], v[1]) + Apply(v[0], AutogradOps.Exp(v[1])) + Apply(AutogradOps.Sin(v[0]), v[1]), x, w);
    }

    /// <summary>Sum(f(s, w)) for a broadcast-shaped s that f uses twice, so its gradient is summed into its buffer twice.</summary>
    private static Variable<double> Twice(Variable<double> s, Variable<double> w, Func<Variable<double>, Variable<double>, Variable<double>> f) =>
        AutogradOps.Sum(f(s, w));

    /// <summary>
    /// A backward hands b's buffer on to a. The sweep then finishes b's branch first: b lets go of
    /// the buffer and the ops behind it rent buffers, while a's gradient (that buffer) still waits.
    /// </summary>
    [Test]
    public void A_buffer_a_backward_hands_from_one_input_to_another_is_not_reused_while_either_holds_it()
    {
        var x = NdArray.RandomNormal<double>(21, 3, 4);
        GradCheck.Assert(v => TestOps.Sum(TestOps.AddHandingOnBuffer(AutogradOps.Tanh(v[0]), AutogradOps.Exp(AutogradOps.Sin(v[0])))), x);
    }

    [Test]
    public void A_failed_pass_leaves_the_pool_sound_and_later_passes_repeat_exactly()
    {
        var model = new Model(seed: 9);
        var (loss, intermediates) = model.Forward();
        loss.Backward();
        var expected = model.Parameters.Select(p => p.Grad!.ToArray()).ToArray();
        for (var step = 0; step < 4; step++)
        {
            foreach (var parameter in model.Parameters)
                parameter.ZeroGrad();
            (loss, intermediates) = model.Forward();
            if (step == 1)
            {
                intermediates[2].RegisterHook(_ => throw new InvalidOperationException("a failing hook"));
                Assert.Throws<InvalidOperationException>(() => loss.Backward());
                Assert.That(model.Parameters.All(p => p.Grad is null), Is.True, "a failed pass commits nothing");
                continue;
            }
            loss.Backward();
            for (var i = 0; i < expected.Length; i++)
                Assert.That(model.Parameters[i].Grad!.ToArray(), Is.EqualTo(expected[i]), $"parameter {i} in step {step}");
        }
    }

    [Test]
    public void ZeroGrad_keeps_the_array_and_the_next_pass_writes_its_gradient_into_it()
    {
        var model = new Model(seed: 10);
        model.Forward().Loss.Backward();
        var array = model.W1.Grad!;
        var first = array.ToArray();

        model.W1.ZeroGrad();
        Assert.That(model.W1.Grad, Is.Null, "setToNone (the default): no gradient until a pass reaches it");
        model.Forward().Loss.Backward();
        Assert.That(model.W1.Grad, Is.SameAs(array));
        Assert.That(array.ToArray(), Is.EqualTo(first), "written, not added to what the array held");

        model.W1.ZeroGrad(setToNone: false);
        Assert.That(model.W1.Grad, Is.SameAs(array));
        Assert.That(array.ToArray(), Is.All.EqualTo(0.0));
        model.Forward().Loss.Backward();
        Assert.That(model.W1.Grad, Is.SameAs(array));
        Assert.That(array.ToArray(), Is.EqualTo(first));
    }

    [Test]
    public void The_seed_case_allocates_its_forward_result_and_writes_leaf_gradients_into_the_kept_arrays()
    {
        // y = x1 * x2 on 128×128 floats (64 KB per array): with ZeroGrad before each pass, the leaf
        // gradients are written straight into the arrays ZeroGrad kept and the ones seed is the pass's
        // own buffer, so a step allocates the forward's result and nothing else of that size.
        var x1 = NdArray.RandomNormal<float>(1, 128, 128).ToVariable("x1");
        var x2 = NdArray.RandomNormal<float>(2, 128, 128).ToVariable("x2");
        void Step()
        {
            x1.ZeroGrad();
            x2.ZeroGrad();
            (x1 * x2).Backward();
        }

        Step();
        var (kept1, kept2) = (x1.Grad!, x2.Grad!);
        const int steps = 10;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var step = 0; step < steps; step++)
            Step();
        var perStep = (GC.GetAllocatedBytesForCurrentThread() - before) / steps;

        Assert.That(perStep, Is.LessThan(128 * 128 * sizeof(float) * 3 / 2), $"{perStep} bytes per step");
        Assert.That(x1.Grad, Is.SameAs(kept1));
        Assert.That(x2.Grad, Is.SameAs(kept2));
        Assert.That(x1.Grad!.ToArray(), Is.EqualTo(x2.Value.ToArray()));
        Assert.That(x2.Grad!.ToArray(), Is.EqualTo(x1.Value.ToArray()));
    }

    [Test]
    public void A_root_backpropagated_from_ones_reads_ones_as_its_Grad_which_later_passes_replace_but_never_change()
    {
        var x = NdArray.Create([1.0, 2.0, 3.0]).ToVariable("x");
        var y = x * x;
        y.Backward();

        var seen = y.Grad!;
        Assert.That(seen.Shape.ToArray(), Is.EqualTo(new[] { 3 }));
        Assert.That(seen.ToArray(), Is.All.EqualTo(1.0));
        Assert.That(y.Grad, Is.SameAs(seen), "one array, however often it is read");
        seen[0] = 5; // the user's array now
        Assert.That(y.Grad![0], Is.EqualTo(5.0));

        for (var pass = 0; pass < 3; pass++)
        {
            y.Backward();
            Assert.That(y.Grad!.ToArray(), Is.All.EqualTo(1.0), $"pass {pass}");
        }
        Assert.That(y.Grad, Is.Not.SameAs(seen));
        Assert.That(seen.ToArray(), Is.EqualTo(new[] { 5.0, 1.0, 1.0 }), "an array read from Grad is never reused by a pass");
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 8.0, 16.0, 24.0 }), "four passes of 2x");
    }

    [Test]
    public void ZeroGrad_without_setToNone_leaves_zeros_on_a_parameter_no_pass_reaches()
    {
        var used = NdArray.Create([1.0, 2.0]).ToVariable("used");
        var unused = NdArray.Create([3.0, 4.0]).ToVariable("unused");
        AutogradOps.Sum(AutogradOps.Multiply(AutogradOps.Add(used, unused), used)).Backward();

        new Sgd<double>([used, unused], learningRate: 0.1).ZeroGrad(setToNone: false);
        AutogradOps.Sum(AutogradOps.Multiply(used, used)).Backward();

        Assert.That(unused.Grad!.ToArray(), Is.EqualTo(new[] { 0.0, 0.0 }));
        Assert.That(used.Grad!.ToArray(), Is.EqualTo(new[] { 2.0, 4.0 }));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Optimizers_update_a_strided_parameter_as_they_update_a_contiguous_one(bool adam)
    {
        var start = NdArray.RandomNormal<double>(14, 3, 4);
        var contiguous = start.Clone().ToVariable("contiguous");
        var strided = start.Transpose().Clone().Transpose().ToVariable("strided"); // the same values, column-major
        Assert.That(strided.Value.IsContiguous, Is.False);
        Optimizer<double> Make(Variable<double> p) => adam
            ? new Adam<double>([p], learningRate: 0.1, weightDecay: 0.01)
            : new Sgd<double>([p], learningRate: 0.1, momentum: 0.5, weightDecay: 0.01);
        var (first, second) = (Make(contiguous), Make(strided));
        for (var step = 0; step < 3; step++)
        {
            foreach (var (optimizer, p) in new[] { (first, contiguous), (second, strided) })
            {
                optimizer.ZeroGrad();
                AutogradOps.Sum(AutogradOps.Multiply(AutogradOps.Sin(p), p)).Backward();
                optimizer.Step();
            }
        }
        Assert.That(strided.Value.ToArray(), Is.EqualTo(contiguous.Value.ToArray()).Within(1e-14));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void A_training_step_after_warm_up_allocates_no_gradient_sized_array(bool adam)
    {
        // w1's gradient is 512 KB; the forward's activations are 2 KB each. A step that allocated any
        // array of w1's size (a fresh gradient buffer, a copy at commit, an optimizer's temporary such
        // as SGD's lr * g) would exceed the bound.
        const int batch = 8, inputs = 2048, hidden = 64, classes = 4;
        var x = NdArray.RandomNormal<float>(11, batch, inputs);
        int[] labels = [0, 1, 2, 3, 0, 1, 2, 3];
        var w1 = NdArray.Multiply(NdArray.RandomNormal<float>(12, inputs, hidden), 0.02f).ToVariable("w1");
        var b1 = NdArray.Zeros<float>(hidden).ToVariable("b1");
        var w2 = NdArray.Multiply(NdArray.RandomNormal<float>(13, hidden, classes), 0.1f).ToVariable("w2");
        var b2 = NdArray.Zeros<float>(classes).ToVariable("b2");
        Optimizer<float> optimizer = adam ? new Adam<float>([w1, b1, w2, b2], learningRate: 0.01) : new Sgd<float>([w1, b1, w2, b2], learningRate: 0.01);
        void Step()
        {
            optimizer.ZeroGrad();
            AutogradOps.CrossEntropy(AutogradOps.MatMul(AutogradOps.Relu(AutogradOps.MatMul(x, w1) + b1), w2) + b2, labels).Backward();
            optimizer.Step();
        }

        for (var step = 0; step < 5; step++)
            Step();
        const int steps = 20;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var step = 0; step < steps; step++)
            Step();
        var perStep = (GC.GetAllocatedBytesForCurrentThread() - before) / steps;

        Assert.That(perStep, Is.LessThan(inputs * hidden * sizeof(float) / 4), $"{perStep} bytes per step");
    }
}
