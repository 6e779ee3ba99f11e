using System.Globalization;
using System.Numerics;
using System.Text;

namespace Autograd.Engine;

/// <summary>
/// Writes the graph behind a variable in Graphviz DOT: a box per variable (its name or "·", and its
/// shape), an ellipse per recorded op (its op name), edges in the direction data flows. Walked
/// iteratively, like the backward pass, so long chains are fine.
/// </summary>
internal static class GraphExport
{
    public static string ToDot<T>(Variable<T> root)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var ids = new Dictionary<object, string>(ReferenceEqualityComparer.Instance);
        var dot = new StringBuilder("digraph autograd {\n    rankdir=LR;\n");
        var pending = new Stack<Variable<T>>();
        Declare(root);
        while (pending.Count > 0)
        {
            var variable = pending.Pop();
            if (variable.Node is not { } node)
                continue;
            var op = Id(node);
            dot.Append(CultureInfo.InvariantCulture, $"    {op} [shape=ellipse, label=\"{Escape(node.OpName)}\"];\n");
            dot.Append(CultureInfo.InvariantCulture, $"    {op} -> {Id(variable)};\n");
            for (var i = 0; i < node.InputCount; i++)
            {
                if (node.GetInput(i) is { } input)
                {
                    Declare(input);
                    dot.Append(CultureInfo.InvariantCulture, $"    {Id(input)} -> {op};\n");
                }
                else
                {
                    var constant = $"{op}_c{i.ToString(CultureInfo.InvariantCulture)}";
                    dot.Append(CultureInfo.InvariantCulture, $"    {constant} [shape=box, style=dashed, label=\"constant\"];\n");
                    dot.Append(CultureInfo.InvariantCulture, $"    {constant} -> {op};\n");
                }
            }
        }
        return dot.Append("}\n").ToString();

        void Declare(Variable<T> variable)
        {
            if (ids.ContainsKey(variable))
                return;
            var id = Id(variable);
            var style = variable.IsLeaf ? (variable.RequiresGrad ? ", style=bold" : ", style=dashed") : "";
            dot.Append(CultureInfo.InvariantCulture, $"    {id} [shape=box{style}, label=\"{Escape(variable.Name ?? "·")}\\n{ShapeText.Of(variable.Shape)}\"];\n");
            pending.Push(variable);
        }

        string Id(object item)
        {
            if (!ids.TryGetValue(item, out var id))
            {
                id = (item is Node<T> ? "op" : "v") + ids.Count.ToString(CultureInfo.InvariantCulture);
                ids.Add(item, id);
            }
            return id;
        }
    }

    private static string Escape(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}
