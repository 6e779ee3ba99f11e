namespace Autograd;

// C# operators: shorthands for the returning kernels, with numpy broadcasting. Each allocates its result.
public sealed partial class NdArray<T>
{
    /// <summary>x + y, broadcast (<see cref="NdArray.Add{T}(NdArray{T}, NdArray{T}, NdArray{T}?, bool)"/>).</summary>
    public static NdArray<T> operator +(NdArray<T> x, NdArray<T> y) => NdArray.Add(x, y);

    /// <summary>x + y for every element of <paramref name="x"/>.</summary>
    public static NdArray<T> operator +(NdArray<T> x, T y) => NdArray.Add(x, y);

    /// <summary>x + y for every element of <paramref name="y"/>.</summary>
    public static NdArray<T> operator +(T x, NdArray<T> y) => NdArray.Add(y, x);

    /// <summary>x - y, broadcast (<see cref="NdArray.Subtract{T}(NdArray{T}, NdArray{T}, NdArray{T}?, bool)"/>).</summary>
    public static NdArray<T> operator -(NdArray<T> x, NdArray<T> y) => NdArray.Subtract(x, y);

    /// <summary>x - y for every element of <paramref name="x"/>.</summary>
    public static NdArray<T> operator -(NdArray<T> x, T y) => NdArray.Subtract(x, y);

    /// <summary>x - y for every element of <paramref name="y"/>.</summary>
    public static NdArray<T> operator -(T x, NdArray<T> y) => NdArray.Subtract(x, y);

    /// <summary>x * y, elementwise and broadcast (<see cref="NdArray.Multiply{T}(NdArray{T}, NdArray{T}, NdArray{T}?, bool)"/>); not a matrix product.</summary>
    public static NdArray<T> operator *(NdArray<T> x, NdArray<T> y) => NdArray.Multiply(x, y);

    /// <summary>x * y for every element of <paramref name="x"/>.</summary>
    public static NdArray<T> operator *(NdArray<T> x, T y) => NdArray.Multiply(x, y);

    /// <summary>x * y for every element of <paramref name="y"/>.</summary>
    public static NdArray<T> operator *(T x, NdArray<T> y) => NdArray.Multiply(y, x);

    /// <summary>x / y, broadcast (<see cref="NdArray.Divide{T}(NdArray{T}, NdArray{T}, NdArray{T}?, bool)"/>).</summary>
    public static NdArray<T> operator /(NdArray<T> x, NdArray<T> y) => NdArray.Divide(x, y);

    /// <summary>x / y for every element of <paramref name="x"/>.</summary>
    public static NdArray<T> operator /(NdArray<T> x, T y) => NdArray.Divide(x, y);

    /// <summary>x / y for every element of <paramref name="y"/>.</summary>
    public static NdArray<T> operator /(T x, NdArray<T> y) => NdArray.Divide(x, y);

    /// <summary>-x, elementwise (<see cref="NdArray.Negate{T}(NdArray{T}, NdArray{T}?)"/>).</summary>
    public static NdArray<T> operator -(NdArray<T> x) => NdArray.Negate(x);
}
