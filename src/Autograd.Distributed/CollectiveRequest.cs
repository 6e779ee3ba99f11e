using System.Buffers;

namespace Autograd.Distributed;

/// <summary>
/// A non-blocking collective in flight (an <c>MPI_Request</c>), holding its buffer pinned until it
/// completes. Complete it with <see cref="Wait"/> or a <see cref="Test"/> that returns true; until then the
/// buffer must not be touched.
/// </summary>
public sealed class CollectiveRequest
{
    private nint _request;
    private MemoryHandle _pin;

    internal CollectiveRequest(nint request, MemoryHandle pin)
    {
        _request = request;
        _pin = pin;
    }

    /// <summary>Whether the collective has completed (and its buffer holds the result).</summary>
    public bool IsCompleted { get; private set; }

    /// <summary>Checks without blocking whether the collective has completed (<c>MPI_Test</c>).</summary>
    public bool Test()
    {
        if (!IsCompleted && NativeMpi.Test(ref _request))
            Complete();
        return IsCompleted;
    }

    /// <summary>Blocks until the collective has completed (<c>MPI_Wait</c>).</summary>
    public void Wait()
    {
        if (IsCompleted)
            return;
        NativeMpi.Wait(ref _request);
        Complete();
    }

    private void Complete()
    {
        IsCompleted = true;
        _pin.Dispose();
    }
}
