using System.ComponentModel;
using System.Numerics;

namespace Autograd.Engine;

/// <summary>
/// What a generated op whose vertices are tape records does (one instance per op and element type):
/// its name, its input count and its backward, reading what a record saved. Ops with at most two
/// array inputs and two saved arrays, and nothing else saved, are recorded this way; the rest as
/// <see cref="Node{T}"/> objects.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class TapeOp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The op's name, for messages and graph export.</summary>
    public abstract string OpName { get; }

    /// <summary>How many array inputs the op has (one or two), tracked or not.</summary>
    public abstract int InputCount { get; }

    /// <summary>True when <see cref="BackwardGraph"/> records its computations.</summary>
    public virtual bool IsDifferentiableTwice => false;

    /// <summary>Runs the backward of <paramref name="record"/> for <paramref name="outputGradient"/>, like <see cref="Node{T}"/>'s.</summary>
    protected abstract void Backward(OpRecord<T> record, NdArray<T> outputGradient, BackwardPass<T> pass);

    /// <summary>The backward computed with recorded ops, like <see cref="Node{T}"/>'s.</summary>
    protected virtual void BackwardGraph(OpRecord<T> record, Variable<T> outputGradient, BackwardPass<T> pass) =>
        throw Node<T>.FirstOrderOnly(OpName);

    internal void RunBackward(OpRecord<T> record, NdArray<T> outputGradient, BackwardPass<T> pass) => Backward(record, outputGradient, pass);

    internal void RunBackwardGraph(OpRecord<T> record, Variable<T> outputGradient, BackwardPass<T> pass) => BackwardGraph(record, outputGradient, pass);
}

/// <summary>One recorded application of a <see cref="TapeOp{T}"/>, as its backward reads it.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct OpRecord<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly TapeChunk<T> _chunk;
    private readonly int _index;

    internal OpRecord(TapeChunk<T> chunk, int index)
    {
        _chunk = chunk;
        _index = index;
    }

    internal Vertex<T> Vertex => new(_chunk, _index);

    internal Vertex<T> Input(int input) => _chunk.InputOf(_index, input);

    /// <summary>Saved array <paramref name="saved"/> (0 or 1), once checked unchanged (<see cref="SavedArray{T}.Unpack(Node{T}, string)"/>).</summary>
    public NdArray<T>? Unpack(int saved, string description) => _chunk.Saved(_index, saved).Unpack(_chunk, _index, description);

    /// <summary>
    /// Saved array <paramref name="saved"/> for a recorded backward (<see cref="SavedArray{T}.Track(Node{T}, string, Node{T})"/>): its gradient flows into
    /// input <paramref name="source"/>, or into this record for -1 (the op's output).
    /// </summary>
    public Variable<T>? Track(int saved, string description, int source) =>
        _chunk.Saved(_index, saved).Track(_chunk, _index, description, source < 0 ? Vertex : Input(source));
}

/// <summary>
/// Graph vertices as records in an array: a deep graph is then a few large arrays, not one object per
/// op that every young collection has to find and promote (issue 8, target 4: a 1,000,000-op chain
/// costs per op at most twice what a 1,000-op chain does). An op extends the chunk whose last record is one of its
/// inputs, so a chunk holds one line of descent, each record built on the one before; an op on
/// anything else starts a chunk. Chunks double, up to 64K records, along a line.
/// </summary>
/// <remarks>
/// A chunk lives while anything refers to one of its records, and keeps all of them: a variable kept
/// from the middle of a graph keeps the records built after it in its chunk (and what they saved)
/// until it is dropped.
/// </remarks>
internal sealed class TapeChunk<T> : VertexStore<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int FirstCapacity = 1;
    private const int LargestCapacity = 1 << 16;

    private struct Record
    {
        public TapeOp<T> Op;
        public Vertex<T> Input0, Input1;
        public SavedArray<T> Saved0, Saved1;
        public int[] OutputShape;
        public long PassId;
        public int PassSlot;
        public byte InputCount; // the op's, kept here: the engine asks for it at every step
        public bool Released;
    }

    private readonly Record[] _records;
    private int _count;
    private RecordNode<T>?[]? _nodes; // made when a record's node is first asked for

    private TapeChunk(int capacity) => _records = new Record[capacity];

    /// <summary>Records an application of <paramref name="op"/>, after its last input's record when that ends its chunk.</summary>
    public static Vertex<T> Append(TapeOp<T> op, Vertex<T> input0, Vertex<T> input1, NdArray<T>? saved0, NdArray<T>? saved1, int[] outputShape)
    {
        var place = TryClaimAfter(input1) ?? TryClaimAfter(input0) ?? new(new TapeChunk<T>(Math.Max(CapacityAfter(input0), CapacityAfter(input1))) { _count = 1 }, 0);
        // Written in place, field by field: nobody reads the record before this returns its vertex.
        ref var record = ref ((TapeChunk<T>)place.Store!)._records[place.Index];
        record.Op = op;
        record.InputCount = (byte)op.InputCount;
        record.Input0 = input0;
        record.Input1 = input1;
        record.Saved0 = new SavedArray<T>(saved0);
        record.Saved1 = new SavedArray<T>(saved1);
        record.OutputShape = outputShape;
        return place;
    }

    /// <summary>The place after <paramref name="input"/> in its chunk, claimed, when it is the chunk's last record and the chunk has room.</summary>
    private static Vertex<T>? TryClaimAfter(Vertex<T> input)
    {
        if (input.Store is not TapeChunk<T> chunk)
            return null;
        var index = input.Index + 1;
        // Claims the next place only while the input is the last record: one line of descent per chunk.
        if (index == chunk._records.Length || Interlocked.CompareExchange(ref chunk._count, index + 1, index) != index)
            return null;
        return new(chunk, index);
    }

    /// <summary>The capacity of a chunk that continues the line of <paramref name="input"/>: double that of a full chunk it ends.</summary>
    private static int CapacityAfter(Vertex<T> input) =>
        input.Store is TapeChunk<T> chunk && input.Index == chunk._records.Length - 1
            ? Math.Min(chunk._records.Length * 2, LargestCapacity)
            : FirstCapacity;

    internal SavedArray<T> Saved(int index, int saved) => saved == 0 ? _records[index].Saved0 : _records[index].Saved1;

    internal bool IsReleasedAt(int index) => _records[index].Released;

    internal override string OpNameOf(int index) => _records[index].Op.OpName;

    internal override int InputCountOf(int index) => _records[index].InputCount;

    internal override Vertex<T> InputOf(int index, int input) => input == 0 ? _records[index].Input0 : _records[index].Input1;

    internal override int[] OutputShapeOf(int index) => _records[index].OutputShape;

    internal override ref long PassIdOf(int index) => ref _records[index].PassId;

    internal override ref int PassSlotOf(int index) => ref _records[index].PassSlot;

    internal override Node<T>? ExistingNodeOf(int index) => Volatile.Read(ref _nodes)?[index];

    internal override Node<T> NodeOf(int index)
    {
        var nodes = Volatile.Read(ref _nodes) ?? Interlocked.CompareExchange(ref _nodes, new RecordNode<T>?[_records.Length], null) ?? _nodes;
        return Volatile.Read(ref nodes[index]) ?? Interlocked.CompareExchange(ref nodes[index], new RecordNode<T>(this, index), null) ?? nodes[index]!;
    }

    internal bool IsDifferentiableTwiceAt(int index) => _records[index].Op.IsDifferentiableTwice;

    internal override void RunBackward(int index, NdArray<T> outputGradient, BackwardPass<T> pass)
    {
        ThrowIfReleased(index);
        _records[index].Op.RunBackward(new OpRecord<T>(this, index), outputGradient, pass);
    }

    internal override void RunBackwardGraph(int index, Variable<T> outputGradient, BackwardPass<T> pass)
    {
        ThrowIfReleased(index);
        _records[index].Op.RunBackwardGraph(new OpRecord<T>(this, index), outputGradient, pass);
    }

    private void ThrowIfReleased(int index)
    {
        if (_records[index].Released)
            throw Node<T>.Released(OpNameOf(index));
    }

    internal override void Release(int index)
    {
        _records[index].Saved0 = default;
        _records[index].Saved1 = default;
        _records[index].Released = true;
    }
}

/// <summary>The node object of a tape record, made when someone asks for it (<see cref="Variable{T}.Node"/>, a hook, a name): a view of the record.</summary>
internal sealed class RecordNode<T> : Node<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly TapeChunk<T> _chunk;
    private readonly int _index;

    public RecordNode(TapeChunk<T> chunk, int index)
    {
        _chunk = chunk;
        _index = index;
        SetOutputShape(chunk.OutputShapeOf(index));
    }

    internal override Vertex<T> Vertex => new(_chunk, _index);

    public override string OpName => _chunk.OpNameOf(_index);

    public override int InputCount => _chunk.InputCountOf(_index);

    public override bool IsReleased => _chunk.IsReleasedAt(_index);

    public override bool IsDifferentiableTwice => _chunk.IsDifferentiableTwiceAt(_index);

    public override Node<T>? GetInput(int index)
    {
        if ((uint)index >= (uint)InputCount)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The op has {InputCount} array input(s).");
        return _chunk.InputOf(_index, index) is { Exists: true } input ? input.Node : null;
    }

    protected override void Backward(NdArray<T> outputGradient, BackwardPass<T> pass) => _chunk.RunBackward(_index, outputGradient, pass);

    protected override void BackwardGraph(Variable<T> outputGradient, BackwardPass<T> pass) => _chunk.RunBackwardGraph(_index, outputGradient, pass);

    protected override void ReleaseSavedState() => _chunk.Release(_index);
}
