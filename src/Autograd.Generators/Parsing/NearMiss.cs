using System;
using System.Collections.Generic;

namespace Autograd.Generators.Parsing;

/// <summary>Finds the name a user probably meant, by edit distance (a swap of two neighbours counts as one edit).</summary>
internal static class NearMiss
{
    /// <summary>The closest of <paramref name="names"/> to <paramref name="target"/> within two edits (and a third of its length), or null.</summary>
    public static string? Find(string target, IEnumerable<string> names)
    {
        var limit = Math.Min(2, target.Length / 3);
        string? best = null;
        var bestDistance = limit + 1;
        foreach (var name in names)
        {
            var distance = Distance(target, name);
            if (distance > 0 && (distance < bestDistance || distance == bestDistance && string.CompareOrdinal(name, best) < 0))
            {
                best = name;
                bestDistance = distance;
            }
        }
        return best;
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
            d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++)
            d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}
