using System.Numerics;

namespace Autograd.Engine;

/// <summary>
/// Reverse-mode sweep: order the variables the root depends on topologically (iteratively, so a
/// chain of a million ops cannot overflow the stack), then run each op's backward from the root
/// down, every input summing the contributions of all its uses before its own op runs. A pass keeps
/// its working state on the variables, so passes run one at a time: threads whose graphs share
/// leaves (parameters) may call backward at once and every contribution is summed.
/// </summary>
internal static class BackwardEngine
{
    private static readonly Lock Gate = new();
    private static long _lastPass; // 64 bits: a mark from a wrapped counter would make new variables look visited

    public static void Run<T>(Variable<T> root, NdArray<T>? seed, bool retainGraph)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!root.RequiresGrad)
        {
            throw new InvalidOperationException(
                $"Backward: {Describe(root)} does not require grad: it was created with requiresGrad: false, by Detach(), " +
                "inside Variable.NoGrad(), or by an op whose inputs were all constants.");
        }
        if (seed is null)
        {
            seed = NdArray.Ones<T>(root.Value.Shape.ToArray());
        }
        else if (!Shapes.SameShape(seed.Shape, root.Value.Shape))
        {
            throw new ArgumentException(
                $"Backward: the seed gradient has shape {ShapeText.Of(seed.Shape)} but {Describe(root)} has shape {ShapeText.Of(root.Value.Shape)}; pass a gradient of the same shape.",
                nameof(seed));
        }
        else
        {
            seed = seed.Clone(); // the caller keeps theirs; Grad gets a copy nothing else aliases
        }

        lock (Gate)
            Sweep(root, seed, retainGraph);
    }

    private static void Sweep<T>(Variable<T> root, NdArray<T> seed, bool retainGraph)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (ops, leaves) = TopologicalOrder(root);
        root.PendingGrad = seed;
        root.PendingOwned = true;
        try
        {
            for (var i = ops.Count - 1; i >= 0; i--)
            {
                var variable = ops[i];
                var gradient = variable.PendingGrad;
                if (gradient is null)
                    continue; // no path carried a gradient here (a backward left its slot empty)
                var node = variable.Node!;
                node.RunBackward(gradient);
                if (!retainGraph)
                    node.Release();
                if (variable == root)
                    variable.CommitPendingGrad(replace: true);
                else if (variable.RetainsGrad)
                    variable.CommitPendingGrad(replace: false);
                else
                    variable.ClearPendingGrad();
            }
            foreach (var leaf in leaves)
                leaf.CommitPendingGrad(replace: false);
        }
        finally
        {
            // After a failure no half-summed gradient may leak into the next pass.
            foreach (var variable in ops)
                variable.ClearPendingGrad();
            foreach (var leaf in leaves)
                leaf.ClearPendingGrad();
        }
    }

    /// <summary>
    /// The non-leaf variables <paramref name="root"/> depends on, each after all of its inputs, and
    /// the leaves that require grad. Only variables that require grad are walked.
    /// </summary>
    private static (List<Variable<T>> Ops, List<Variable<T>> Leaves) TopologicalOrder<T>(Variable<T> root)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var pass = Interlocked.Increment(ref _lastPass);
        var ops = new List<Variable<T>>();
        var leaves = new List<Variable<T>>();
        var stack = new Stack<(Variable<T> Variable, int NextInput)>();
        root.VisitMark = pass;
        if (root.Node is null)
        {
            leaves.Add(root);
            return (ops, leaves);
        }
        stack.Push((root, 0));
        while (stack.Count > 0)
        {
            var (variable, nextInput) = stack.Pop();
            var node = variable.Node!;
            if (nextInput == node.InputCount)
            {
                ops.Add(variable);
                continue;
            }
            stack.Push((variable, nextInput + 1));
            var input = node.GetInput(nextInput);
            if (input is not { RequiresGrad: true } || input.VisitMark == pass)
                continue;
            input.VisitMark = pass;
            if (input.Node is null)
                leaves.Add(input);
            else
                stack.Push((input, 0));
        }
        return (ops, leaves);
    }

    private static string Describe<T>(Variable<T> variable)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        variable.Name is null ? "the variable" : $"variable '{variable.Name}'";
}
