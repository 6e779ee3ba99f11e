using System.Numerics;

namespace Autograd.Runtime.Tests.Arrays;

/// <summary>The ways an array of a given shape can lie in its buffer.</summary>
public enum Layout
{
    Contiguous,
    Transposed,
    Sliced,
    Stepped,
    Reversed,
    Broadcast,
    Picked,
}

internal static class Layouts
{
    public static readonly Layout[] All = Enum.GetValues<Layout>();

    /// <summary>Layouts a kernel may write into (a broadcast view would write one element many times).</summary>
    public static readonly Layout[] Writable = [.. All.Where(layout => layout != Layout.Broadcast)];

    /// <summary>
    /// A view of <paramref name="shape"/> in the given layout, over a bigger buffer of random values
    /// so that anything read outside the view shows up as a wrong value.
    /// </summary>
    public static NdArray<T> Make<T>(Layout layout, int[] shape, Random random)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rank = shape.Length;
        switch (layout)
        {
            case Layout.Contiguous:
                return Reference.Random<T>(shape, random);
            case Layout.Transposed:
                return Reference.Random<T>([.. shape.Reverse()], random).Transpose();
            case Layout.Sliced:
                return Reference.Random<T>([.. shape.Select(n => n + 3)], random).Slice([.. shape.Select(n => 1..(1 + n))]);
            case Layout.Stepped:
                {
                    var view = Reference.Random<T>([.. shape.Select(n => 2 * n + 1)], random);
                    for (var axis = 0; axis < rank; axis++)
                        view = view.Slice(axis, 1, 1 + 2 * shape[axis], 2);
                    return view;
                }
            case Layout.Reversed:
                {
                    var view = Reference.Random<T>([.. shape.Select(n => n + 1)], random);
                    for (var axis = 0; axis < rank; axis++)
                        view = view.Slice(axis, shape[axis], 0, -1);
                    return view;
                }
            case Layout.Broadcast:
                {
                    // Drop the leading axis and give every other remaining axis length 1: both stretch.
                    var small = shape.Skip(1).Select((n, axis) => axis % 2 == 0 ? 1 : n).ToArray();
                    return Reference.Random<T>(rank == 0 ? [] : small, random).BroadcastTo(shape);
                }
            case Layout.Picked:
                return Reference.Random<T>([.. shape, 2], random).Pick(-1, 1);
            default:
                throw new ArgumentOutOfRangeException(nameof(layout));
        }
    }
}
