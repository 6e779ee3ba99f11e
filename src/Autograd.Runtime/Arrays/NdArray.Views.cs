using System.Numerics;

namespace Autograd;

// Views: new shape, strides and offset over the same buffer, nothing copied (Reshape copies only
// when the layout cannot be expressed with strides).
public sealed partial class NdArray<T>
{
    /// <summary>
    /// The same elements in <paramref name="shape"/>, row-major; one length may be -1 to be inferred.
    /// A view (sharing the buffer) whenever strides can express it, as for any contiguous array or a
    /// strided one whose merged axes are walked as one run; otherwise a contiguous copy.
    /// </summary>
    /// <exception cref="ArgumentException">The element counts differ, or more than one length is -1.</exception>
    public NdArray<T> Reshape(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var target = InferShape(shape);
        var strides = Shapes.ReshapeStrides(_shape, _strides, target);
        return strides is null ? Clone().Reshape(target) : new NdArray<T>(this, target, strides, _offset);
    }

    /// <summary>Axes reordered: axis <c>i</c> of the result is axis <c>axes[i]</c> of this array. With no axes, reversed.</summary>
    /// <exception cref="ArgumentException"><paramref name="axes"/> is not a permutation of the axes.</exception>
    public NdArray<T> Transpose(params int[] axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        var rank = Rank;
        if (axes.Length == 0)
        {
            axes = new int[rank];
            for (var i = 0; i < rank; i++)
                axes[i] = rank - 1 - i;
        }
        if (axes.Length != rank)
            throw new ArgumentException($"Transpose: {axes.Length} axes given for an array of shape {ShapeText.Of(_shape)}; give a permutation of all {rank}.", nameof(axes));
        Shapes.AxisMask(axes, false, _shape, nameof(Transpose)); // throws on a repeated or out-of-range axis
        var shape = new int[rank];
        var strides = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            var axis = Shapes.NormalizeAxis(axes[i], rank, _shape, nameof(Transpose));
            shape[i] = _shape[axis];
            strides[i] = _strides[axis];
        }
        return new NdArray<T>(this, shape, strides, _offset);
    }

    /// <summary>
    /// Elements <paramref name="start"/>, start + step, … up to but not including <paramref name="stop"/>
    /// along <paramref name="axis"/>. A negative step walks backwards (start &gt; stop; stop may be -1).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A bound lies outside the axis, or step is 0.</exception>
    public NdArray<T> Slice(int axis, int start, int stop, int step = 1)
    {
        axis = Shapes.NormalizeAxis(axis, Rank, _shape, nameof(Slice));
        var length = _shape[axis];
        var valid = step > 0
            ? start >= 0 && start <= stop && stop <= length
            : step < 0 && stop >= -1 && stop <= start && start < length;
        if (!valid)
        {
            throw new ArgumentOutOfRangeException(
                nameof(start),
                $"Slice: start {start}, stop {stop}, step {step} do not fit axis {axis} of length {length} (shape {ShapeText.Of(_shape)}); " +
                "a positive step needs 0 <= start <= stop <= length, a negative one length > start >= stop >= -1, and step 0 is not allowed.");
        }
        var count = start == stop ? 0 : (int)((Math.Abs((long)stop - start) - 1) / Math.Abs((long)step) + 1);
        var shape = (int[])_shape.Clone();
        var strides = (int[])_strides.Clone();
        shape[axis] = count;
        if (count > 1)
            strides[axis] *= step; // fits: the elements it steps over lie inside the axis (with one element, no step is ever taken)
        var offset = count == 0 ? _offset : _offset + start * _strides[axis];
        return new NdArray<T>(this, shape, strides, offset);
    }

    /// <summary>One range per leading axis, like <c>x[1..3, ^2..]</c> in numpy.</summary>
    public NdArray<T> Slice(params Range[] ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        if (ranges.Length > Rank)
            throw new ArgumentException($"Slice: {ranges.Length} ranges given for an array of shape {ShapeText.Of(_shape)}; give at most one range per axis.", nameof(ranges));
        var view = this;
        for (var axis = 0; axis < ranges.Length; axis++)
        {
            var length = _shape[axis];
            int start = ranges[axis].Start.GetOffset(length), stop = ranges[axis].End.GetOffset(length);
            view = view.Slice(axis, start, stop);
        }
        return view;
    }

    /// <summary>The sub-array at <paramref name="index"/> along <paramref name="axis"/>, that axis removed.</summary>
    public NdArray<T> Pick(int axis, int index)
    {
        axis = Shapes.NormalizeAxis(axis, Rank, _shape, nameof(Pick));
        if ((uint)index >= (uint)_shape[axis])
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Pick: index {index} is out of range for axis {axis} of length {_shape[axis]} (shape {ShapeText.Of(_shape)}); use 0 to {_shape[axis] - 1}.");
        return new NdArray<T>(this, Without(_shape, axis), Without(_strides, axis), _offset + index * _strides[axis]);
    }

    /// <summary>This array read as <paramref name="shape"/>: stretched axes repeat with stride 0, nothing copied.</summary>
    /// <exception cref="ArgumentException">The shapes are not broadcast-compatible.</exception>
    public NdArray<T> BroadcastTo(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        Shapes.CheckShape(shape, nameof(BroadcastTo));
        var strides = Shapes.BroadcastStrides(_shape, _strides, shape, nameof(BroadcastTo));
        return new NdArray<T>(this, (int[])shape.Clone(), strides, _offset);
    }

    /// <summary>A new axis of length 1 at <paramref name="axis"/> (-1 appends).</summary>
    public NdArray<T> Unsqueeze(int axis)
    {
        if (Rank == NdArray.MaxRank)
            throw new ArgumentException($"Unsqueeze: the array of shape {ShapeText.Of(_shape)} already has {Rank} axes, the most an array may have (NdArray.MaxRank).", nameof(axis));
        axis = Shapes.NormalizeAxis(axis, Rank + 1, _shape, nameof(Unsqueeze));
        var shape = new List<int>(_shape);
        var strides = new List<int>(_strides);
        shape.Insert(axis, 1);
        strides.Insert(axis, 0);
        return new NdArray<T>(this, [.. shape], [.. strides], _offset);
    }

    /// <summary>Axis <paramref name="axis"/>, which must have length 1, removed.</summary>
    public NdArray<T> Squeeze(int axis)
    {
        axis = Shapes.NormalizeAxis(axis, Rank, _shape, nameof(Squeeze));
        if (_shape[axis] != 1)
            throw new ArgumentException($"Squeeze: axis {axis} has length {_shape[axis]}, not 1 (shape {ShapeText.Of(_shape)}); only an axis of length 1 can be removed.", nameof(axis));
        return new NdArray<T>(this, Without(_shape, axis), Without(_strides, axis), _offset);
    }

    private int[] InferShape(int[] shape)
    {
        var target = (int[])shape.Clone();
        var inferred = -1;
        for (var axis = 0; axis < target.Length; axis++)
        {
            if (target[axis] == -1 && inferred < 0)
                inferred = axis;
            else if (target[axis] < 0)
                throw new ArgumentException($"Reshape: shape {ShapeText.Of(shape)} may hold one -1 and no other negative length.", nameof(shape));
        }
        if (inferred >= 0)
            target[inferred] = 1;
        Shapes.CheckShape(target, nameof(Reshape));
        var known = Shapes.ElementCount(target);
        if (inferred >= 0)
            target[inferred] = known > 0 && _length % known == 0 ? _length / known : -1;
        if (inferred >= 0 ? target[inferred] < 0 : known != _length)
        {
            throw new ArgumentException(
                $"Reshape: cannot reshape an array of shape {ShapeText.Of(_shape)} ({_length} elements) to {ShapeText.Of(shape)}; the element counts must match.",
                nameof(shape));
        }
        return target;
    }

    private static int[] Without(int[] values, int axis)
    {
        var result = new int[values.Length - 1];
        values.AsSpan(0, axis).CopyTo(result);
        values.AsSpan(axis + 1).CopyTo(result.AsSpan(axis));
        return result;
    }
}
