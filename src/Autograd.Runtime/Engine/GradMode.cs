namespace Autograd;

/// <summary>
/// Whether ops record graph nodes. Off inside <see cref="Variable.NoGrad"/>; the setting flows with the
/// current thread and async flow, so a scope on one thread leaves other threads recording.
/// </summary>
public static class GradMode
{
    // The setting is an AsyncLocal, so that it follows async flows; every recorded op reads it, and an
    // AsyncLocal read costs about 9 ns (a lookup in the execution context). The runtime calls the
    // handler whenever the value seen on a thread changes, by a write or by the thread switching to
    // another flow, so a thread-static copy always holds the current flow's value and costs a plain read.
    private static readonly AsyncLocal<bool> Disabled = new(change => _disabledHere = change.CurrentValue);

    [ThreadStatic]
    private static bool _disabledHere;

    /// <summary>True unless the current flow is inside a no-grad scope.</summary>
    public static bool IsEnabled => !_disabledHere;

    /// <summary>Enters a scope in which ops record (<paramref name="enabled"/>) or not; disposing it restores the previous setting.</summary>
    internal static NoGradScope Enter(bool enabled)
    {
        var scope = new NoGradScope(Disabled.Value);
        Disabled.Value = !enabled;
        return scope;
    }

    /// <summary>Restores the grad mode that was in force when the scope began.</summary>
    public readonly struct NoGradScope : IDisposable
    {
        private readonly bool _wasDisabled;

        internal NoGradScope(bool wasDisabled) => _wasDisabled = wasDisabled;

        /// <summary>Ends the scope.</summary>
        public void Dispose() => Disabled.Value = _wasDisabled;
    }
}
