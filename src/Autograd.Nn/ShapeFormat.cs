namespace Autograd.Nn;

/// <summary>Shapes in error messages, written as the runtime writes them: [2, 3].</summary>
internal static class ShapeFormat
{
    public static string Of(ReadOnlySpan<int> shape) => $"[{string.Join(", ", shape.ToArray())}]";
}
