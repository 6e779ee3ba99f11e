using System.Reflection;
using System.Runtime.InteropServices;

namespace Autograd.Distributed;

/// <summary>
/// The few MPI calls this package needs, bound to Open MPI's <c>libmpi.so.40</c>. Open MPI's handles
/// (<c>MPI_COMM_WORLD</c>, <c>MPI_FLOAT</c>, <c>MPI_SUM</c>, …) are the addresses of exported globals,
/// read once with <see cref="NativeLibrary.GetExport"/>; every call's return code is checked.
/// </summary>
internal static unsafe partial class NativeMpi
{
    internal const string LibraryName = "libmpi.so.40";
    internal const string LibraryVariable = "AUTOGRAD_MPI_LIBRARY";
    internal const string InstallHint = "install Open MPI (Debian/Ubuntu: apt-get install openmpi-bin libopenmpi-dev; the repository's .ci/install-mpi does this)";
    private const int ThreadMultiple = 3;
    private static readonly nint InPlace = 1;
    private static nint _library;

    static NativeMpi() => NativeLibrary.SetDllImportResolver(typeof(NativeMpi).Assembly, Resolve);

    /// <summary>What is loaded: <c>libmpi.so.40</c> from the system's library path, or the path in <c>AUTOGRAD_MPI_LIBRARY</c>.</summary>
    internal static string LibraryPath => Environment.GetEnvironmentVariable(LibraryVariable) is { Length: > 0 } path ? path : LibraryName;

    /// <summary>Whether Open MPI's library can be loaded.</summary>
    internal static bool TryLoad() => _library != 0 || NativeLibrary.TryLoad(LibraryPath, typeof(NativeMpi).Assembly, null, out _library);

    internal static nint CommWorld => Export("ompi_mpi_comm_world");

    internal static nint Sum => Export("ompi_mpi_op_sum");

    internal static nint Min => Export("ompi_mpi_op_min");

    /// <summary>The MPI datatype handle for <typeparamref name="T"/>.</summary>
    internal static nint Datatype<T>(string method) => typeof(T) switch
    {
        var t when t == typeof(float) => Export("ompi_mpi_float"),
        var t when t == typeof(double) => Export("ompi_mpi_double"),
        var t when t == typeof(int) => Export("ompi_mpi_int"),
        var t when t == typeof(long) => Export("ompi_mpi_long_long_int"),
        _ => throw new NotSupportedException($"{method}: element type {typeof(T).Name} is not supported; use float, double, int or long."),
    };

    /// <summary>MPI_Init_thread asking for MPI_THREAD_MULTIPLE; returns the level granted.</summary>
    internal static int InitThread()
    {
        int provided;
        Check(MPI_Init_thread(null, null, ThreadMultiple, &provided), "MPI_Init_thread");
        return provided;
    }

    internal static bool IsInitialized()
    {
        int flag;
        Check(MPI_Initialized(&flag), "MPI_Initialized");
        return flag != 0;
    }

    internal static bool IsFinalized()
    {
        int flag;
        Check(MPI_Finalized(&flag), "MPI_Finalized");
        return flag != 0;
    }

    internal static void Shutdown() => Check(MPI_Finalize(), "MPI_Finalize");

    internal static int Rank(nint comm)
    {
        int rank;
        Check(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank");
        return rank;
    }

    internal static int Size(nint comm)
    {
        int size;
        Check(MPI_Comm_size(comm, &size), "MPI_Comm_size");
        return size;
    }

    internal static void Barrier(nint comm) => Check(MPI_Barrier(comm), "MPI_Barrier");

    internal static void Broadcast(void* buffer, int count, nint datatype, int root, nint comm) =>
        Check(MPI_Bcast(buffer, count, datatype, root, comm), "MPI_Bcast");

    internal static void AllReduceInPlace(void* buffer, int count, nint datatype, nint op, nint comm) =>
        Check(MPI_Allreduce((void*)InPlace, buffer, count, datatype, op, comm), "MPI_Allreduce");

    internal static nint StartAllReduceInPlace(void* buffer, int count, nint datatype, nint op, nint comm)
    {
        nint request;
        Check(MPI_Iallreduce((void*)InPlace, buffer, count, datatype, op, comm, &request), "MPI_Iallreduce");
        return request;
    }

    /// <summary>MPI_Test: true (and <paramref name="request"/> set to MPI_REQUEST_NULL) when the operation is complete.</summary>
    internal static bool Test(ref nint request)
    {
        int flag;
        fixed (nint* r = &request)
            Check(MPI_Test(r, &flag, null), "MPI_Test");
        return flag != 0;
    }

    internal static void Wait(ref nint request)
    {
        fixed (nint* r = &request)
            Check(MPI_Wait(r, null), "MPI_Wait");
    }

    internal static void Abort(nint comm, int code) => MPI_Abort(comm, code);

    private static nint Export(string name) => NativeLibrary.GetExport(Library, name);

    private static nint Library =>
        TryLoad() ? _library : throw new DllNotFoundException(MissingLibrary("Autograd.Distributed"));

    /// <summary>The error when Open MPI's library cannot be loaded: what was looked for and how to install it.</summary>
    internal static string MissingLibrary(string method) =>
        $"{method}: cannot load Open MPI's {LibraryPath}; {InstallHint}, or set {LibraryVariable} to the path of an Open MPI 4 or 5 libmpi.so.40.";

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == LibraryName ? Library : 0;

    private static void Check(int code, string function)
    {
        if (code != 0)
            throw new InvalidOperationException($"Autograd.Distributed: {function} failed with MPI error code {code}.");
    }

    [LibraryImport(LibraryName)]
    private static partial int MPI_Init_thread(int* argc, byte*** argv, int required, int* provided);

    [LibraryImport(LibraryName)]
    private static partial int MPI_Initialized(int* flag);

    [LibraryImport(LibraryName)]
    private static partial int MPI_Finalized(int* flag);

    [LibraryImport(LibraryName)]
    private static partial int MPI_Finalize();

    [LibraryImport(LibraryName)]
    private static partial int MPI_Comm_rank(nint comm, int* rank);

    [LibraryImport(LibraryName)]
    private static partial int MPI_Comm_size(nint comm, int* size);

    [LibraryImport(LibraryName)]
    private static partial int MPI_Barrier(nint comm);

    [LibraryImport(LibraryName)]
    private static partial int MPI_Bcast(void* buffer, int count, nint datatype, int root, nint comm);

    [LibraryImport(LibraryName)]
    private static partial int MPI_Allreduce(void* sendBuffer, void* receiveBuffer, int count, nint datatype, nint op, nint comm);

    [LibraryImport(LibraryName)]
    private static partial int MPI_Iallreduce(void* sendBuffer, void* receiveBuffer, int count, nint datatype, nint op, nint comm, nint* request);

    [LibraryImport(LibraryName)]
    private static partial int MPI_Test(nint* request, int* flag, void* status);

    [LibraryImport(LibraryName)]
    private static partial int MPI_Wait(nint* request, void* status);

    [LibraryImport(LibraryName)]
    private static partial int MPI_Abort(nint comm, int errorCode);
}
