using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;

namespace Autograd.Benchmarks.Table;

/// <summary>
/// What recording costs per op (issue 8, targets 4 and 5): the seed's example at 128×128 against
/// three raw multiplies, and a chain of 128-float multiplies, recorded then backpropagated, against
/// one raw multiply per op. Leaf gradients are zeroed before every pass, as a training loop does.
/// </summary>
[MemoryDiagnoser]
public class RecordingBenchmarks
{
    public const int ChainElements = 128, SeedSide = 128, ChainLength = 1000;

    private NdArray<float> _ones = null!;
    private Variable<float> _x1 = null!, _x2 = null!, _start = null!;
    private float[] _a = null!, _b = null!, _product = null!, _seedA = null!, _seedB = null!, _seedProduct = null!, _gradient = null!, _spareGradient = null!;

    [GlobalSetup]
    public void Setup()
    {
        _x1 = NdArray.RandomNormal<float>(1, SeedSide, SeedSide).ToVariable("x1");
        _x2 = NdArray.RandomNormal<float>(2, SeedSide, SeedSide).ToVariable("x2");
        _start = NdArray.RandomNormal<float>(3, ChainElements).ToVariable("x");
        _ones = NdArray.Ones<float>(ChainElements);
        (_a, _b, _product) = (_ones.ToArray(), _start.Value.ToArray(), new float[ChainElements]);
        (_gradient, _spareGradient) = (_ones.ToArray(), new float[ChainElements]);
        (_seedA, _seedB, _seedProduct) = (_x1.Value.ToArray(), _x2.Value.ToArray(), new float[SeedSide * SeedSide]);
    }

    /// <summary>The seed's example: y = x1 * x2 on 128×128, then y.Backward() (ones as the seed).</summary>
    [Benchmark]
    public NdArray<float> SeedCase()
    {
        _x1.ZeroGrad();
        _x2.ZeroGrad();
        (_x1 * _x2).Backward();
        return _x1.Grad!;
    }

    /// <summary>The seed case's floor: its three multiplies (forward, then dy·x2 and dy·x1) done raw into preallocated buffers.</summary>
    [Benchmark]
    public void SeedFloor()
    {
        TensorPrimitives.Multiply(_seedA, _seedB, _seedProduct);
        TensorPrimitives.Multiply(_seedProduct, _seedB, _seedA);
        TensorPrimitives.Multiply(_seedProduct, _seedA, _seedB);
    }

    /// <summary>One raw multiply of 128 floats into a preallocated buffer: the chain's floor per op.</summary>
    [Benchmark]
    public void RawMultiply128() => TensorPrimitives.Multiply(_a, _b, _product);

    /// <summary>A chain of 1,000 recorded 128-float multiplies (y = y * c), per op.</summary>
    [Benchmark(OperationsPerInvoke = ChainLength)]
    public Variable<float> ChainForward() => Chain(_start, _ones, ChainLength);

    /// <summary>The same chain, then one backward through it, per op.</summary>
    [Benchmark(OperationsPerInvoke = ChainLength)]
    public NdArray<float> ChainForwardBackward()
    {
        _start.ZeroGrad();
        Chain(_start, _ones, ChainLength).Backward();
        return _start.Grad!;
    }

    public static Variable<float> Chain(Variable<float> start, NdArray<float> factor, int length)
    {
        var y = start;
        for (var i = 0; i < length; i++)
            y *= factor;
        return y;
    }

    /// <summary>The least <see cref="ChainForward"/> can cost per op while every op returns a new array, array object and variable, and is recorded in a tape: <see cref="PlainTapeChain"/>.</summary>
    [Benchmark(OperationsPerInvoke = ChainLength)]
    public object PlainTapeChainForward() => PlainTapeChain(_b, _a, ChainLength);

    /// <summary>The least <see cref="ChainForwardBackward"/> can cost per op: <see cref="PlainTapeChainForward"/>, then <see cref="PlainTapeBackward"/>.</summary>
    [Benchmark(OperationsPerInvoke = ChainLength)]
    public float[] PlainTapeChainForwardBackward() => PlainTapeBackward(PlainTapeChain(_b, _a, ChainLength), ChainLength, _gradient, _spareGradient);

    /// <summary>
    /// The chain with no library code: per op, the raw multiply into a new 128-float buffer, and plain
    /// objects as big as a recorded op's were before the tape, linked the same way. The value (buffer
    /// and a 72-byte array object) and a 72-byte variable die young; an 88-byte node linked to the one
    /// before survives, as the multiply's node did.
    /// </summary>
    public static object PlainChain(float[] start, float[] factor, int length)
    {
        var shape = new[] { ChainElements };
        var node = new PlainNode(null, shape);
        var value = start;
        for (var i = 0; i < length; i++)
        {
            value = Product(value, factor);
            node = new PlainNode(node, shape);
            GC.KeepAlive(new PlainObject(new PlainObject(value, shape), node)); // the variable over its array object, dropped like a chain's intermediates
        }
        return node;
    }

    /// <summary>
    /// <see cref="PlainChain"/> with each op's node a record in a tape instead of an object: the records
    /// (as many bytes as a tape record, its input by index) live in arrays of structs that double in
    /// length from one record up to 64K, as tape chunks do, so a deep graph is a few large arrays rather
    /// than one small object per op that every young collection has to find and copy: how recorded ops
    /// keep their vertices now (<c>TapeChunk</c>), with no library code.
    /// </summary>
    public static List<PlainRecord[]> PlainTapeChain(float[] start, float[] factor, int length)
    {
        var shape = new[] { ChainElements };
        var tape = new List<PlainRecord[]>();
        var used = 0;
        var value = start;
        for (var i = 0; i < length; i++)
        {
            value = Product(value, factor);
            if (tape.Count == 0 || used == tape[^1].Length)
            {
                tape.Add(new PlainRecord[Math.Min(1 << 16, 1 << tape.Count)]);
                used = 0;
            }
            tape[^1][used++] = new PlainRecord(i - 1, factor, shape);
            GC.KeepAlive(new PlainObject(new PlainObject(value, shape), tape)); // the variable over its array object, and its tape
        }
        return tape;
    }

    /// <summary>
    /// A backward through <see cref="PlainTapeChain"/>'s <paramref name="length"/> records with no library
    /// code: from the last record back, one raw multiply of the gradient by what the record saved, into
    /// whichever of two warm buffers the gradient is not in. Returns the buffer the last product is in.
    /// </summary>
    public static float[] PlainTapeBackward(List<PlainRecord[]> tape, int length, float[] gradient, float[] spare)
    {
        var inLastChunk = length - tape.SkipLast(1).Sum(records => records.Length);
        for (var chunk = tape.Count - 1; chunk >= 0; chunk--)
        {
            var records = tape[chunk];
            for (var i = (chunk == tape.Count - 1 ? inLastChunk : records.Length) - 1; i >= 0; i--)
            {
                TensorPrimitives.Multiply(gradient, (float[])records[i].Saved, spare);
                (gradient, spare) = (spare, gradient);
            }
        }
        return gradient;
    }

    /// <summary>One op of the plain chains: the raw multiply into a new buffer.</summary>
    private static float[] Product(float[] value, float[] factor)
    {
        var product = new float[ChainElements];
        TensorPrimitives.Multiply(value, factor, product);
        return product;
    }

    /// <summary>A node as a record: its input's index, a saved array and the output's shape, padded to the 96 bytes of a tape record (<c>TapeChunk</c>).</summary>
    public readonly struct PlainRecord(int input, object saved, int[] shape)
    {
        public readonly int Input = input;
        public readonly object Saved = saved;
        public readonly int[] Shape = shape;
        public readonly long Pad0 = 0, Pad1 = 0, Pad2 = 0, Pad3 = 0, Pad4 = 0, Pad5 = 0, Pad6 = 0, Pad7 = 0, Pad8 = 0;
    }

    private sealed class PlainObject(object first, object second)
    {
        public readonly object First = first, Second = second;
        public readonly long Pad0 = 0, Pad1 = 0, Pad2 = 0, Pad3 = 0, Pad4 = 0; // 72 bytes, like NdArray and Variable here
    }

    private sealed class PlainNode(PlainNode? input, int[] shape)
    {
        public readonly PlainNode? Input = input;
        public readonly int[] Shape = shape;
        public readonly long Pad0 = 0, Pad1 = 0, Pad2 = 0, Pad3 = 0, Pad4 = 0, Pad5 = 0, Pad6 = 0; // 88 bytes, like the multiply's node
    }
}

/// <summary>
/// Forward + backward through chains of 128-float multiplies, 100 … 1,000,000 ops deep (only 1,000
/// and 1,000,000, the table's pair, in the short mode): the time per op should not grow with depth.
/// </summary>
[MemoryDiagnoser]
public class ChainScaling
{
    public static IEnumerable<int> Depths() => PerformanceTable.Short ? [1_000, 1_000_000] : [100, 1_000, 10_000, 100_000, 1_000_000];

    [ParamsSource(nameof(Depths))]
    public int Depth { get; set; }

    private NdArray<float> _ones = null!;
    private Variable<float> _start = null!;

    [GlobalSetup]
    public void Setup()
    {
        _start = NdArray.RandomNormal<float>(3, RecordingBenchmarks.ChainElements).ToVariable("x");
        _ones = NdArray.Ones<float>(RecordingBenchmarks.ChainElements);
    }

    [Benchmark]
    public NdArray<float> ForwardBackward()
    {
        _start.ZeroGrad();
        RecordingBenchmarks.Chain(_start, _ones, Depth).Backward();
        return _start.Grad!;
    }

    /// <summary>The chain with no library code (<see cref="RecordingBenchmarks.PlainChain"/>): what the collector alone costs per op at each depth.</summary>
    [Benchmark]
    public object PlainForward() => RecordingBenchmarks.PlainChain(_start.Value.Data, _ones.Data, Depth);

    /// <summary>The same with each node a record in a tape (<see cref="RecordingBenchmarks.PlainTapeChain"/>).</summary>
    [Benchmark]
    public object PlainTapeForward() => RecordingBenchmarks.PlainTapeChain(_start.Value.Data, _ones.Data, Depth);
}
