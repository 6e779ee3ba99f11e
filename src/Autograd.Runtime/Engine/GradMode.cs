namespace Autograd;

/// <summary>
/// Whether ops record graph nodes. Off inside <see cref="Variable.NoGrad"/>; the setting flows with the
/// current thread and async flow, so a scope on one thread leaves other threads recording.
/// </summary>
public static class GradMode
{
    private static readonly AsyncLocal<bool> Disabled = new();

    /// <summary>True unless the current flow is inside a no-grad scope.</summary>
    public static bool IsEnabled => !Disabled.Value;

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
