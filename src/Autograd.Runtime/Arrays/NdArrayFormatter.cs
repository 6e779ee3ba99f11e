using System.Globalization;
using System.Numerics;
using System.Text;

namespace Autograd;

/// <summary>
/// Numpy-like text for arrays: nested brackets, columns aligned, and for large arrays only the
/// first and last <see cref="EdgeItems"/> entries of each axis with "..." between.
/// </summary>
internal static class NdArrayFormatter
{
    private const int ElideAbove = 1000;
    private const int EdgeItems = 3;

    public static string Format<T>(NdArray<T> array)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Elide by the positions visited, which for an empty array are its empty rows: [65536, 65536, 0] has 2^32.
        var visited = 1L;
        foreach (var length in array.Shape)
            visited = Math.Min(visited * Math.Max(length, 1), ElideAbove + 1);
        var elide = visited > ElideAbove;
        var width = 0;
        Visit(array, elide, value => width = Math.Max(width, Text(value).Length));
        var text = new StringBuilder();
        Append(text, array, elide, width, depth: 0);
        return text.ToString();
    }

    private static string Text<T>(T value)
        where T : unmanaged, IFloatingPointIeee754<T> => value.ToString("G6", CultureInfo.InvariantCulture);

    private static void Append<T>(StringBuilder text, NdArray<T> array, bool elide, int width, int depth)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (array.Rank == 0)
        {
            text.Append(Text(array.ToScalar()).PadLeft(width));
            return;
        }
        text.Append('[');
        var length = array.Shape[0];
        var separator = array.Rank == 1 ? ", " : "," + new string('\n', array.Rank - 1) + new string(' ', depth + 1);
        for (var i = 0; i < length; i++)
        {
            if (elide && length > 2 * EdgeItems && i == EdgeItems)
            {
                text.Append("...").Append(separator);
                i = length - EdgeItems;
            }
            Append(text, array.Pick(0, i), elide, width, depth + 1);
            if (i < length - 1)
                text.Append(separator);
        }
        text.Append(']');
    }

    private static void Visit<T>(NdArray<T> array, bool elide, Action<T> visit)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (array.Rank == 0)
        {
            visit(array.ToScalar());
            return;
        }
        var length = array.Shape[0];
        for (var i = 0; i < length; i++)
        {
            if (elide && length > 2 * EdgeItems && i == EdgeItems)
                i = length - EdgeItems;
            Visit(array.Pick(0, i), elide, visit);
        }
    }
}
