using System.Numerics;

namespace Autograd.Runtime.Tests.Arrays;

[TestFixture(typeof(float))]
[TestFixture(typeof(double))]
public class ElementwiseTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public enum BinaryOp { Add, Subtract, Multiply, Divide, Pow, Maximum, Minimum }

    public enum UnaryOp { Negate, Exp, Log, Sqrt, Abs, Sin, Cos, Tanh, Sigmoid, Relu }

    private static readonly Layout[] AllLayouts = Layouts.All;

    private static NdArray<T> Run(BinaryOp op, NdArray<T> x, NdArray<T> y, NdArray<T>? into = null) => op switch
    {
        BinaryOp.Add => NdArray.Add(x, y, into),
        BinaryOp.Subtract => NdArray.Subtract(x, y, into),
        BinaryOp.Multiply => NdArray.Multiply(x, y, into),
        BinaryOp.Divide => NdArray.Divide(x, y, into),
        BinaryOp.Pow => NdArray.Pow(x, y, into),
        BinaryOp.Maximum => NdArray.Maximum(x, y, into),
        BinaryOp.Minimum => NdArray.Minimum(x, y, into),
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    private static NdArray<T> RunInPlace(BinaryOp op, NdArray<T> x, NdArray<T> y) => op switch
    {
        BinaryOp.Add => NdArray.AddInPlace(x, y),
        BinaryOp.Subtract => NdArray.SubtractInPlace(x, y),
        BinaryOp.Multiply => NdArray.MultiplyInPlace(x, y),
        BinaryOp.Divide => NdArray.DivideInPlace(x, y),
        BinaryOp.Pow => NdArray.PowInPlace(x, y),
        BinaryOp.Maximum => NdArray.MaximumInPlace(x, y),
        BinaryOp.Minimum => NdArray.MinimumInPlace(x, y),
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    /// <summary>The reference in double on T-rounded inputs, rounded back to T.</summary>
    private static Func<double, double, double> Reference2(BinaryOp op) => op switch
    {
        BinaryOp.Add => (a, b) => Reference.Round<T>(a + b),
        BinaryOp.Subtract => (a, b) => Reference.Round<T>(a - b),
        BinaryOp.Multiply => (a, b) => Reference.Round<T>(a * b),
        BinaryOp.Divide => (a, b) => Reference.Round<T>(a / b),
        BinaryOp.Pow => (a, b) => Reference.Round<T>(Math.Pow(a, b)),
        BinaryOp.Maximum => (a, b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Max(a, b),
        BinaryOp.Minimum => (a, b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Min(a, b),
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    private static NdArray<T> Run(UnaryOp op, NdArray<T> x, NdArray<T>? into = null) => op switch
    {
        UnaryOp.Negate => NdArray.Negate(x, into),
        UnaryOp.Exp => NdArray.Exp(x, into),
        UnaryOp.Log => NdArray.Log(x, into),
        UnaryOp.Sqrt => NdArray.Sqrt(x, into),
        UnaryOp.Abs => NdArray.Abs(x, into),
        UnaryOp.Sin => NdArray.Sin(x, into),
        UnaryOp.Cos => NdArray.Cos(x, into),
        UnaryOp.Tanh => NdArray.Tanh(x, into),
        UnaryOp.Sigmoid => NdArray.Sigmoid(x, into),
        UnaryOp.Relu => NdArray.Relu(x, into),
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    private static NdArray<T> RunInPlace(UnaryOp op, NdArray<T> x) => op switch
    {
        UnaryOp.Negate => NdArray.NegateInPlace(x),
        UnaryOp.Exp => NdArray.ExpInPlace(x),
        UnaryOp.Log => NdArray.LogInPlace(x),
        UnaryOp.Sqrt => NdArray.SqrtInPlace(x),
        UnaryOp.Abs => NdArray.AbsInPlace(x),
        UnaryOp.Sin => NdArray.SinInPlace(x),
        UnaryOp.Cos => NdArray.CosInPlace(x),
        UnaryOp.Tanh => NdArray.TanhInPlace(x),
        UnaryOp.Sigmoid => NdArray.SigmoidInPlace(x),
        UnaryOp.Relu => NdArray.ReluInPlace(x),
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    private static Func<double, double> Reference1(UnaryOp op) => op switch
    {
        UnaryOp.Negate => a => -a,
        UnaryOp.Exp => Math.Exp,
        UnaryOp.Log => Math.Log,
        UnaryOp.Sqrt => Math.Sqrt,
        UnaryOp.Abs => Math.Abs,
        UnaryOp.Sin => Math.Sin,
        UnaryOp.Cos => Math.Cos,
        UnaryOp.Tanh => Math.Tanh,
        UnaryOp.Sigmoid => a => 1 / (1 + Math.Exp(-a)),
        UnaryOp.Relu => a => double.IsNaN(a) ? double.NaN : Math.Max(a, 0),
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    private static double[] Map(double[] values, Func<double, double> f) => [.. values.Select(f)];

    [Test]
    public void Binary_ops_match_the_reference_on_every_layout_pair(
        [Values] BinaryOp op,
        [ValueSource(nameof(AllLayouts))] Layout layoutX,
        [ValueSource(nameof(AllLayouts))] Layout layoutY)
    {
        var random = new Random(HashCode.Combine(op, layoutX, layoutY));
        // 37 on the last axis: longer than one vector, with a tail.
        var x = Layouts.Make<T>(layoutX, [3, 2, 37], random);
        var y = Layouts.Make<T>(layoutY, [3, 2, 37], random);

        var expected = Reference.Broadcast(x, y, Reference2(op), out var shape);
        Reference.AssertClose(Run(op, x, y), shape, expected);
    }

    private static readonly int[][][] BroadcastPairs =
    [
        [[], []],
        [[], [3]],
        [[4], []],
        [[2, 3], [3]],
        [[2, 1], [1, 3]],
        [[4, 1, 3], [2, 1]],
        [[1, 5, 1], [3, 1, 9]],
        [[2, 3, 4, 5], [3, 1, 5]],
        [[1], [0]],
        [[0], []],
        [[2, 0], [2, 1]],
        [[3, 1, 0], [1, 4, 1]],
        [[1, 1], [1]],
    ];

    [Test]
    public void Broadcasting_follows_numpy_in_every_shape_combination(
        [ValueSource(nameof(BroadcastPairs))] int[][] shapes,
        [Values(Layout.Contiguous, Layout.Transposed, Layout.Reversed)] Layout layout,
        [Values] bool swap)
    {
        var random = new Random(shapes.Sum(s => s.Sum()));
        var (shapeX, shapeY) = swap ? (shapes[1], shapes[0]) : (shapes[0], shapes[1]);
        var x = Layouts.Make<T>(layout, shapeX, random);
        var y = Layouts.Make<T>(Layout.Contiguous, shapeY, random);

        foreach (var op in new[] { BinaryOp.Subtract, BinaryOp.Multiply })
        {
            var expected = Reference.Broadcast(x, y, Reference2(op), out var shape);
            Reference.AssertClose(Run(op, x, y), shape, expected);
        }
    }

    [Test]
    public void Into_writes_the_result_into_a_strided_destination_and_returns_it(
        [Values] BinaryOp op,
        [ValueSource(typeof(Layouts), nameof(Layouts.Writable))] Layout layout)
    {
        var random = new Random((int)op);
        var x = Reference.Random<T>([4, 1, 5], random);
        var y = Layouts.Make<T>(Layout.Transposed, [3, 5], random);
        var into = Layouts.Make<T>(layout, [4, 3, 5], random);
        var untouched = into.Data.Select(double.CreateChecked).ToArray();

        var result = Run(op, x, y, into);

        Assert.That(result, Is.SameAs(into));
        var expected = Reference.Broadcast(x, y, Reference2(op), out var shape);
        Reference.AssertClose(into, shape, expected);
        AssertOnlyViewChanged(into, untouched);
    }

    /// <summary>Buffer elements outside the view keep their old values.</summary>
    private static void AssertOnlyViewChanged(NdArray<T> view, double[] bufferBefore)
    {
        var inside = new HashSet<int>(Reference.Indices(view.Shape.ToArray())
            .Select(index => view.Offset + index.Zip(view.Strides.ToArray(), (i, s) => i * s).Sum()));
        for (var position = 0; position < view.Data.Length; position++)
        {
            if (!inside.Contains(position))
                Assert.That(double.CreateChecked(view.Data[position]), Is.EqualTo(bufferBefore[position]), $"buffer element {position} outside the view");
        }
    }

    [Test]
    public void InPlace_forms_update_x_through_its_view_and_return_it(
        [Values] BinaryOp op,
        [ValueSource(typeof(Layouts), nameof(Layouts.Writable))] Layout layout)
    {
        var random = new Random(10 + (int)op);
        var x = Layouts.Make<T>(layout, [3, 4, 6], random);
        var y = Reference.Random<T>([4, 1], random);
        var expected = Reference.Broadcast(x, y, Reference2(op), out var shape);

        var result = RunInPlace(op, x, y);

        Assert.That(result, Is.SameAs(x));
        Reference.AssertClose(x, shape, expected);
    }

    [Test]
    public void Operands_sharing_a_permuted_layout_with_the_destination([Values] BinaryOp op)
    {
        var random = new Random(30 + (int)op);
        NdArray<T> Permuted() => Reference.Random<T>([5, 3, 4], random).Transpose(2, 0, 1);
        var x = Permuted();
        var y = Permuted();
        var into = Permuted();
        var expected = Reference.Broadcast(x, y, Reference2(op), out var shape);

        Run(op, x, y, into);

        Reference.AssertClose(into, shape, expected);
    }

    private static readonly BinaryOp[] SpanOps = [BinaryOp.Add, BinaryOp.Multiply, BinaryOp.Divide, BinaryOp.Maximum];

    /// <summary>
    /// Operands of one shape lying row-major, at any offset in their buffers, take one span call below
    /// the threading threshold: into a new result, into a destination laid out like them (written or
    /// added into), into an operand itself, and into a destination overlapping an operand at another
    /// offset, which has to read a copy. Lengths around each vector width with their tails.
    /// </summary>
    [Test]
    public void Row_major_views_at_an_offset_match_the_reference(
        [ValueSource(nameof(SpanOps))] BinaryOp op,
        [Values(1, 3, 4, 7, 8, 15, 16, 17, 33, 129)] int length)
    {
        var random = new Random(HashCode.Combine(op, length));
        NdArray<T> Rows(int rows, int from) => Reference.Random<T>([rows, length], random).Slice(0, from, from + 2);
        var (x, y, into) = (Rows(4, 1), Rows(3, 0), Rows(5, 2));
        var expected = Reference.Broadcast(x, y, Reference2(op), out var shape);
        var intoBefore = into.Data.Select(double.CreateChecked).ToArray();

        Reference.AssertClose(Run(op, x, y), shape, expected);
        Assert.That(Run(op, x, y, into), Is.SameAs(into));
        Reference.AssertClose(into, shape, expected);
        AssertOnlyViewChanged(into, intoBefore);

        var sumBefore = Reference.Read(into);
        NdArray.Multiply(x, y, into, accumulate: true);
        var products = Reference.Broadcast(x, y, (a, b) => Reference.Round<T>(a * b), out _);
        Reference.AssertClose(into, shape, [.. sumBefore.Zip(products, (sum, product) => Reference.Round<T>(sum + product))]);

        Run(op, x, y, into: x);
        Reference.AssertClose(x, shape, expected);

        var buffer = Reference.Random<T>([3, length], random);
        var (lower, upper) = (buffer.Slice(0, 0, 2), buffer.Slice(0, 1, 3));
        var overlapping = Reference.Broadcast(upper, y, Reference2(op), out _);
        Run(op, upper, y, into: lower);
        Reference.AssertClose(lower, shape, overlapping);
    }

    [Test]
    public void Strided_kernels_allocate_nothing_per_element()
    {
        var x = Layouts.Make<T>(Layout.Reversed, [300, 300], new Random(31));
        var y = Layouts.Make<T>(Layout.Transposed, [300, 300], new Random(32));
        var into = Layouts.Make<T>(Layout.Stepped, [300, 300], new Random(33));
        NdArray.Multiply(x, y, into);
        NdArray.Exp(y, into);

        var before = GC.GetAllocatedBytesForCurrentThread();
        NdArray.Multiply(x, y, into);
        NdArray.Exp(y, into);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(allocated, Is.LessThan(2_000), "a few small shape arrays per call, nothing per element");
    }

    [Test]
    public void Small_contiguous_kernels_allocate_only_the_result()
    {
        var x = Reference.Random<T>([4, 32], new Random(34));
        var y = Reference.Random<T>([4, 32], new Random(35));
        var into = NdArray.Zeros<T>(4, 32);
        NdArray.Multiply(x, y, into);
        NdArray.Exp(y, into);
        NdArray.Multiply(x, y);

        var before = GC.GetAllocatedBytesForCurrentThread();
        NdArray.Multiply(x, y, into);
        NdArray.Exp(y, into);
        var intoBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        NdArray.Multiply(x, y);
        var freshBytes = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(intoBytes, Is.Zero, "into a destination: no shape array, nothing at all");
        var buffer = 24 + 4 * 32 * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        Assert.That(freshBytes, Is.InRange(buffer, buffer + 100), "the buffer and one array object; shape and strides shared with an operand");
    }

    [Test]
    public void Operands_crossing_the_destination_beyond_one_tile([Values] BinaryOp op)
    {
        // Larger than the 32×32 tile on both crossing axes, with ragged edges, and an outer axis.
        var random = new Random(40 + (int)op);
        var x = Reference.Random<T>([2, 45, 70], random).Transpose(0, 2, 1);
        var y = Layouts.Make<T>(Layout.Reversed, [2, 70, 45], random);
        var into = Layouts.Make<T>(Layout.Stepped, [2, 70, 45], random);
        var expected = Reference.Broadcast(x, y, Reference2(op), out var shape);

        Run(op, x, y, into);

        Reference.AssertClose(into, shape, expected);
        var copy = NdArray.Copy(x, NdArray.Zeros<T>(2, 70, 45));
        Assert.That(Reference.Read(copy), Is.EqualTo(Reference.Read(x)));
    }

    [Test]
    public void X_as_its_own_destination_reads_each_element_before_overwriting_it()
    {
        var x = Layouts.Make<T>(Layout.Reversed, [5, 7], new Random(4));
        var before = Reference.Read(x);

        NdArray.Add(x, x, into: x);

        Reference.AssertClose<T>(Reference.Read(x), Map(before, v => 2 * v));
    }

    [Test]
    public void An_operand_overlapping_the_destination_in_another_layout_is_read_before_it_is_overwritten()
    {
        var x = Reference.Random<T>([6, 6], new Random(5));
        var transposed = x.Transpose();
        var expected = Reference.Broadcast(x, transposed, (a, b) => Reference.Round<T>(a - b), out var shape);

        NdArray.Subtract(x, transposed, into: x);

        Reference.AssertClose(x, shape, expected);
        var row = Reference.Random<T>([4, 3], new Random(6));
        var first = Reference.Read(row.Pick(0, 0));
        NdArray.AddInPlace(row, row.Slice(0, 0, 1));
        Assert.That(Reference.Read(row.Pick(0, 3)), Is.Not.EqualTo(first), "later rows add the original first row");
        Reference.AssertClose<T>(Reference.Read(row.Pick(0, 0)), Map(first, v => 2 * v));
    }

    [Test]
    public void Copy_broadcasts_the_source_and_handles_a_reversed_view_of_itself()
    {
        var destination = Layouts.Make<T>(Layout.Transposed, [2, 3], new Random(7));
        var source = Reference.Random<T>([3], new Random(8));
        NdArray.Copy(source, destination);
        Reference.AssertClose<T>(Reference.Read(destination), [.. Reference.Read(source), .. Reference.Read(source)]);

        var x = Reference.Build<T>([6], i => i);
        NdArray.Copy(x.Slice(0, 5, -1, -1), x);
        Assert.That(Reference.Read(x), Is.EqualTo(new double[] { 5, 4, 3, 2, 1, 0 }));
    }

    [Test]
    public void Fill_sets_only_the_elements_of_the_view()
    {
        var x = Reference.Build<T>([4, 4], i => i);
        NdArray.Fill(x.Slice(1, 3, 0, -2), T.CreateChecked(-1));

        var expected = Enumerable.Range(0, 16).Select(i => i % 4 is 3 or 1 ? -1.0 : i).ToArray();
        Assert.That(Reference.Read(x), Is.EqualTo(expected));
    }

    [Test]
    public void Scalar_forms_put_the_scalar_on_either_side([ValueSource(nameof(AllLayouts))] Layout layout)
    {
        var x = Layouts.Make<T>(layout, [3, 5], new Random(9));
        var values = Reference.Read(x);
        var s = T.CreateChecked(1.5);
        double d = 1.5;

        Reference.AssertClose<T>(Reference.Read(NdArray.Add(x, s)), Map(values, v => Reference.Round<T>(v + d)));
        Reference.AssertClose<T>(Reference.Read(NdArray.Subtract(x, s)), Map(values, v => Reference.Round<T>(v - d)));
        Reference.AssertClose<T>(Reference.Read(NdArray.Subtract(s, x)), Map(values, v => Reference.Round<T>(d - v)));
        Reference.AssertClose<T>(Reference.Read(NdArray.Multiply(x, s)), Map(values, v => Reference.Round<T>(v * d)));
        Reference.AssertClose<T>(Reference.Read(NdArray.Divide(x, s)), Map(values, v => Reference.Round<T>(v / d)));
        Reference.AssertClose<T>(Reference.Read(NdArray.Divide(s, x)), Map(values, v => Reference.Round<T>(d / v)));
        Reference.AssertClose<T>(Reference.Read(NdArray.Pow(x, s)), Map(values, v => Math.Pow(v, d)));
        Reference.AssertClose<T>(Reference.Read(NdArray.Maximum(x, s)), Map(values, v => Math.Max(v, d)));
        Reference.AssertClose<T>(Reference.Read(NdArray.Minimum(x, s)), Map(values, v => Math.Min(v, d)));
    }

    [Test]
    public void Operators_match_the_named_kernels_with_arrays_and_scalars_on_either_side()
    {
        var random = new Random(11);
        var x = Layouts.Make<T>(Layout.Transposed, [2, 3], random);
        var y = Reference.Random<T>([3], random);
        var s = T.CreateChecked(2);
        double d = 2;
        double[] vx = Reference.Read(x);

        Reference.AssertClose(x + y, [2, 3], Reference.Broadcast(x, y, (a, b) => a + b, out _));
        Reference.AssertClose(x - y, [2, 3], Reference.Broadcast(x, y, (a, b) => a - b, out _));
        Reference.AssertClose(x * y, [2, 3], Reference.Broadcast(x, y, (a, b) => a * b, out _));
        Reference.AssertClose(x / y, [2, 3], Reference.Broadcast(x, y, (a, b) => a / b, out _));
        Reference.AssertClose(x + s, [2, 3], Map(vx, v => v + d));
        Reference.AssertClose(s + x, [2, 3], Map(vx, v => d + v));
        Reference.AssertClose(x - s, [2, 3], Map(vx, v => v - d));
        Reference.AssertClose(s - x, [2, 3], Map(vx, v => d - v));
        Reference.AssertClose(x * s, [2, 3], Map(vx, v => v * d));
        Reference.AssertClose(s * x, [2, 3], Map(vx, v => d * v));
        Reference.AssertClose(x / s, [2, 3], Map(vx, v => v / d));
        Reference.AssertClose(s / x, [2, 3], Map(vx, v => d / v));
        Reference.AssertClose(-x, [2, 3], Map(vx, v => -v));
        Assert.That(Reference.Read(x), Is.EqualTo(vx), "operators leave their operands alone");
    }

    [Test]
    public void Unary_ops_match_the_reference_on_every_layout(
        [Values] UnaryOp op,
        [ValueSource(nameof(AllLayouts))] Layout layout)
    {
        var x = Layouts.Make<T>(layout, [2, 3, 19], new Random((int)op * 7 + (int)layout));
        var expected = Map(Reference.Read(x), Reference1(op));

        Reference.AssertClose(Run(op, x), [2, 3, 19], expected);
    }

    [Test]
    public void Unary_ops_write_into_a_strided_destination_and_in_place([Values] UnaryOp op)
    {
        var x = Layouts.Make<T>(Layout.Stepped, [4, 9], new Random(12));
        var expected = Map(Reference.Read(x), Reference1(op));
        var into = Layouts.Make<T>(Layout.Transposed, [4, 9], new Random(13));

        Assert.That(Run(op, x, into), Is.SameAs(into));
        Reference.AssertClose(into, [4, 9], expected);
        Assert.That(RunInPlace(op, x), Is.SameAs(x));
        Reference.AssertClose(x, [4, 9], expected);
    }

    [Test]
    public void Unary_ops_on_row_major_views_at_an_offset_match_the_reference(
        [Values] UnaryOp op,
        [Values(1, 7, 16, 17, 129)] int length)
    {
        var random = new Random(HashCode.Combine(op, length));
        var buffer = Reference.Random<T>([3, length], random);
        var (lower, upper) = (buffer.Slice(0, 0, 2), buffer.Slice(0, 1, 3));
        var expected = Map(Reference.Read(upper), Reference1(op));

        Reference.AssertClose(Run(op, upper), [2, length], expected);
        Run(op, upper, into: lower);
        Reference.AssertClose(lower, [2, length], expected);
    }

    [Test]
    public void Unary_ops_handle_rank_zero_and_empty_arrays([Values] UnaryOp op)
    {
        var scalar = NdArray.Scalar(T.CreateChecked(0.5));
        Reference.AssertClose(Run(op, scalar), [], [Reference1(op)(0.5)]);
        Assert.That(Run(op, NdArray.Zeros<T>(3, 0)).Shape.ToArray(), Is.EqualTo(new[] { 3, 0 }));
    }

    [Test]
    public void Sigmoid_is_finite_at_both_tails_and_NaN_propagates_through_max_and_relu()
    {
        var x = Reference.Build<T>([6], i => new[] { -1000, -100, -20, 20, 100, 1000 }[i]);
        var strided = Layouts.Make<T>(Layout.Reversed, [6], new Random(1));
        NdArray.Copy(x.Slice(0, 5, -1, -1), strided);

        foreach (var y in new[] { NdArray.Sigmoid(x), NdArray.Sigmoid(strided) })
        {
            var values = Reference.Read(y);
            Assert.That(values, Is.All.InRange(0.0, 1.0));
            Assert.That(values.Min(), Is.EqualTo(0).Within(1e-8));
            Assert.That(values.Max(), Is.EqualTo(1).Within(1e-7));
        }

        var nan = NdArray.Scalar(T.NaN);
        Assert.That(T.IsNaN(NdArray.Maximum(nan, T.One).ToScalar()), Is.True);
        Assert.That(T.IsNaN(NdArray.Minimum(NdArray.Ones<T>(3).Transpose(), nan)[1]), Is.True);
        Assert.That(T.IsNaN(NdArray.Relu(nan).ToScalar()), Is.True);
    }
}
