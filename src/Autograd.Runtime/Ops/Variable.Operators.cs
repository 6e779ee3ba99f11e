namespace Autograd;

// C# operators on variables, recorded through the built-in ops. A scalar or a plain array on either
// side is a constant: no gradient flows to it.
public sealed partial class Variable<T>
{
    /// <summary>x + y, broadcast (<see cref="Ops.Add{T}(NdArray{T}, NdArray{T})"/>); gradient dy to each, summed to its shape.</summary>
    public static Variable<T> operator +(Variable<T> x, Variable<T> y) => Ops.Add(x, y);

    /// <summary>x + y with a constant array y.</summary>
    public static Variable<T> operator +(Variable<T> x, NdArray<T> y) => Ops.Add(x, y);

    /// <summary>x + y with a constant array x.</summary>
    public static Variable<T> operator +(NdArray<T> x, Variable<T> y) => Ops.Add(x, y);

    /// <summary>x + y with a constant scalar y.</summary>
    public static Variable<T> operator +(Variable<T> x, T y) => Ops.Add(x, NdArray.Scalar(y));

    /// <summary>x + y with a constant scalar x.</summary>
    public static Variable<T> operator +(T x, Variable<T> y) => Ops.Add(NdArray.Scalar(x), y);

    /// <summary>x - y, broadcast (<see cref="Ops.Subtract{T}(NdArray{T}, NdArray{T})"/>); gradient dy to x, -dy to y.</summary>
    public static Variable<T> operator -(Variable<T> x, Variable<T> y) => Ops.Subtract(x, y);

    /// <summary>x - y with a constant array y.</summary>
    public static Variable<T> operator -(Variable<T> x, NdArray<T> y) => Ops.Subtract(x, y);

    /// <summary>x - y with a constant array x.</summary>
    public static Variable<T> operator -(NdArray<T> x, Variable<T> y) => Ops.Subtract(x, y);

    /// <summary>x - y with a constant scalar y.</summary>
    public static Variable<T> operator -(Variable<T> x, T y) => Ops.Subtract(x, NdArray.Scalar(y));

    /// <summary>x - y with a constant scalar x.</summary>
    public static Variable<T> operator -(T x, Variable<T> y) => Ops.Subtract(NdArray.Scalar(x), y);

    /// <summary>x * y, broadcast (<see cref="Ops.Multiply{T}(NdArray{T}, NdArray{T})"/>); gradient dy * y to x, dy * x to y.</summary>
    public static Variable<T> operator *(Variable<T> x, Variable<T> y) => Ops.Multiply(x, y);

    /// <summary>x * y with a constant array y.</summary>
    public static Variable<T> operator *(Variable<T> x, NdArray<T> y) => Ops.Multiply(x, y);

    /// <summary>x * y with a constant array x.</summary>
    public static Variable<T> operator *(NdArray<T> x, Variable<T> y) => Ops.Multiply(x, y);

    /// <summary>x * y with a constant scalar y.</summary>
    public static Variable<T> operator *(Variable<T> x, T y) => Ops.Multiply(x, NdArray.Scalar(y));

    /// <summary>x * y with a constant scalar x.</summary>
    public static Variable<T> operator *(T x, Variable<T> y) => Ops.Multiply(NdArray.Scalar(x), y);

    /// <summary>x / y, broadcast (<see cref="Ops.Divide{T}(NdArray{T}, NdArray{T})"/>); gradient dy / y to x, -dy * x / y² to y.</summary>
    public static Variable<T> operator /(Variable<T> x, Variable<T> y) => Ops.Divide(x, y);

    /// <summary>x / y with a constant array y.</summary>
    public static Variable<T> operator /(Variable<T> x, NdArray<T> y) => Ops.Divide(x, y);

    /// <summary>x / y with a constant array x.</summary>
    public static Variable<T> operator /(NdArray<T> x, Variable<T> y) => Ops.Divide(x, y);

    /// <summary>x / y with a constant scalar y.</summary>
    public static Variable<T> operator /(Variable<T> x, T y) => Ops.Divide(x, NdArray.Scalar(y));

    /// <summary>x / y with a constant scalar x.</summary>
    public static Variable<T> operator /(T x, Variable<T> y) => Ops.Divide(NdArray.Scalar(x), y);

    /// <summary>-x (<see cref="Ops.Negate{T}(NdArray{T})"/>); gradient -dy.</summary>
    public static Variable<T> operator -(Variable<T> x) => Ops.Negate(x);

    /// <summary>
    /// A tracked copy (the seed's <c>clone</c>): a new variable with its own copy of the value, recorded
    /// as op <see cref="Ops.Copy{T}(NdArray{T})"/>, so gradients flow back through it to this one.
    /// </summary>
    public Variable<T> Clone() => Ops.Copy(this);
}
