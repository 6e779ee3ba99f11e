using System.Numerics;

namespace Autograd.Runtime.Tests.Arrays;

/// <summary>
/// Naive index arithmetic over shapes, written here and not taken from the runtime, so that kernels
/// and views are checked against something they do not share code with.
/// </summary>
internal static class Reference
{
    public static int Count(int[] shape) => shape.Aggregate(1, (count, length) => count * length);

    /// <summary>Every index of <paramref name="shape"/>, last axis fastest.</summary>
    public static IEnumerable<int[]> Indices(int[] shape)
    {
        var total = Count(shape);
        for (var flat = 0; flat < total; flat++)
            yield return Unflatten(flat, shape);
    }

    public static int[] Unflatten(int flat, int[] shape)
    {
        var index = new int[shape.Length];
        for (var axis = shape.Length - 1; axis >= 0; axis--)
        {
            index[axis] = flat % shape[axis];
            flat /= shape[axis];
        }
        return index;
    }

    public static int Flatten(int[] index, int[] shape)
    {
        var flat = 0;
        for (var axis = 0; axis < shape.Length; axis++)
            flat = flat * shape[axis] + index[axis];
        return flat;
    }

    /// <summary>The element at <paramref name="index"/>, found from the view's offset and strides.</summary>
    public static double At<T>(NdArray<T> x, int[] index)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var position = x.Offset;
        for (var axis = 0; axis < index.Length; axis++)
            position += index[axis] * x.Strides[axis];
        return double.CreateChecked(x.Data[position]);
    }

    /// <summary>The view's elements in row-major order, read one by one from its buffer.</summary>
    public static double[] Read<T>(NdArray<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shape = x.Shape.ToArray();
        return [.. Indices(shape).Select(index => At(x, index))];
    }

    /// <summary>A fresh contiguous array built by hand (no kernel involved).</summary>
    public static NdArray<T> Build<T>(int[] shape, Func<int, double> value)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var data = new T[Count(shape)];
        for (var i = 0; i < data.Length; i++)
            data[i] = T.CreateChecked(value(i));
        var strides = new int[shape.Length];
        for (int axis = shape.Length - 1, stride = 1; axis >= 0; axis--)
        {
            strides[axis] = stride;
            stride *= Math.Max(shape[axis], 1);
        }
        return new NdArray<T>(data, (int[])shape.Clone(), strides, 0);
    }

    /// <summary>Random values in [-2, 2), rounded so that float and double hold them exactly.</summary>
    public static NdArray<T> Random<T>(int[] shape, Random random)
        where T : unmanaged, IFloatingPointIeee754<T> => Build<T>(shape, _ => Math.Round(random.NextDouble() * 4 - 2, 3));

    /// <summary>The numpy broadcast shape, or null when the shapes clash.</summary>
    public static int[]? BroadcastShape(int[] a, int[] b)
    {
        var rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (var axis = 0; axis < rank; axis++)
        {
            var la = axis - (rank - a.Length) >= 0 ? a[axis - (rank - a.Length)] : 1;
            var lb = axis - (rank - b.Length) >= 0 ? b[axis - (rank - b.Length)] : 1;
            if (la != lb && la != 1 && lb != 1)
                return null;
            result[axis] = la == 1 ? lb : la;
        }
        return result;
    }

    /// <summary>Where an element of the broadcast result reads an operand of <paramref name="shape"/>.</summary>
    public static int[] Project(int[] index, int[] shape)
    {
        var lead = index.Length - shape.Length;
        var result = new int[shape.Length];
        for (var axis = 0; axis < shape.Length; axis++)
            result[axis] = shape[axis] == 1 ? 0 : index[lead + axis];
        return result;
    }

    /// <summary>f applied elementwise to two broadcast operands, all by index arithmetic.</summary>
    public static double[] Broadcast<T>(NdArray<T> x, NdArray<T> y, Func<double, double, double> f, out int[] shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int[] sx = x.Shape.ToArray(), sy = y.Shape.ToArray();
        var result = BroadcastShape(sx, sy) ?? throw new InvalidOperationException("test bug: incompatible shapes");
        shape = result;
        return [.. Indices(result).Select(index => f(At(x, Project(index, sx)), At(y, Project(index, sy))))];
    }

    /// <summary>Values rounded to T's precision, so a float reference sees what a float kernel sees.</summary>
    public static double Round<T>(double value)
        where T : unmanaged, IFloatingPointIeee754<T> => double.CreateChecked(T.CreateChecked(value));

    /// <summary>Asserts shape and values; NaN matches NaN; tolerance scaled to T's precision.</summary>
    public static void AssertClose<T>(NdArray<T> actual, int[] shape, double[] expected, double tolerance = -1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.That(actual.Shape.ToArray(), Is.EqualTo(shape), "shape");
        AssertClose<T>(Read(actual), expected, tolerance);
    }

    public static void AssertClose<T>(double[] actual, double[] expected, double tolerance = -1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (tolerance < 0)
            tolerance = typeof(T) == typeof(float) ? 2e-5 : 1e-12;
        Assert.That(actual, Has.Length.EqualTo(expected.Length), "element count");
        for (var i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e) || double.IsInfinity(e))
            {
                Assert.That(a, Is.EqualTo(e), $"element {i}");
                continue;
            }
            Assert.That(a, Is.EqualTo(e).Within(tolerance * Math.Max(1, Math.Abs(e))), $"element {i}");
        }
    }
}
