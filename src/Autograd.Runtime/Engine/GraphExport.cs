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
        // Each node is drawn as its op (an ellipse) and its output variable (a box); a leaf's node as the leaf.
        var numbers = new Dictionary<Node<T>, int>(ReferenceEqualityComparer.Instance);
        var dot = new StringBuilder("digraph autograd {\n    rankdir=LR;\n");
        var pending = new Stack<Node<T>>();
        if (root.GraphNode is { } rootNode)
            Declare(rootNode);
        else
            Box("v0", ", style=dashed", root.Name, root.Shape); // a constant: no graph behind it
        while (pending.Count > 0)
        {
            var node = pending.Pop();
            var op = "op" + Number(node);
            dot.Append(CultureInfo.InvariantCulture, $"    {op} [shape=ellipse, label=\"{Escape(node.OpName)}\"];\n");
            dot.Append(CultureInfo.InvariantCulture, $"    {op} -> v{Number(node)};\n");
            for (var i = 0; i < node.InputCount; i++)
            {
                if (node.GetInput(i) is { } input)
                {
                    Declare(input);
                    dot.Append(CultureInfo.InvariantCulture, $"    v{Number(input)} -> {op};\n");
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

        void Declare(Node<T> node)
        {
            if (numbers.ContainsKey(node))
                return;
            numbers.Add(node, numbers.Count);
            Box("v" + Number(node), node.Leaf is null ? "" : ", style=bold", node.OutputName, node.OutputShape);
            if (node.Leaf is null)
                pending.Push(node);
        }

        void Box(string id, string style, string? name, ReadOnlySpan<int> shape) =>
            dot.Append(CultureInfo.InvariantCulture, $"    {id} [shape=box{style}, label=\"{Escape(name ?? "·")}\\n{ShapeText.Of(shape)}\"];\n");

        string Number(Node<T> node) => numbers[node].ToString(CultureInfo.InvariantCulture);
    }

    private static string Escape(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}
