using System.CodeDom.Compiler;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Autograd.Engine;

/// <summary>
/// <see cref="Variable.DetectAnomaly"/>: while a scope is active on the current thread or async flow,
/// every recorded op checks its output, and every backward the gradients it produces, for NaN and
/// infinity, and throws naming the op and where user code called it. Costs one read of a
/// process-wide counter per recorded op while no scope is active anywhere.
/// </summary>
public static class AnomalyMode
{
    private static readonly AsyncLocal<bool> Enabled = new();
    private static readonly ConditionalWeakTable<object, string> CallSites = []; // kept beside the nodes, so a node costs nothing for it
    private static int _activeScopes;

    /// <summary>True inside a <see cref="Variable.DetectAnomaly"/> scope on the current thread or async flow.</summary>
    public static bool IsEnabled => Volatile.Read(ref _activeScopes) > 0 && Enabled.Value;

    internal static Scope Enter()
    {
        var scope = new Scope(Enabled.Value);
        Interlocked.Increment(ref _activeScopes);
        Enabled.Value = true;
        return scope;
    }

    /// <summary>Called as an op is recorded: remembers the call site and checks the output.</summary>
    internal static void CheckForward<T>(NdArray<T> output, Node<T> node)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CallSites.AddOrUpdate(node, UserCallSite());
        if (FirstNonFinite(output) is { } bad)
        {
            throw new ArithmeticException(
                $"DetectAnomaly: op '{node.OpName}' produced {bad.Value} at index {bad.Index} of its output of shape {ShapeText.Of(output.Shape)}; " +
                $"the op was called {node.RecordedAt}.");
        }
    }

    internal static string? CallSiteOf(object node) => CallSites.TryGetValue(node, out var site) ? site : null;

    /// <summary>Called as a backward adds a gradient for <paramref name="input"/>.</summary>
    internal static void CheckGradient<T>(Node<T> node, Node<T> input, NdArray<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (FirstNonFinite(gradient) is { } bad)
        {
            throw new ArithmeticException(
                $"DetectAnomaly: the backward of op '{node.OpName}' produced {bad.Value} at index {bad.Index} of the gradient for {BackwardPass<T>.Describe(input)} " +
                $"(shape {ShapeText.Of(input.OutputShape)}); the op was called {node.RecordedAt ?? "outside the DetectAnomaly scope (no call site recorded)"}.");
        }
    }

    private static (string Value, string Index)? FirstNonFinite<T>(NdArray<T> array)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = array.ToArray();
        var position = Array.FindIndex(values, v => !T.IsFinite(v));
        if (position < 0)
            return null;
        var value = values[position];
        var index = new int[array.Rank];
        for (var axis = array.Rank - 1; axis >= 0; axis--)
        {
            index[axis] = position % array.Shape[axis];
            position /= array.Shape[axis];
        }
        return (T.IsNaN(value) ? "NaN" : T.IsNegative(value) ? "-infinity" : "infinity", ShapeText.Of(index));
    }

    /// <summary>The first frame outside this library and generated op code: where the user called the op.</summary>
    private static string UserCallSite()
    {
        var runtime = typeof(AnomalyMode).Assembly;
        foreach (var frame in new StackTrace(fNeedFileInfo: true).GetFrames())
        {
            var method = frame.GetMethod();
            if (method?.DeclaringType is not { } type || type.Assembly == runtime || method.IsDefined(typeof(GeneratedCodeAttribute), inherit: false))
                continue;
            var file = frame.GetFileName();
            var where = file is null ? "" : $" in {file}:line {frame.GetFileLineNumber()}";
            return $"at {type.FullName}.{method.Name}{where}";
        }
        return "at an unknown place (no frame outside the library)";
    }

    /// <summary>Ends the scope, restoring the setting that was in force when it began.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly bool _wasEnabled;

        internal Scope(bool wasEnabled) => _wasEnabled = wasEnabled;

        /// <summary>Ends the scope.</summary>
        public void Dispose()
        {
            Enabled.Value = _wasEnabled;
            Interlocked.Decrement(ref _activeScopes);
        }
    }
}
