using System.Numerics;

namespace Autograd.Nn;

/// <summary>
/// A table of <c>count</c> vectors of length <c>dimension</c>, looked up by index with
/// <see cref="Ops.IndexSelect{T}(NdArray{T}, int, int[])"/>; <see cref="Weight"/> [count, dimension]
/// starts N(0, 1), as PyTorch's <c>nn.Embedding</c>. Only the rows looked up get a gradient.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Embedding<T> : Module<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>A table of <paramref name="count"/> vectors of length <paramref name="dimension"/>, drawn from <paramref name="random"/> (<see cref="Random.Shared"/> when null).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    public Embedding(int count, int dimension, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        Weight = RegisterParameter("weight", Init.Normal<T>(random ?? Random.Shared, [count, dimension], 1));
    }

    /// <summary>The table, [count, dimension].</summary>
    public Variable<T> Weight { get; }

    /// <summary>The vectors at <paramref name="indices"/>: [indices.Length, dimension].</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the table.</exception>
    public Variable<T> Forward(int[] indices) => Ops.IndexSelect(Weight, 0, indices);
}
