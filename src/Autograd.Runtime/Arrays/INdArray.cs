namespace Autograd;

/// <summary>
/// What every <see cref="NdArray{T}"/> is, whatever its element type: lets code that holds an
/// <see cref="object"/> ask whether it has an array and of what shape.
/// </summary>
public interface INdArray
{
    /// <summary>The length of each axis.</summary>
    ReadOnlySpan<int> Shape { get; }

    /// <summary>The number of axes.</summary>
    int Rank { get; }

    /// <summary>The number of elements (the product of <see cref="Shape"/>).</summary>
    int Length { get; }

    /// <summary>The element type: <see cref="float"/> or <see cref="double"/>.</summary>
    Type ElementType { get; }
}
