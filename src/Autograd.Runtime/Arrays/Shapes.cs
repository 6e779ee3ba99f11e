namespace Autograd;

/// <summary>Shape arithmetic shared by views and kernels: counts, strides, broadcasting, axes.</summary>
internal static class Shapes
{
    /// <summary>The element count of a shape <see cref="CheckShape"/> accepted: 0 when any length is 0, however large the others.</summary>
    public static int ElementCount(ReadOnlySpan<int> shape)
    {
        if (shape.Contains(0))
            return 0;
        var count = 1;
        foreach (var length in shape)
            count = checked(count * length);
        return count;
    }

    /// <summary>
    /// Row-major strides: the last axis moves by one element, an axis of length 0 counts as 1 (as in
    /// numpy). In an empty array whose other lengths multiply past <see cref="int.MaxValue"/>, the
    /// strides that would overflow are 0: no index of an empty array is ever read.
    /// </summary>
    public static int[] ContiguousStrides(ReadOnlySpan<int> shape)
    {
        var strides = new int[shape.Length];
        ContiguousStrides(shape, strides);
        return strides;
    }

    private static void ContiguousStrides(ReadOnlySpan<int> shape, Span<int> strides)
    {
        long stride = 1;
        for (var axis = shape.Length - 1; axis >= 0; axis--)
        {
            strides[axis] = stride <= int.MaxValue ? (int)stride : 0;
            stride = Math.Min(stride * Math.Max(shape[axis], 1), int.MaxValue + 1L);
        }
    }

    /// <summary>True when <paramref name="strides"/> are exactly the <see cref="ContiguousStrides(ReadOnlySpan{int})"/> of <paramref name="shape"/>.</summary>
    public static bool IsRowMajor(ReadOnlySpan<int> shape, ReadOnlySpan<int> strides)
    {
        Span<int> expected = stackalloc int[shape.Length]; // at most NdArray.MaxRank
        ContiguousStrides(shape, expected);
        return strides.SequenceEqual(expected);
    }

    /// <summary>Row-major and gap-free; axes of length one may have any stride, and an empty array is contiguous.</summary>
    public static bool IsContiguous(ReadOnlySpan<int> shape, ReadOnlySpan<int> strides)
    {
        if (shape.Contains(0))
            return true;
        var expected = 1;
        for (var axis = shape.Length - 1; axis >= 0; axis--)
        {
            if (shape[axis] == 1)
                continue;
            if (strides[axis] != expected)
                return false;
            expected *= shape[axis];
        }
        return true;
    }

    /// <summary>
    /// Strides that read the elements of a (shape, strides) view in row-major order as
    /// <paramref name="target"/> (same element count), or null when no strides can: each group of
    /// old axes that merges or splits into new ones must be walked as one run (numpy's no-copy reshape).
    /// </summary>
    public static int[]? ReshapeStrides(ReadOnlySpan<int> shape, ReadOnlySpan<int> strides, int[] target)
    {
        var result = new int[target.Length];
        if (ElementCount(shape) == 0)
            return ContiguousStrides(target);
        // Axes of length 1 carry no layout; drop them from the old view.
        var oldShape = new List<int>(shape.Length);
        var oldStrides = new List<int>(shape.Length);
        for (var axis = 0; axis < shape.Length; axis++)
        {
            if (shape[axis] != 1)
            {
                oldShape.Add(shape[axis]);
                oldStrides.Add(strides[axis]);
            }
        }
        int oldAxis = 0, newAxis = 0;
        while (newAxis < target.Length && oldAxis < oldShape.Count)
        {
            // Grow a group on each side until both hold the same number of elements.
            int oldEnd = oldAxis + 1, newEnd = newAxis + 1;
            long oldCount = oldShape[oldAxis], newCount = target[newAxis];
            while (oldCount != newCount)
            {
                if (newCount < oldCount)
                    newCount *= target[newEnd++];
                else
                    oldCount *= oldShape[oldEnd++];
            }
            for (var axis = oldAxis; axis < oldEnd - 1; axis++)
            {
                if (oldStrides[axis] != oldShape[axis + 1] * oldStrides[axis + 1])
                    return null;
            }
            result[newEnd - 1] = oldStrides[oldEnd - 1];
            for (var axis = newEnd - 1; axis > newAxis; axis--)
                result[axis - 1] = result[axis] * target[axis];
            (oldAxis, newAxis) = (oldEnd, newEnd);
        }
        return result; // any axes left over have length 1, where any stride will do
    }

    /// <summary>The first axis a view repeats elements along (stride 0, length above 1), or -1 when every position is its own element (as in any empty array).</summary>
    public static int FirstBroadcastAxis(ReadOnlySpan<int> shape, ReadOnlySpan<int> strides)
    {
        if (shape.Contains(0))
            return -1;
        for (var axis = 0; axis < shape.Length; axis++)
        {
            if (strides[axis] == 0 && shape[axis] > 1)
                return axis;
        }
        return -1;
    }

    public static bool SameShape(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);

    /// <summary>The numpy broadcast of two shapes: aligned from the right, an axis of 1 stretches.</summary>
    /// <exception cref="ArgumentException">Some aligned axes differ and neither is 1.</exception>
    public static int[] Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b, string operation)
    {
        var result = TryBroadcast(a, b, out var axis);
        if (result is null)
        {
            throw new ArgumentException(
                $"{operation}: shapes {ShapeText.Of(a)} and {ShapeText.Of(b)} cannot be broadcast together: " +
                $"axis {axis} has length {(-axis <= a.Length ? a[^-axis] : 1)} against {(-axis <= b.Length ? b[^-axis] : 1)}. " +
                "Aligned from the right, each pair of axes must be equal or one of them 1.");
        }
        CheckShape(result, operation);
        return result;
    }

    /// <summary>The numpy broadcast of two shapes, or null with the first clashing axis (counted from the end, -1 is the last).</summary>
    public static int[]? TryBroadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b, out int failingAxis)
    {
        var rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (var i = 1; i <= rank; i++)
        {
            var lengthA = i <= a.Length ? a[^i] : 1;
            var lengthB = i <= b.Length ? b[^i] : 1;
            if (lengthA != lengthB && lengthA != 1 && lengthB != 1)
            {
                failingAxis = -i;
                return null;
            }
            result[rank - i] = lengthA == 1 ? lengthB : lengthA;
        }
        failingAxis = 0;
        return result;
    }

    /// <summary>True when an array of <paramref name="shape"/> broadcasts to <paramref name="target"/> unchanged.</summary>
    public static bool BroadcastsTo(ReadOnlySpan<int> shape, ReadOnlySpan<int> target)
    {
        if (shape.Length > target.Length)
            return false;
        var lead = target.Length - shape.Length;
        for (var axis = 0; axis < shape.Length; axis++)
        {
            if (shape[axis] != 1 && shape[axis] != target[lead + axis])
                return false;
        }
        return true;
    }

    /// <summary>Strides that read an array of <paramref name="shape"/> as if it had <paramref name="target"/>: 0 on stretched axes.</summary>
    public static int[] BroadcastStrides(ReadOnlySpan<int> shape, ReadOnlySpan<int> strides, ReadOnlySpan<int> target, string operation)
    {
        if (!BroadcastsTo(shape, target))
        {
            throw new ArgumentException(
                $"{operation}: an array of shape {ShapeText.Of(shape)} cannot be broadcast to shape {ShapeText.Of(target)}; " +
                "aligned from the right, each axis must match the target's or be 1.");
        }
        var result = new int[target.Length];
        var lead = target.Length - shape.Length;
        for (var axis = 0; axis < shape.Length; axis++)
            result[lead + axis] = shape[axis] == target[lead + axis] ? strides[axis] : 0;
        return result;
    }

    /// <summary>An axis given from the end (-1 is the last) turned into its position among <paramref name="rank"/> axes, checked.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is not in [-rank, rank).</exception>
    public static int NormalizeAxis(int axis, int rank, ReadOnlySpan<int> shape, string operation)
    {
        var normalized = axis < 0 ? axis + rank : axis;
        if ((uint)normalized >= (uint)rank)
        {
            throw new ArgumentOutOfRangeException(
                nameof(axis), axis,
                rank == 0
                    ? $"{operation}: axis {axis} given for an array of shape {ShapeText.Of(shape)}, which has no axes."
                    : $"{operation}: axis {axis} is out of range for an array of shape {ShapeText.Of(shape)}; use an axis from {-rank} to {rank - 1}.");
        }
        return normalized;
    }

    /// <summary>A set of axes of an array of <paramref name="shape"/>, each normalized, as a mask; <paramref name="allAxes"/> means every axis.</summary>
    /// <exception cref="ArgumentException">An axis is out of range or given twice.</exception>
    public static bool[] AxisMask(ReadOnlySpan<int> axes, bool allAxes, ReadOnlySpan<int> shape, string operation)
    {
        var mask = new bool[shape.Length];
        if (allAxes)
        {
            Array.Fill(mask, true);
            return mask;
        }
        foreach (var axis in axes)
        {
            var normalized = NormalizeAxis(axis, shape.Length, shape, operation);
            if (mask[normalized])
                throw new ArgumentException($"{operation}: axis {axis} is given twice for an array of shape {ShapeText.Of(shape)}; list each axis once.", nameof(axes));
            mask[normalized] = true;
        }
        return mask;
    }

    /// <summary>
    /// Checks a shape a public method is about to give an array: at most <see cref="NdArray.MaxRank"/>
    /// axes, no negative length, and at most <see cref="Array.MaxLength"/> elements (any number of
    /// elements when some length is 0: the array is empty).
    /// </summary>
    /// <exception cref="ArgumentException">The shape breaks one of these rules.</exception>
    public static void CheckShape(ReadOnlySpan<int> shape, string operation)
    {
        if (shape.Length > NdArray.MaxRank)
        {
            throw new ArgumentException(
                $"{operation}: a shape of {shape.Length} axes was given; an array has at most {NdArray.MaxRank} axes (NdArray.MaxRank).",
                nameof(shape));
        }
        foreach (var length in shape)
        {
            if (length < 0)
                throw new ArgumentException($"{operation}: shape {ShapeText.Of(shape)} has a negative length; every length must be 0 or more.", nameof(shape));
        }
        if (!shape.Contains(0) && CappedCount(shape) > Array.MaxLength)
        {
            throw new ArgumentException(
                $"{operation}: shape {ShapeText.Of(shape)} holds more than {Array.MaxLength} elements, the most one array can hold; use smaller lengths.",
                nameof(shape));
        }
    }

    /// <summary>The product of the lengths, or a number above <see cref="Array.MaxLength"/> once it passes it.</summary>
    private static long CappedCount(ReadOnlySpan<int> shape)
    {
        long count = 1;
        foreach (var length in shape)
            count = Math.Min(count * length, Array.MaxLength + 1L);
        return count;
    }
}
