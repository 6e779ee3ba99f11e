using System.Runtime.InteropServices;

namespace Autograd.Distributed;

/// <summary>
/// The processes of one job (MPI's <c>MPI_COMM_WORLD</c>) and the collectives data-parallel training
/// needs. <see cref="Initialize"/> starts MPI and <see cref="Dispose"/> finalizes it: create one per
/// process, at the start, in a <c>using</c>. Under <c>mpirun -np N</c> there are N ranks; started
/// without <c>mpirun</c>, the process is a job of one (Open MPI's singleton mode), where every
/// collective leaves its buffer as it is.
/// </summary>
/// <remarks>
/// Collectives must be called by every rank in the same order with the same counts, as in MPI.
/// While a communicator is open, an exception that nothing catches prints the rank and the error to
/// standard error and aborts the whole job (<c>MPI_Abort</c>), so the other ranks never wait forever.
/// </remarks>
public sealed unsafe class Communicator : IDisposable
{
    private static Communicator? _current;
    private readonly nint _world;
    private bool _disposed;

    private Communicator(nint world)
    {
        _world = world;
        Rank = NativeMpi.Rank(world);
        Size = NativeMpi.Size(world);
        AppDomain.CurrentDomain.UnhandledException += AbortOnUnhandledException;
    }

    /// <summary>This process's rank, 0 to <see cref="Size"/> − 1.</summary>
    public int Rank { get; }

    /// <summary>How many processes the job has.</summary>
    public int Size { get; }

    /// <summary>Starts MPI (<c>MPI_Init_thread</c>, asking for <c>MPI_THREAD_MULTIPLE</c>) and returns the job's communicator.</summary>
    /// <exception cref="DllNotFoundException">
    /// Open MPI's <c>libmpi.so.40</c> cannot be loaded (from the system's library path, or from the path in the
    /// <c>AUTOGRAD_MPI_LIBRARY</c> environment variable when set); the message says how to install it.
    /// </exception>
    /// <exception cref="InvalidOperationException">A communicator is already open in this process, or MPI was already finalized.</exception>
    public static Communicator Initialize()
    {
        if (!NativeMpi.TryLoad())
            throw new DllNotFoundException(NativeMpi.MissingLibrary("Communicator.Initialize"));
        if (_current is not null)
            throw new InvalidOperationException("Communicator.Initialize: a communicator is already open in this process; use it, or dispose it first.");
        if (NativeMpi.IsFinalized())
            throw new InvalidOperationException("Communicator.Initialize: MPI was finalized already; MPI can be started only once per process.");
        if (!NativeMpi.IsInitialized())
            NativeMpi.InitThread();
        return _current = new Communicator(NativeMpi.CommWorld);
    }

    /// <summary>Waits until every rank has called <see cref="Barrier"/>.</summary>
    public void Barrier()
    {
        CheckOpen(nameof(Barrier));
        NativeMpi.Barrier(_world);
    }

    /// <summary>Overwrites <paramref name="buffer"/> on every rank with its contents on rank <paramref name="root"/>.</summary>
    /// <typeparam name="T"><see cref="float"/>, <see cref="double"/>, <see cref="int"/> or <see cref="long"/>.</typeparam>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="root"/> is not a rank.</exception>
    public void Broadcast<T>(Span<T> buffer, int root = 0)
        where T : unmanaged
    {
        CheckOpen(nameof(Broadcast));
        if ((uint)root >= (uint)Size)
            throw new ArgumentOutOfRangeException(nameof(root), root, $"Broadcast: root {root} is not a rank of this job of {Size}.");
        fixed (T* pointer = buffer)
            NativeMpi.Broadcast(pointer, buffer.Length, NativeMpi.Datatype<T>(nameof(Broadcast)), root, _world);
    }

    /// <summary>Replaces <paramref name="buffer"/> on every rank with the elementwise sum over all ranks.</summary>
    /// <typeparam name="T"><see cref="float"/>, <see cref="double"/>, <see cref="int"/> or <see cref="long"/>.</typeparam>
    public void AllReduceSum<T>(Span<T> buffer)
        where T : unmanaged => AllReduce(buffer, NativeMpi.Sum, nameof(AllReduceSum));

    /// <summary>Replaces <paramref name="buffer"/> on every rank with the elementwise minimum over all ranks.</summary>
    /// <typeparam name="T"><see cref="float"/>, <see cref="double"/>, <see cref="int"/> or <see cref="long"/>.</typeparam>
    public void AllReduceMin<T>(Span<T> buffer)
        where T : unmanaged => AllReduce(buffer, NativeMpi.Min, nameof(AllReduceMin));

    /// <summary>
    /// Starts summing <paramref name="buffer"/> over all ranks in place (<c>MPI_Iallreduce</c>) and returns
    /// at once. The buffer is pinned until the returned request completes; do not read or write it before
    /// <see cref="CollectiveRequest.Wait"/> (or a true <see cref="CollectiveRequest.Test"/>).
    /// </summary>
    /// <typeparam name="T"><see cref="float"/>, <see cref="double"/>, <see cref="int"/> or <see cref="long"/>.</typeparam>
    public CollectiveRequest StartAllReduceSum<T>(Memory<T> buffer)
        where T : unmanaged
    {
        CheckOpen(nameof(StartAllReduceSum));
        var datatype = NativeMpi.Datatype<T>(nameof(StartAllReduceSum));
        var pin = buffer.Pin();
        try
        {
            return new CollectiveRequest(NativeMpi.StartAllReduceInPlace(pin.Pointer, buffer.Length, datatype, NativeMpi.Sum, _world), pin);
        }
        catch
        {
            pin.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Prints <paramref name="error"/> with this rank to standard error and ends every process of the job
    /// (<c>MPI_Abort</c>) with exit code <paramref name="exitCode"/>. Does not return.
    /// </summary>
    public void Abort(Exception error, int exitCode = 1)
    {
        ArgumentNullException.ThrowIfNull(error);
        Console.Error.WriteLine($"rank {Rank} of {Size} failed, aborting the job: {error}");
        Console.Error.Flush();
        NativeMpi.Abort(_world, exitCode);
        Environment.Exit(exitCode); // MPI_Abort does not return; this is for an MPI that does
    }

    /// <summary>Finalizes MPI (<c>MPI_Finalize</c>), after which no collective may be called in this process.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        AppDomain.CurrentDomain.UnhandledException -= AbortOnUnhandledException;
        _current = null;
        NativeMpi.Shutdown();
    }

    private void AllReduce<T>(Span<T> buffer, nint op, string method)
        where T : unmanaged
    {
        CheckOpen(method);
        fixed (T* pointer = buffer)
            NativeMpi.AllReduceInPlace(pointer, buffer.Length, NativeMpi.Datatype<T>(method), op, _world);
    }

    private void AbortOnUnhandledException(object sender, UnhandledExceptionEventArgs e) =>
        Abort(e.ExceptionObject as Exception ?? new InvalidOperationException(e.ExceptionObject.ToString()));

    private void CheckOpen(string method) => ObjectDisposedException.ThrowIf(_disposed, $"Communicator.{method}: the communicator was disposed (MPI is finalized)");
}
