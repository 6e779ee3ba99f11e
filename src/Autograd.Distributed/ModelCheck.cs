using System.Numerics;

namespace Autograd.Distributed;

/// <summary>Checks that every rank built the same model: the same number of parameters, each of the same shape.</summary>
internal static class ModelCheck
{
    private const int Agree = int.MaxValue;

    /// <summary>
    /// A collective. Rank 0's shapes go to every rank; each finds its first parameter that differs, and the
    /// lowest such (parameter, rank) is reported by every rank in the same exception.
    /// </summary>
    public static void ThrowIfDifferentAcrossRanks<T>(Communicator communicator, Variable<T>[] parameters)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var local = Encode(parameters);
        var fromRoot = BroadcastFromRoot(communicator, local, root: 0);
        var first = FirstDifference(fromRoot, local);
        Span<int> agreed = [first];
        communicator.AllReduceMin(agreed);
        if (agreed[0] == Agree)
            return;
        Span<int> rank = [first == agreed[0] ? communicator.Rank : Agree];
        communicator.AllReduceMin(rank);
        var (ours, theirs) = (Decode(fromRoot), Decode(BroadcastFromRoot(communicator, local, rank[0])));
        var index = agreed[0];
        if (index >= ours.Count || index >= theirs.Count)
        {
            throw new ArgumentException(
                $"DataParallel: rank 0 has {ours.Count} parameters but rank {rank[0]} has {theirs.Count}; every rank must build the same model.", "parameters");
        }
        var name = index < parameters.Length ? Describe(parameters[index], index) : $"parameter {index}";
        throw new ArgumentException(
            $"DataParallel: {name} has shape {Text(ours[index])} on rank 0 but {Text(theirs[index])} on rank {rank[0]}; every rank must build the same model.",
            "parameters");
    }

    /// <summary>"parameter 2 ('w2')", or "parameter 2" when it has no name.</summary>
    public static string Describe<T>(Variable<T> parameter, int index)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        parameter.Name is null ? $"parameter {index}" : $"parameter {index} ('{parameter.Name}')";

    // [count, rank of 0, dims of 0…, rank of 1, dims of 1…, …]
    private static int[] Encode<T>(Variable<T>[] parameters)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var code = new List<int> { parameters.Length };
        foreach (var parameter in parameters)
        {
            code.Add(parameter.Value.Rank);
            code.AddRange(parameter.Value.Shape);
        }
        return [.. code];
    }

    private static List<int[]> Decode(int[] code)
    {
        var shapes = new List<int[]>();
        for (int i = 0, at = 1; i < code[0]; i++, at += 1 + code[at])
            shapes.Add(code.AsSpan(at + 1, code[at]).ToArray());
        return shapes;
    }

    // The index of the first parameter whose shape differs, the shorter count if the counts differ, or Agree.
    private static int FirstDifference(int[] root, int[] local)
    {
        var (theirs, mine) = (Decode(root), Decode(local));
        for (var i = 0; i < Math.Min(theirs.Count, mine.Count); i++)
        {
            if (!theirs[i].AsSpan().SequenceEqual(mine[i]))
                return i;
        }
        return theirs.Count == mine.Count ? Agree : Math.Min(theirs.Count, mine.Count);
    }

    // Every rank gets root's array, whatever its length on the others.
    private static int[] BroadcastFromRoot(Communicator communicator, int[] values, int root)
    {
        Span<int> length = [values.Length];
        communicator.Broadcast(length, root);
        var received = communicator.Rank == root ? values : new int[length[0]];
        communicator.Broadcast(received.AsSpan(), root);
        return received;
    }

    private static string Text(int[] shape) => $"[{string.Join(", ", shape)}]";
}
