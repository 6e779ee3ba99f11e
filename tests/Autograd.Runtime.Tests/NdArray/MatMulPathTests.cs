using System.Numerics;
using Autograd.Kernels;

namespace Autograd.Runtime.Tests.Arrays;

/// <summary>The kernel paths the matmul kernel can take on this machine: each vector width forced in turn.</summary>
public enum VectorPath { Widest = 512, Vector256 = 256, Vector128 = 128, Scalar = 0 }

/// <summary>
/// Every path of the packed matmul kernel (each vector width, threads on and off) against a naive
/// triple loop: odd sizes, the edges of the micro-tile and of every cache block, transposed and
/// strided operands and destinations, batches, and the accumulate form. Every vector width and
/// thread count adds the same products in the same order, so they must also agree bit for bit.
/// </summary>
[TestFixture(typeof(float))]
[TestFixture(typeof(double))]
public class MatMulPathTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly Layout[] AllLayouts = Layouts.All;
    private static readonly Layout[] WritableLayouts = Layouts.Writable;

    /// <summary>
    /// Edge sizes (1; the 6-row micro-tile ± 1; 8, 16 and 32 columns ± 1, the tile widths of every
    /// path; the 144-row block and 512-deep block ± 1; more than the 4096-column block; 61 and 250
    /// columns, which every width takes with a partial last tile) and a fixed random sample of odd
    /// sizes up to 129 in each dimension. (A width whose tile would pad the columns by more than an
    /// eighth gives way to a narrower one, so narrow products run narrow paths whatever is forced.)
    /// </summary>
    private static readonly int[][] Sizes =
    [
        [1, 1, 1], [1, 7, 1], [5, 3, 7], [6, 2, 16], [7, 9, 17], [6, 1, 32], [5, 4, 33], [7, 2, 31], [12, 5, 15],
        [143, 3, 9], [144, 2, 8], [145, 4, 10], [3, 511, 5], [2, 512, 33], [7, 513, 17], [1, 2, 4097], [2, 1, 4100], [7, 9, 61], [13, 5, 250],
        .. RandomSizes(new Random(8), 6),
    ];

    private static IEnumerable<int[]> RandomSizes(Random random, int count)
    {
        for (var i = 0; i < count; i++)
            yield return [random.Next(1, 65) * 2 + 1, random.Next(1, 65) * 2 + 1, random.Next(1, 65) * 2 + 1];
    }

    [TearDown]
    public void RestoreKernelOptions()
    {
        KernelOptions.MaxVectorBits = 512;
        KernelOptions.Threading = true;
    }

    /// <summary>The product by its definition, in double, from the operands' elements read one by one.</summary>
    private static double[] Naive(NdArray<T> a, NdArray<T> b)
    {
        int m = a.Shape[0], k = a.Shape[1], n = b.Shape[1];
        double[] x = Reference.Read(a), y = Reference.Read(b);
        var result = new double[m * n];
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var sum = 0.0;
                for (var p = 0; p < k; p++)
                    sum += x[i * k + p] * y[p * n + j];
                result[i * n + j] = sum;
            }
        }
        return result;
    }

    private static double Tolerance(int k) => typeof(T) == typeof(float) ? 1e-5 * Math.Max(k, 4) : 1e-13 * Math.Max(k, 4);

    private static NdArray<T> OnPath(VectorPath path, bool threading, Func<NdArray<T>> product)
    {
        KernelOptions.MaxVectorBits = (int)path;
        KernelOptions.Threading = threading;
        try
        {
            return product();
        }
        finally
        {
            KernelOptions.MaxVectorBits = 512;
            KernelOptions.Threading = true;
        }
    }

    [Test]
    public void Every_vector_width_matches_the_naive_product_on_edge_and_odd_sizes(
        [Values] VectorPath path, [ValueSource(nameof(Sizes))] int[] size)
    {
        int m = size[0], k = size[1], n = size[2];
        var random = new Random(m * 1_000_000 + k * 1000 + n);
        var a = Reference.Random<T>([m, k], random);
        var b = Reference.Random<T>([k, n], random);

        var actual = OnPath(path, threading: false, () => NdArray.MatMul(a, b));

        Reference.AssertClose(actual, [m, n], Naive(a, b), Tolerance(k));
        Assert.That(actual.ToArray(), Is.EqualTo(NdArray.MatMul(a, b).ToArray()), "the same bits as the widest path");
    }

    [Test]
    public void Every_vector_width_reads_transposed_and_strided_operands_in_place(
        [Values] VectorPath path,
        [ValueSource(nameof(AllLayouts))] Layout layoutA,
        [ValueSource(nameof(AllLayouts))] Layout layoutB,
        [Values(250, 1)] int n)
    {
        var random = new Random(HashCode.Combine(layoutA, layoutB, n));
        var a = Layouts.Make<T>(layoutA, [13, 37], random);
        var b = Layouts.Make<T>(layoutB, [37, n], random);

        var actual = OnPath(path, threading: false, () => NdArray.MatMul(a, b));

        Reference.AssertClose(actual, [13, n], Naive(a, b), Tolerance(37));
    }

    /// <summary>
    /// Operands stretched (stride 0) from one column, one row or one element, as a broadcast gradient
    /// is: stretched lines are packed by fills, A's rows and B's columns alike, over several depth blocks too.
    /// </summary>
    [Test]
    public void Every_vector_width_reads_operands_broadcast_along_either_axis(
        [Values] VectorPath path, [Values(0, 1, 2)] int stretchedA, [Values(0, 1, 2)] int stretchedB, [Values(37, 300)] int k, [Values(250, 1)] int n)
    {
        var random = new Random(HashCode.Combine(stretchedA, stretchedB, k, n));
        var a = Stretched(13, k, stretchedA, random);
        var b = Stretched(k, n, stretchedB, random);

        var actual = OnPath(path, threading: false, () => NdArray.MatMul(a, b));

        Reference.AssertClose(actual, [13, n], Naive(a, b), Tolerance(k));
    }

    /// <summary>A rows × columns array stretched from one column (0), one row (1) or one element (2).</summary>
    private static NdArray<T> Stretched(int rows, int columns, int stretched, Random random) =>
        Reference.Random<T>(stretched switch { 0 => [rows, 1], 1 => [1, columns], _ => [1, 1] }, random).BroadcastTo(rows, columns);

    [Test]
    public void Accumulate_adds_the_product_into_a_destination_of_any_layout(
        [Values] VectorPath path, [ValueSource(nameof(WritableLayouts))] Layout layoutC, [Values] bool accumulate)
    {
        var random = new Random(HashCode.Combine(layoutC, accumulate));
        var a = Reference.Random<T>([9, 530], random).Transpose().Transpose();
        var b = Reference.Random<T>([61, 530], random).Transpose();
        var c = Layouts.Make<T>(layoutC, [9, 61], random);
        var before = Reference.Read(c);
        var expected = Naive(a, b).Select((value, i) => accumulate ? before[i] + value : value).ToArray();

        var actual = OnPath(path, threading: false, () => NdArray.MatMul(a, b, into: c, accumulate: accumulate));

        Assert.That(actual, Is.SameAs(c));
        Reference.AssertClose(c, [9, 61], expected, Tolerance(530));
    }

    [Test]
    public void Accumulate_into_an_operand_adds_the_product_of_the_values_before_the_call()
    {
        var random = new Random(3);
        var a = Reference.Random<T>([20, 20], random);
        var b = Reference.Random<T>([20, 20], random);
        var expected = Naive(a, b).Select((value, i) => Reference.Read(a)[i] + value).ToArray();

        NdArray.MatMul(a, b, into: a, accumulate: true);

        Reference.AssertClose(a, [20, 20], expected, Tolerance(20));
    }

    /// <summary>
    /// Writing over an operand goes through a new, uninitialized product (NaN-filled in Debug), then a
    /// copy: every element of it must come from the kernel, on every path.
    /// </summary>
    [Test]
    public void A_product_written_over_its_operand_is_the_product_of_the_values_before_the_call(
        [Values] VectorPath path, [Values] bool threading)
    {
        var random = new Random(4);
        var a = Reference.Random<T>([150, 150], random);
        var b = Reference.Random<T>([150, 150], random);
        var expected = Naive(a, b);

        OnPath(path, threading, () => NdArray.MatMul(a, b, into: b));

        Reference.AssertClose(b, [150, 150], expected, Tolerance(150));
    }

    [Test]
    public void Accumulate_without_a_destination_is_refused_with_the_shapes()
    {
        var a = NdArray.Zeros<T>(2, 3);
        var b = NdArray.Zeros<T>(3, 4);

        var error = Assert.Throws<ArgumentException>(() => NdArray.MatMul(a, b, accumulate: true));

        Assert.That(error!.Message, Does.Contain("MatMul").And.Contain("[2, 3]").And.Contain("[3, 4]").And.Contain("into"));
    }

    /// <summary>
    /// Sizes on both sides of where the kernel changes course: up to 64 multiply-adds each element
    /// is one dot product (4³, 2×16×2 vs 2×17×2), and so is every row of a matrix times a column
    /// vector (129×131×1, 1×1×1); B is read in place up to 12 rows or 2^18
    /// multiply-adds (12 vs 13 rows, 63³ vs 65³), with full and partial slivers of B (64 and 130
    /// columns), depths on and off the transpose block (16, 9, 65, 131) and past the 512-deep block
    /// (513), up to 131 in each dimension; 131×129×133 is also split across threads.
    /// </summary>
    private static readonly int[][] InPlaceEdgeSizes =
        [[4, 4, 4], [2, 16, 2], [2, 17, 2], [129, 131, 1], [1, 1, 1], [12, 513, 131], [13, 513, 131], [63, 63, 63], [65, 65, 65], [6, 16, 64], [7, 9, 130], [1, 131, 129], [131, 129, 133]];

    /// <summary>
    /// A contiguous B is read in place or packed, depending on the size; a transposed B is always
    /// packed, by register transposes on the 256- and 512-bit paths and element by element on the
    /// narrower ones. Whatever the path, the product matches the naive one, and it has the same bits
    /// as the widest path on one thread, whichever layout B has, also when added into C.
    /// </summary>
    [Test]
    public void B_read_in_place_or_packed_from_either_layout_matches_the_naive_product(
        [Values] VectorPath path,
        [ValueSource(nameof(InPlaceEdgeSizes))] int[] size,
        [Values(Layout.Contiguous, Layout.Transposed)] Layout layoutB,
        [Values] bool threading,
        [Values] bool accumulate)
    {
        int m = size[0], k = size[1], n = size[2];
        var random = new Random(HashCode.Combine(m, k, n));
        var a = Reference.Random<T>([m, k], random);
        var transposed = Reference.Random<T>([n, k], random).Transpose();
        var b = layoutB == Layout.Transposed ? transposed : transposed.Clone();
        var c = Reference.Random<T>([m, n], random);
        var before = c.Clone();
        var initial = Reference.Read(before);
        var expected = Naive(a, b).Select((value, i) => accumulate ? initial[i] + value : value).ToArray();

        OnPath(path, threading, () => NdArray.MatMul(a, b, into: c, accumulate: accumulate));
        var reference = OnPath(VectorPath.Widest, threading: false, () => NdArray.MatMul(a, transposed.Clone(), into: before.Clone(), accumulate: accumulate));

        Reference.AssertClose(c, [m, n], expected, Tolerance(k));
        Assert.That(c.ToArray(), Is.EqualTo(reference.ToArray()), "the same bits as the widest path with B contiguous, on one thread");
    }

    private static readonly int[][] AllocationSizes = [[2, 2, 2], [1, 784, 256], [64, 64, 64], [96, 96, 96]];

    /// <summary>
    /// A 2-D product into a destination allocates nothing once the thread's pack buffers exist:
    /// no shape arrays in the checks, no buffers in the kernel, whether B is read in place or packed.
    /// </summary>
    [Test]
    public void A_product_into_a_destination_allocates_nothing([ValueSource(nameof(AllocationSizes))] int[] size, [Values] bool transposedRight)
    {
        int m = size[0], k = size[1], n = size[2];
        var random = new Random(m);
        var a = Reference.Random<T>([m, k], random);
        var b = transposedRight ? Reference.Random<T>([n, k], random).Transpose() : Reference.Random<T>([k, n], random);
        var c = NdArray.Zeros<T>(m, n);
        KernelOptions.Threading = false; // the tear-down turns it back on
        NdArray.MatMul(a, b, into: c);

        // Now and then something in the runtime allocates on this thread during one call (4 KB, in two
        // of six runs of this fixture, none of it this code's); a product that allocates does so every call.
        var fewest = long.MaxValue;
        for (var call = 0; call < 3; call++)
        {
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            NdArray.MatMul(a, b, into: c);
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - allocated);
        }

        Assert.That(fewest, Is.Zero);
    }

    /// <summary>
    /// Sizes above the threshold where the kernel splits its work: by columns when n ≥ m, else by
    /// rows. The split happens above the choice of width, so two widths are enough here.
    /// </summary>
    private static readonly int[][] ThreadedSizes = [[129, 131, 130], [331, 100, 64], [70, 120, 256]];

    [Test]
    public void Threads_on_and_off_give_the_same_bits_as_the_naive_product(
        [Values(VectorPath.Widest, VectorPath.Vector128)] VectorPath path, [ValueSource(nameof(ThreadedSizes))] int[] size)
    {
        int m = size[0], k = size[1], n = size[2];
        var random = new Random(m + k + n);
        var a = Reference.Random<T>([k, m], random).Transpose();
        var b = Reference.Random<T>([k, n], random);

        var threaded = OnPath(path, threading: true, () => NdArray.MatMul(a, b));
        var alone = OnPath(path, threading: false, () => NdArray.MatMul(a, b));

        Reference.AssertClose(threaded, [m, n], Naive(a, b), Tolerance(k));
        Assert.That(threaded.ToArray(), Is.EqualTo(alone.ToArray()));
    }

    [Test]
    public void Batches_broadcast_on_every_path([Values] VectorPath path, [Values] bool transposedRight)
    {
        var random = new Random(transposedRight ? 1 : 2);
        var a = Reference.Random<T>([3, 1, 8, 21], random);
        var b = transposedRight ? Reference.Random<T>([4, 61, 21], random).Transpose(0, 2, 1) : Reference.Random<T>([4, 21, 61], random);
        var shared = Reference.Random<T>([21, 61], random);

        var batched = OnPath(path, threading: false, () => NdArray.MatMul(a, b));
        var sharedRight = OnPath(path, threading: false, () => NdArray.MatMul(a, shared));

        var expected = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 4; j++)
                expected.AddRange(Naive(a.Pick(0, i).Pick(0, 0), b.Pick(0, j)));
        }
        Reference.AssertClose(batched, [3, 4, 8, 61], [.. expected], Tolerance(21));
        var expectedShared = Enumerable.Range(0, 3).SelectMany(i => Naive(a.Pick(0, i).Pick(0, 0), shared)).ToArray();
        Reference.AssertClose(sharedRight, [3, 1, 8, 61], expectedShared, Tolerance(21));
    }
}
