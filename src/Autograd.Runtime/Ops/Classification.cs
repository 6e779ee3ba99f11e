using System.Numerics;

namespace Autograd;

// Reading predictions out of scores: no gradient flows through an index, so these return plain
// integers and numbers, never variables.
public static partial class Ops
{
    /// <summary>
    /// The index of the largest element of the variable's value along <paramref name="axis"/>, as
    /// <see cref="NdArray.ArgMax{T}(NdArray{T}, int)"/>. Not differentiable: nothing is recorded.
    /// </summary>
    /// <exception cref="ArgumentException">The axis has length 0.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    public static int[] ArgMax<T>(Variable<T> x, int axis = -1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        return NdArray.ArgMax(x.Value, axis);
    }

    /// <summary>
    /// The fraction of rows of <paramref name="scores"/> ([batch, classes]) whose largest element is
    /// at the row's label (the first wins a tie); NaN for an empty batch.
    /// </summary>
    /// <exception cref="ArgumentException">The scores are not 2-D, or the label count differs from the batch.</exception>
    public static double Accuracy<T>(NdArray<T> scores, int[] labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(labels);
        if (scores.Rank != 2 || scores.Shape[0] != labels.Length)
        {
            throw new ArgumentException(
                $"Accuracy: scores of shape {ShapeText.Of(scores.Shape)} were given with {labels.Length} labels; give [batch, classes] scores and one label per row.");
        }
        if (labels.Length == 0)
            return double.NaN;
        var predicted = NdArray.ArgMax(scores, axis: 1);
        var correct = 0;
        for (var i = 0; i < labels.Length; i++)
            correct += predicted[i] == labels[i] ? 1 : 0;
        return (double)correct / labels.Length;
    }

    /// <inheritdoc cref="Accuracy{T}(NdArray{T}, int[])"/>
    public static double Accuracy<T>(Variable<T> scores, int[] labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(scores);
        return Accuracy(scores.Value, labels);
    }
}
