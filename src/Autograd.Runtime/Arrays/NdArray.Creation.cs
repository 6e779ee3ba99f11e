using System.Numerics;

namespace Autograd;

/// <summary>
/// Creates <see cref="NdArray{T}"/>s and runs the kernels on them: the C# counterpart of scijs
/// <c>ndarray</c>, <c>zeros</c> and <c>ndarray-ops</c>.
/// </summary>
public static partial class NdArray
{
    /// <summary>
    /// The most axes an array may have (numpy's limit). Every method that makes an array or a view
    /// with more axes than its input refuses a larger rank with an <see cref="ArgumentException"/>.
    /// </summary>
    public const int MaxRank = 64;

    /// <summary>An array of <paramref name="shape"/> filled with zeros.</summary>
    public static NdArray<T> Zeros<T>(params int[] shape)
        where T : unmanaged, IFloatingPointIeee754<T> => new(CheckedShape(shape, nameof(Zeros)));

    /// <summary>An array of <paramref name="shape"/> filled with ones.</summary>
    public static NdArray<T> Ones<T>(params int[] shape)
        where T : unmanaged, IFloatingPointIeee754<T> => Filled(T.One, shape, nameof(Ones));

    /// <summary>An array of <paramref name="shape"/> with every element <paramref name="value"/>.</summary>
    public static NdArray<T> Full<T>(T value, params int[] shape)
        where T : unmanaged, IFloatingPointIeee754<T> => Filled(value, shape, nameof(Full));

    /// <summary>A rank-0 array holding <paramref name="value"/>.</summary>
    public static NdArray<T> Scalar<T>(T value)
        where T : unmanaged, IFloatingPointIeee754<T> => new([value], [], [], 0);

    /// <summary>Wraps <paramref name="data"/> (not copied: writes through the array show in it) as a 1-D array.</summary>
    public static NdArray<T> Create<T>(T[] data)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        return Create(data, [data.Length]);
    }

    /// <summary>
    /// Wraps <paramref name="data"/> (not copied: writes through the array show in it) as an array of
    /// <paramref name="shape"/>, row-major. An empty shape makes a rank-0 array of one element.
    /// </summary>
    /// <exception cref="ArgumentException">The shape's element count differs from the data's length.</exception>
    public static NdArray<T> Create<T>(T[] data, params int[] shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        var actualShape = CheckedShape(shape, nameof(Create));
        var count = Shapes.ElementCount(actualShape);
        if (count != data.Length)
        {
            throw new ArgumentException(
                $"Create: shape {ShapeText.Of(actualShape)} holds {count} elements but the data has {data.Length}; the shape's element count must equal the data's length.",
                nameof(shape));
        }
        return new(data, actualShape, Shapes.ContiguousStrides(actualShape), 0);
    }

    /// <summary>A 2-D array copied from a rectangular C# array.</summary>
    public static NdArray<T> FromArray<T>(T[,] data)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        var array = new NdArray<T>([data.GetLength(0), data.GetLength(1)]);
        var i = 0;
        foreach (var value in data)
            array.Data[i++] = value;
        return array;
    }

    /// <summary>A 1-D array of 0, 1, …, <paramref name="count"/> - 1.</summary>
    public static NdArray<T> Arange<T>(int count)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var array = new NdArray<T>(CheckedShape([count], nameof(Arange)));
        for (var i = 0; i < count; i++)
            array.Data[i] = T.CreateChecked(i);
        return array;
    }

    /// <summary>Samples of the standard normal distribution (Box–Muller), reproducible from <paramref name="seed"/>.</summary>
    public static NdArray<T> RandomNormal<T>(int seed, params int[] shape)
        where T : unmanaged, IFloatingPointIeee754<T> => RandomNormal<T>(new Random(seed), shape);

    /// <summary>Samples of the standard normal distribution (Box–Muller) drawn from <paramref name="random"/>.</summary>
    public static NdArray<T> RandomNormal<T>(Random random, params int[] shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(random);
        var array = new NdArray<T>(CheckedShape(shape, nameof(RandomNormal)));
        var data = array.Data;
        for (var i = 0; i < data.Length; i += 2)
        {
            var radius = Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble()));
            var angle = 2.0 * Math.PI * random.NextDouble();
            data[i] = T.CreateChecked(radius * Math.Cos(angle));
            if (i + 1 < data.Length)
                data[i + 1] = T.CreateChecked(radius * Math.Sin(angle));
        }
        return array;
    }

    /// <summary>Samples uniform on [<paramref name="low"/>, <paramref name="high"/>), reproducible from <paramref name="seed"/>.</summary>
    public static NdArray<T> RandomUniform<T>(int seed, T low, T high, params int[] shape)
        where T : unmanaged, IFloatingPointIeee754<T> => RandomUniform(new Random(seed), low, high, shape);

    /// <summary>Samples uniform on [<paramref name="low"/>, <paramref name="high"/>) drawn from <paramref name="random"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A bound is infinite or NaN, or high - low overflows.</exception>
    public static NdArray<T> RandomUniform<T>(Random random, T low, T high, params int[] shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(random);
        var array = new NdArray<T>(CheckedShape(shape, nameof(RandomUniform)));
        if (!T.IsFinite(high - low))
        {
            throw new ArgumentOutOfRangeException(
                nameof(high), $"RandomUniform: the bounds {low} and {high} (shape {ShapeText.Of(shape)}) must be finite numbers whose difference is finite.");
        }
        var data = array.Data;
        for (var i = 0; i < data.Length; i++)
            data[i] = low + (high - low) * T.CreateChecked(random.NextDouble());
        return array;
    }

    private static NdArray<T> Filled<T>(T value, int[] shape, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var array = new NdArray<T>(CheckedShape(shape, operation));
        array.Data.AsSpan().Fill(value);
        return array;
    }

    private static int[] CheckedShape(int[] shape, string operation)
    {
        ArgumentNullException.ThrowIfNull(shape);
        Shapes.CheckShape(shape, operation);
        return (int[])shape.Clone();
    }
}
