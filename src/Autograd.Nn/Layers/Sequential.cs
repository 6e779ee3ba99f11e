using System.Numerics;

namespace Autograd.Nn;

/// <summary>Layers applied in order; they are its submodules named "0", "1", … as in PyTorch's <c>nn.Sequential</c>.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Sequential<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Layer<T>[] _layers;

    /// <summary>Chains <paramref name="layers"/>.</summary>
    public Sequential(params Layer<T>[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        _layers = [.. layers];
        for (var i = 0; i < _layers.Length; i++)
            RegisterModule(i.ToString(System.Globalization.CultureInfo.InvariantCulture), _layers[i]);
    }

    /// <summary>The layers, in order.</summary>
    public IReadOnlyList<Layer<T>> Layers => _layers;

    /// <inheritdoc />
    public override Variable<T> Forward(Variable<T> input)
    {
        foreach (var layer in _layers)
            input = layer.Forward(input);
        return input;
    }
}
