using System.Numerics;

namespace Autograd;

/// <summary>
/// An n-dimensional array of <typeparamref name="T"/>: a strided view (shape, strides, offset) over
/// one buffer, like scijs <c>ndarray</c> and numpy. Views (slices, transposes, broadcasts and
/// contiguous reshapes) share the buffer; <see cref="Clone"/> copies it.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed partial class NdArray<T> : INdArray
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _data;
    private readonly int[] _shape;
    private readonly int[] _strides;
    private readonly int _offset;
    private readonly int _length;

    // What the engine tracks of the buffer lives on the array that owns it (a view points there), so
    // that every view shares it and a fresh array costs no extra object.
    private readonly NdArray<T>? _owner; // null when this array owns its buffer
    private int _version;
    private string? _gradLeafName;

    // Whether the strides are exactly the shape's row-major ones, worked out on first use (a view
    // often never asks) and known at once for a new result. Racing threads write the same value.
    private Layout _layout;

    private enum Layout : byte { Unknown, RowMajor, Other }

    /// <summary>Wraps a new buffer as given: callers have checked that every index stays inside it.</summary>
    internal NdArray(T[] data, int[] shape, int[] strides, int offset)
    {
        _data = data;
        _shape = shape;
        _strides = strides;
        _offset = offset;
        _length = Shapes.ElementCount(shape);
    }

    /// <summary>A view of <paramref name="source"/>'s buffer: callers have checked that every index stays inside it.</summary>
    internal NdArray(NdArray<T> source, int[] shape, int[] strides, int offset)
        : this(source._data, shape, strides, offset)
    {
        _owner = source.Owner;
    }

    /// <summary>A new contiguous array of <paramref name="shape"/>, filled with zeros.</summary>
    internal NdArray(int[] shape)
        : this(new T[Shapes.ElementCount(shape)], shape, Shapes.ContiguousStrides(shape), 0)
    {
    }

    /// <summary>
    /// A new contiguous array of <paramref name="shape"/> whose elements are not cleared first: only
    /// for a result its caller writes in full before anyone reads it. Clearing a large result costs
    /// as much memory traffic as the kernel that then overwrites it. Debug builds (the tests) fill it
    /// with NaN, so a kernel that skips an element shows up as a NaN.
    /// </summary>
    internal static NdArray<T> ForResult(int[] shape) => ForResult(shape, Shapes.ContiguousStrides(shape));

    /// <summary>
    /// <see cref="ForResult(int[])"/> of <paramref name="like"/>'s shape, sharing its shape array, and
    /// its strides array when those are row-major (no array ever writes either), so a result costs no
    /// shape or stride array of its own.
    /// </summary>
    internal static NdArray<T> ForResult(NdArray<T> like) =>
        ForResult(like._shape, like.IsRowMajor ? like._strides : Shapes.ContiguousStrides(like._shape));

    private static NdArray<T> ForResult(int[] shape, int[] strides)
    {
        var data = GC.AllocateUninitializedArray<T>(Shapes.ElementCount(shape));
#if DEBUG
        data.AsSpan().Fill(T.NaN);
#endif
        return new(data, shape, strides, 0) { _layout = Layout.RowMajor };
    }

    /// <summary>True when the strides are exactly the row-major ones of the shape (see <see cref="Shapes.IsRowMajor"/>), so the elements are the span <see cref="Offset"/> … + <see cref="Length"/>.</summary>
    internal bool IsRowMajor
    {
        get
        {
            if (_layout == Layout.Unknown)
                _layout = Shapes.IsRowMajor(_shape, _strides) ? Layout.RowMajor : Layout.Other;
            return _layout == Layout.RowMajor;
        }
    }

    /// <inheritdoc />
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>The shape's own array, for a node to keep without copying (never written).</summary>
    internal int[] ShapeArray => _shape;

    /// <summary>How far, in elements of the buffer, one step along each axis moves.</summary>
    public ReadOnlySpan<int> Strides => _strides;

    /// <summary>Where element <c>[0, 0, …]</c> sits in the buffer.</summary>
    public int Offset => _offset;

    /// <inheritdoc />
    public int Rank => _shape.Length;

    /// <inheritdoc />
    public int Length => _length;

    /// <inheritdoc />
    public Type ElementType => typeof(T);

    /// <summary>
    /// True when the elements lie in row-major order, one after another, so the array is
    /// <see cref="AsSpan"/>-able and kernels take their vectorized path.
    /// </summary>
    public bool IsContiguous => Shapes.IsContiguous(_shape, _strides);

    /// <summary>The buffer this view reads and writes (shared with every other view of it).</summary>
    internal T[] Data => _data;

    /// <summary>The array that owns the buffer behind this view: where its version and leaf guard are kept.</summary>
    private NdArray<T> Owner => _owner ?? this;

    /// <summary>Set once a leaf variable that requires grad holds the buffer: that leaf's name, or "" when unnamed. In-place writes are then refused while recording.</summary>
    internal string? GradLeafName
    {
        get => Owner._gradLeafName;
        set => Owner._gradLeafName = value;
    }

    /// <summary>Records one in-place write to the buffer (see <see cref="Version"/>).</summary>
    internal void MarkWritten() => Owner._version++;

    /// <summary>
    /// How many in-place writes the buffer behind this array has seen, through this view or any
    /// other: kernels writing into it, indexer writes, <see cref="AsSpan"/>, optimizer steps. A
    /// recorded op remembers the version of every array it saved and refuses to run its backward
    /// once it moved.
    /// </summary>
    public int Version => Owner._version;

    /// <summary>Reads or writes one element of a 1-D array.</summary>
    public T this[int i]
    {
        get => _data[IndexOf(i)];
        set => _data[Written(IndexOf(i))] = value;
    }

    /// <summary>Reads or writes one element of a 2-D array.</summary>
    public T this[int i, int j]
    {
        get => _data[IndexOf(i, j)];
        set => _data[Written(IndexOf(i, j))] = value;
    }

    /// <summary>Reads or writes one element of a 3-D array.</summary>
    public T this[int i, int j, int k]
    {
        get => _data[IndexOf(i, j, k)];
        set => _data[Written(IndexOf(i, j, k))] = value;
    }

    /// <summary>Reads or writes one element; one index per axis.</summary>
    public T this[params int[] index]
    {
        get => _data[IndexOf(index)];
        set => _data[Written(IndexOf(index))] = value;
    }

    /// <summary>
    /// The elements as one writable span, in row-major order. Only for contiguous arrays. Handing out
    /// a writable span counts as an in-place write (see <see cref="Version"/>); read through
    /// <see cref="AsReadOnlySpan"/> instead.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// The array is a strided view (<see cref="Clone"/> it first), or it is the value of a leaf
    /// variable that requires grad and gradients are being recorded.
    /// </exception>
    public Span<T> AsSpan()
    {
        var span = ContiguousSpan(nameof(AsSpan));
        NdArray.BeginWrite(this, nameof(AsSpan));
        return span;
    }

    /// <summary>The elements as one read-only span, in row-major order. Only for contiguous arrays.</summary>
    /// <exception cref="InvalidOperationException">The array is a strided view; <see cref="Clone"/> it first.</exception>
    public ReadOnlySpan<T> AsReadOnlySpan() => ContiguousSpan(nameof(AsReadOnlySpan));

    private Span<T> ContiguousSpan(string operation)
    {
        if (!IsContiguous)
        {
            throw new InvalidOperationException(
                $"{operation}: the array of shape {ShapeText.Of(_shape)} with strides {ShapeText.Of(_strides)} is not contiguous; call Clone() for a contiguous copy.");
        }
        return _data.AsSpan(_offset, _length);
    }

    /// <summary>A contiguous copy of this array with its own buffer.</summary>
    public NdArray<T> Clone()
    {
        var copy = ForResult(this);
        NdArray.Copy(this, copy);
        return copy;
    }

    /// <summary>The elements in row-major order, copied into a new array.</summary>
    public T[] ToArray() => IsContiguous ? AsReadOnlySpan().ToArray() : Clone()._data;

    /// <summary>The single element of an array that has exactly one.</summary>
    /// <exception cref="InvalidOperationException">The array has more or fewer elements than one.</exception>
    public T ToScalar()
    {
        if (_length != 1)
            throw new InvalidOperationException($"ToScalar: the array of shape {ShapeText.Of(_shape)} has {_length} elements, not 1; pick or reduce it to one element first.");
        return _data[_offset];
    }

    /// <summary>Numpy-like text: nested brackets, elided in the middle when large.</summary>
    public override string ToString() => NdArrayFormatter.Format(this);

    /// <summary><paramref name="position"/>, once the indexer write to it has passed the checks every in-place write passes.</summary>
    private int Written(int position)
    {
        NdArray.BeginWrite(this, "NdArray indexer");
        return position;
    }

    private int IndexOf(int i)
    {
        CheckRank(1);
        return _offset + Checked(0, i) * _strides[0];
    }

    private int IndexOf(int i, int j)
    {
        CheckRank(2);
        return _offset + Checked(0, i) * _strides[0] + Checked(1, j) * _strides[1];
    }

    private int IndexOf(int i, int j, int k)
    {
        CheckRank(3);
        return _offset + Checked(0, i) * _strides[0] + Checked(1, j) * _strides[1] + Checked(2, k) * _strides[2];
    }

    private int IndexOf(int[] index)
    {
        ArgumentNullException.ThrowIfNull(index);
        CheckRank(index.Length);
        var position = _offset;
        for (var axis = 0; axis < index.Length; axis++)
            position += Checked(axis, index[axis]) * _strides[axis];
        return position;
    }

    private void CheckRank(int indexCount)
    {
        if (indexCount != _shape.Length)
        {
            throw new ArgumentException(
                $"NdArray indexer: {indexCount} indices given for an array of shape {ShapeText.Of(_shape)}; pass one index per axis ({_shape.Length}).");
        }
    }

    private int Checked(int axis, int index)
    {
        if ((uint)index >= (uint)_shape[axis])
        {
            throw new ArgumentOutOfRangeException(
                nameof(index), index, $"NdArray indexer: index {index} is out of range for axis {axis} of length {_shape[axis]} (shape {ShapeText.Of(_shape)}); use 0 to {_shape[axis] - 1}.");
        }
        return index;
    }
}
