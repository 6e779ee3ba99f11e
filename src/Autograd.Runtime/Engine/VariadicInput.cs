using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace Autograd.Engine;

/// <summary>
/// What generated code does with a variadic input of an op (an <c>NdArray&lt;T&gt;[]</c> parameter,
/// one graph input per element): check the elements, gather their values, hand out one slot per
/// element, and save and unpack the elements one by one, each named by its position.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class VariadicInput
{
    /// <summary>Throws, naming the method and the position, when the array or one of its elements is null.</summary>
    /// <exception cref="ArgumentNullException">The array or an element is null.</exception>
    public static void CheckElements<TItem>(TItem[] items, string method, string parameter)
        where TItem : class
    {
        ArgumentNullException.ThrowIfNull(items, parameter);
        var index = Array.IndexOf(items, null);
        if (index >= 0)
            throw new ArgumentNullException(parameter, $"{method}: {parameter}[{index}] is null ({items.Length} elements given); pass no null elements.");
    }

    /// <summary>The values of <paramref name="inputs"/>, after <see cref="CheckElements"/>.</summary>
    /// <exception cref="ArgumentNullException">The array or an element is null.</exception>
    public static NdArray<T>[] Values<T>(Variable<T>[] inputs, string method, string parameter)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckElements(inputs, method, parameter);
        return Array.ConvertAll(inputs, v => v.Value);
    }

    /// <summary>True when some element requires grad.</summary>
    public static bool AnyRequiresGrad<T>(Variable<T>[] inputs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var input in inputs)
        {
            if (input.RequiresGrad)
                return true;
        }
        return false;
    }

    /// <summary>The elements' nodes (null for one that does not require grad), in the node's own array, so a caller reusing its array cannot change the graph.</summary>
    public static Node<T>?[] Inputs<T>(Variable<T>[] inputs)
        where T : unmanaged, IFloatingPointIeee754<T> => Array.ConvertAll(inputs, v => v.GraphNode);

    /// <summary>The elements' shapes, which their slots report even for a constant element (one that does not require grad).</summary>
    public static int[][] Shapes<T>(NdArray<T>[] values)
        where T : unmanaged, IFloatingPointIeee754<T> => Array.ConvertAll(values, v => v.ShapeArray);

    /// <summary>The slot of each element, in order, each knowing its element's shape (<see cref="Shapes"/>).</summary>
    public static GradSlot<T>[] Slots<T>(BackwardPass<T> pass, Node<T> node, Node<T>?[] inputs, int[][] shapes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var slots = new GradSlot<T>[inputs.Length];
        for (var i = 0; i < inputs.Length; i++)
            slots[i] = pass.Slot(node, inputs[i], shapes[i]);
        return slots;
    }

    /// <summary>Saves each element at its current version; null for null (nothing saved, <see cref="SavedForAttribute"/>).</summary>
    [return: NotNullIfNotNull(nameof(arrays))]
    public static SavedArray<T>[]? Save<T>(NdArray<T>[]? arrays)
        where T : unmanaged, IFloatingPointIeee754<T> => arrays is null ? null : Array.ConvertAll(arrays, a => new SavedArray<T>(a));

    /// <summary>The saved elements, each checked unchanged (null when nothing was saved); a stale one is named <c>input 'arrays[2]'</c>.</summary>
    /// <exception cref="InvalidOperationException">An element was written in place since it was saved.</exception>
    [return: NotNullIfNotNull(nameof(saved))]
    public static NdArray<T>[]? Unpack<T>(SavedArray<T>[]? saved, Node<T> node, string parameter)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (saved is null)
            return null;
        var arrays = new NdArray<T>[saved.Length];
        for (var i = 0; i < saved.Length; i++)
            arrays[i] = saved[i].Unpack(node, Description(parameter, i))!;
        return arrays;
    }

    /// <summary>For a recorded backward: each saved element, checked unchanged, as its variable (an untracked one for a constant); null when nothing was saved.</summary>
    /// <exception cref="InvalidOperationException">An element was written in place since it was saved.</exception>
    [return: NotNullIfNotNull(nameof(saved))]
    public static Variable<T>[]? Track<T>(SavedArray<T>[]? saved, Node<T> node, string parameter, Node<T>?[] inputs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (saved is null)
            return null;
        var variables = new Variable<T>[saved.Length];
        for (var i = 0; i < saved.Length; i++)
            variables[i] = saved[i].Track(node, Description(parameter, i), inputs[i])!;
        return variables;
    }

    private static string Description(string parameter, int index) => $"input '{parameter}[{index}]'";
}
