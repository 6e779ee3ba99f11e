using System.Numerics;

namespace Autograd.Engine;

/// <summary>
/// The two ways into a backward pass: <see cref="Variable{T}.Backward"/>, which commits into
/// <see cref="Variable{T}.Grad"/>, and <see cref="Variable.Gradients{T}"/>, which returns the
/// gradients of chosen inputs and touches no <c>Grad</c>. Both check the root and the seed here and
/// leave the sweep to a fresh <see cref="BackwardPass{T}"/>.
/// </summary>
internal static class BackwardEngine
{
    public static void Backward<T>(Variable<T> root, NdArray<T>? seed, bool retainGraph, bool createGraph)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        BackwardPass<T>.Run(root, SeedVariable(root, seed, createGraph, "Backward"), retainGraph, createGraph, targets: null);

    public static Variable<T>[] Gradients<T>(
        Variable<T> output, IReadOnlyList<Variable<T>> inputs, NdArray<T>? seed, bool retainGraph, bool createGraph, bool allowUnused)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Gradients(output, inputs, SeedVariable(output, seed, createGraph, "Gradients"), retainGraph, createGraph, allowUnused);

    /// <summary>Like the public form, with a seed that may itself be a tracked variable (recorded gradients then depend on it), or null for ones.</summary>
    public static Variable<T>[] Gradients<T>(
        Variable<T> output, IReadOnlyList<Variable<T>> inputs, Variable<T>? seed, bool retainGraph, bool createGraph, bool allowUnused)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var targets = new Variable<T>[inputs.Count];
        for (var i = 0; i < targets.Length; i++)
        {
            targets[i] = inputs[i] ?? throw new ArgumentNullException(nameof(inputs), $"Gradients: input {i} is null.");
            if (!targets[i].RequiresGrad)
                throw new ArgumentException($"Gradients: input {i} ({BackwardPass<T>.Describe(targets[i])}) does not require grad, so it has no gradient; create it with requiresGrad: true.", nameof(inputs));
        }
        var gradients = BackwardPass<T>.Run(output, seed, retainGraph, createGraph, targets);
        var result = new Variable<T>[targets.Length];
        for (var i = 0; i < targets.Length; i++)
        {
            result[i] = gradients[i] ?? (allowUnused
                ? new Variable<T>(NdArray.Zeros<T>(targets[i].Shape.ToArray()), requiresGrad: false)
                : throw new ArgumentException(
                    $"Gradients: input {i} ({BackwardPass<T>.Describe(targets[i])}) is not used to compute the output, so no gradient reaches it; " +
                    "pass allowUnused: true to get zeros for it.", nameof(inputs)));
        }
        return result;
    }

    /// <summary>
    /// The seed for a pass from <paramref name="root"/>, checked: null for ones when no graph is created
    /// (the pass broadcasts one element), else ones or a copy of the caller's, as an untracked variable.
    /// </summary>
    private static Variable<T>? SeedVariable<T>(Variable<T> root, NdArray<T>? seed, bool createGraph, string method)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(root);
        if (!root.RequiresGrad)
        {
            throw new InvalidOperationException(
                $"{method}: {BackwardPass<T>.Describe(root)} does not require grad: it was created with requiresGrad: false, by Detach(), " +
                "inside Variable.NoGrad(), or by an op whose inputs were all constants.");
        }
        if (seed is null)
        {
            if (!createGraph)
                return null;
            var ones = NdArray<T>.ForResult(root.Value); // sharing the value's shape array
            ones.Data.AsSpan().Fill(T.One);
            return new Variable<T>(ones, requiresGrad: false);
        }
        if (!Shapes.SameShape(seed.Shape, root.Value.Shape))
        {
            throw new ArgumentException(
                $"{method}: the seed gradient has shape {ShapeText.Of(seed.Shape)} but {BackwardPass<T>.Describe(root)} has shape {ShapeText.Of(root.Value.Shape)}; pass a gradient of the same shape.",
                nameof(seed));
        }
        return new Variable<T>(seed.Clone(), requiresGrad: false); // the caller keeps theirs; the pass gets a copy nothing else aliases
    }
}
