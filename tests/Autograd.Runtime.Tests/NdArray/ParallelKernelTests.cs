using System.Numerics;
using Autograd.Kernels;

namespace Autograd.Runtime.Tests.Arrays;

/// <summary>
/// Elementwise kernels, reductions and softmax on arrays large enough to be split across cores,
/// with threads on and off, against the naive reference: odd lengths so that the last range has a
/// tail, strided and broadcast operands, and every kind of reduction (kept rows, reduced rows, all).
/// </summary>
[TestFixture(typeof(float))]
[TestFixture(typeof(double))]
public class ParallelKernelTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>517 × 263 = 135,971 elements: above the 131,072 at which kernels split their work.</summary>
    private static readonly int[] Large = [517, 263];

    private static readonly Layout[] Operands = [Layout.Contiguous, Layout.Transposed, Layout.Picked];
    private static readonly Layout[] Others = [Layout.Reversed, Layout.Broadcast];

    [TearDown]
    public void RestoreThreading() => KernelOptions.Threading = true;

    private static NdArray<T> With(bool threading, Func<NdArray<T>> kernel)
    {
        KernelOptions.Threading = threading;
        try
        {
            return kernel();
        }
        finally
        {
            KernelOptions.Threading = true;
        }
    }

    [Test]
    public void Binary_kernels_match_the_reference(
        [Values] bool threading, [ValueSource(nameof(Operands))] Layout layoutX, [ValueSource(nameof(Others))] Layout layoutY)
    {
        var random = new Random(HashCode.Combine(layoutX, layoutY));
        var x = Layouts.Make<T>(layoutX, Large, random);
        var y = Layouts.Make<T>(layoutY, Large, random);

        var actual = With(threading, () => NdArray.Multiply(x, y));

        Reference.AssertClose(actual, Large, Reference.Broadcast(x, y, (p, q) => p * q, out _));
    }

    [Test]
    public void A_long_row_is_cut_into_ranges_with_a_tail([Values] bool threading, [Values(131_073, 262_147)] int length)
    {
        var random = new Random(length);
        var x = Reference.Random<T>([length], random);
        var y = Reference.Random<T>([length], random);
        var destination = Layouts.Make<T>(Layout.Stepped, [length], random);

        var difference = With(threading, () => NdArray.Subtract(x, y));
        var exp = With(threading, () => NdArray.Exp(x, into: destination));

        Reference.AssertClose(difference, [length], Reference.Broadcast(x, y, (p, q) => p - q, out _));
        Reference.AssertClose(exp, [length], [.. Reference.Read(x).Select(v => Reference.Round<T>(Math.Exp(v)))]);
    }

    [Test]
    public void Unary_kernels_match_the_reference([Values] bool threading, [ValueSource(nameof(Operands))] Layout layout)
    {
        var x = Layouts.Make<T>(layout, Large, new Random(5));

        var actual = With(threading, () => NdArray.Tanh(x));

        Reference.AssertClose(actual, Large, [.. Reference.Read(x).Select(Math.Tanh)]);
    }

    [Test]
    public void Reductions_match_the_reference([Values] bool threading, [ValueSource(nameof(Operands))] Layout layout)
    {
        var x = Layouts.Make<T>(layout, Large, new Random(6));
        var values = Reference.Read(x);
        int rows = Large[0], columns = Large[1];
        var rowSums = Enumerable.Range(0, rows).Select(i => values.Skip(i * columns).Take(columns).Sum()).ToArray();
        var columnMax = Enumerable.Range(0, columns).Select(j => Enumerable.Range(0, rows).Max(i => values[i * columns + j])).ToArray();

        var all = With(threading, () => NdArray.Sum(x));
        var perRow = With(threading, () => NdArray.Sum(x, [1]));
        var perColumn = With(threading, () => NdArray.Max(x, [0], keepDims: true));

        Reference.AssertClose(all, [], [values.Sum()], typeof(T) == typeof(float) ? 1e-4 : 1e-10);
        Reference.AssertClose(perRow, [rows], rowSums);
        Reference.AssertClose(perColumn, [1, columns], columnMax);
    }

    [Test]
    public void Softmax_rows_match_the_reference([Values] bool threading)
    {
        var x = Layouts.Make<T>(Layout.Transposed, Large, new Random(7));
        var values = Reference.Read(x);
        int rows = Large[0], columns = Large[1];
        var expected = new double[values.Length];
        for (var i = 0; i < rows; i++)
        {
            var row = values.AsSpan(i * columns, columns);
            var max = row.ToArray().Max();
            var total = row.ToArray().Sum(v => Math.Exp(v - max));
            for (var j = 0; j < columns; j++)
                expected[i * columns + j] = Math.Exp(row[j] - max) / total;
        }

        var actual = With(threading, () => Autograd.Ops.Softmax(x));

        Reference.AssertClose(actual, Large, expected);
    }
}
