using System.Numerics;

namespace Autograd;

public static partial class NdArray
{
    /// <summary>
    /// True when the arrays broadcast together and every pair of elements satisfies
    /// |x - y| &lt;= <paramref name="absoluteTolerance"/> + <paramref name="relativeTolerance"/> * |y|
    /// (numpy's <c>allclose</c>). NaN is close to nothing, NaN included; equal infinities are close.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast together.</exception>
    public static bool AllClose<T>(NdArray<T> x, NdArray<T> y, double relativeTolerance = 1e-5, double absoluteTolerance = 1e-8)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var shape = Shapes.Broadcast(x.Shape, y.Shape, nameof(AllClose));
        var left = x.BroadcastTo(shape).Clone().AsSpan();
        var right = y.BroadcastTo(shape).Clone().AsSpan();
        for (var i = 0; i < left.Length; i++)
        {
            double a = double.CreateChecked(left[i]), b = double.CreateChecked(right[i]);
            if (a == b)
                continue; // equal infinities, whose difference would be NaN
            if (double.IsInfinity(a) || double.IsInfinity(b) || !(Math.Abs(a - b) <= absoluteTolerance + relativeTolerance * Math.Abs(b)))
                return false;
        }
        return true;
    }
}
