using System.Text;

namespace Autograd;

/// <summary>Formats shapes the same way in every error message: <c>[2, 3]</c>.</summary>
internal static class ShapeText
{
    public static string Of(ReadOnlySpan<int> shape)
    {
        var text = new StringBuilder("[");
        for (var i = 0; i < shape.Length; i++)
        {
            if (i > 0)
                text.Append(", ");
            text.Append(shape[i]);
        }
        return text.Append(']').ToString();
    }
}
