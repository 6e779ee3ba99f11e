using System.Buffers;
using System.Numerics;

namespace Autograd.Engine;

/// <summary>What a backward pass running on the current thread offers code it calls (hooks, backwards).</summary>
public static class BackwardPass
{
    [ThreadStatic]
    private static ICallbackQueue? _current;

    /// <summary>Where a pass keeps the callbacks queued while it runs (the pass itself: nothing to allocate until one is queued).</summary>
    internal interface ICallbackQueue
    {
        List<Action>? Callbacks { get; set; }
    }

    /// <summary>
    /// Runs <paramref name="callback"/> once the backward pass running on this thread has computed
    /// every gradient, before any leaf gradient is committed: for a hook that started work (an
    /// all-reduce) whose result the committed gradients need. Callbacks run in the order queued; one
    /// queued by a callback runs after the others. A failing callback fails the pass, which then
    /// commits nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException">No backward pass is running on this thread.</exception>
    public static void QueueCallback(Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var pass = _current ?? throw new InvalidOperationException(
            "BackwardPass.QueueCallback: no backward pass is running on this thread; call it from a gradient hook or an op's backward.");
        (pass.Callbacks ??= []).Add(callback);
    }

    /// <summary>Makes <paramref name="pass"/> the one callbacks are queued on; returns the previous one, for a pass run inside another.</summary>
    internal static ICallbackQueue? Enter(ICallbackQueue pass)
    {
        var outer = _current;
        _current = pass;
        return outer;
    }

    internal static void Leave(ICallbackQueue? outer) => _current = outer;
}

/// <summary>
/// The working state of one backward pass (PyTorch's GraphTask): which nodes it reaches, how
/// many uses of each have still to deliver their gradient, and the gradient summed so far for each
/// (a node's gradient is that of the variable it produced). Nothing of a pass lives on the nodes
/// but its claim, so passes on many threads run at once; the only shared write is the final
/// accumulation into a leaf's <see cref="Variable{T}.Grad"/>, made under that leaf's lock. Generated
/// nodes receive it in their backward to hand out gradient slots.
/// </summary>
public sealed class BackwardPass<T> : BackwardPass.ICallbackQueue
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private struct Entry
    {
        public Vertex<T> Vertex;
        public int PendingUses;   // uses of this node's output whose backward has not run yet
        public bool Needed;       // some wanted gradient flows through this node
        public bool Kept;         // its gradient outlives the sweep: committed to Grad, or returned
        public bool Owned;        // Gradient is this pass's own buffer (else shared: copied on write)
        public NdArray<T>? Gradient;
        public Lease? Lease;          // the pooled buffer Gradient is (Owned) or views (an alias), held by this entry
        public Variable<T>? Recorded; // with CreateGraph: the gradient as a recorded variable (Gradient is its value)
    }

    // Each vertex's entry: kept on the vertex itself (its pass id and slot, in the node object or the
    // tape record) when this pass is the first to claim it, which costs no lookup; a vertex another
    // pass holds at the same time (a shared parameter's, or an outer pass's on this thread) goes in _shared.
    private int _count;
    private Dictionary<Vertex<T>, int>? _shared;
    private Entry[] _entries;
    private readonly Scratch _scratch;

    /// <summary>
    /// The arrays a pass works in, kept per thread between passes so that a small backward allocates
    /// almost nothing; a pass run inside another on the same thread makes its own.
    /// </summary>
    private sealed class Scratch
    {
        public Entry[] Entries = new Entry[8];
        public readonly Stack<int> Discovery = new();
        public readonly Stack<int> Ready = new();
        public readonly List<Lease> Pool = [];                // free buffers: reachable by nobody but this list
        public long PoolBytes;
        public readonly List<Lease> Reachable = [];           // the leases the running backward can reach (rule 3 below)
        public long Call;                                     // counts backward calls, to list each lease there once
    }

    /*
     * Reusing gradient buffers (issue 8). A pass takes the buffers it writes gradients into from a
     * per-thread pool and puts them back once nothing can reach them; why that is safe:
     *
     * 1. Only buffers the pass itself took from the pool ("leases") are ever put back. Arrays that ops,
     *    hooks or users made are never pooled; neither is anything while a graph is created
     *    (CreateGraph uses no buffers: gradients are recorded variables a graph may save), nor the
     *    array ZeroGrad kept on a variable, which a committing pass may take to write that
     *    variable's gradient into and make its Grad (documented: Grad's array is reused).
     * 2. A lease counts the entries whose gradient is it or a view of it (Holders). An entry gains a
     *    hold when the pass gives it the lease (GetBuffer, a sum of two contributions, a copy on write)
     *    or when a gradient handed to Accumulate shares the lease's storage (a backward passing dy, or a
     *    view of it, on to an input, or one slot's buffer to another slot). It loses the hold when its
     *    gradient is replaced or dropped. The lease goes back to the pool at zero holders.
     * 3. Outside the entries, a lease is reachable only by code the pass hands it to:
     *    - an op's backward, as its output gradient or a slot's buffer, only during that call (the
     *      contract of a backward: it may pass dy, buffers or views of them to its slots, which rule 2
     *      counts, but keeps nothing after returning). So the leases a gradient handed to Accumulate
     *      can share storage with are the few the pass listed in Reachable as it handed them to the
     *      running backward; no other is searched;
     *    - a hook, which may keep its argument: the lease escapes before the hook runs (and the
     *      gradient is then committed as a copy, so what a hook saw never becomes a reused Grad);
     *    - Grad, when a commit makes the buffer itself a variable's gradient, and Variable.Gradients'
     *      results: the lease escapes.
     *    An escaped lease is never pooled, whatever its holders do later. Every other
     *    way out (a commit adding into an existing Grad, a non-owned gradient) copies.
     * 4. At the end of the pass, failed or not, every entry drops its hold, so a buffer goes back only
     *    once no entry, backward, hook or Grad can reach it: it is unreachable except through the pool.
     */

    /// <summary>A buffer taken from the pool for gradients, and how many entries hold it.</summary>
    private sealed class Lease(NdArray<T> array)
    {
        public NdArray<T> Array = array;
        public int Holders;
        public bool Escaped;
        public long ListedInCall; // the backward call (Scratch.Call) whose Reachable lists it
    }

    private const long LargestPool = 64L << 20; // bytes of free buffers a thread keeps between passes
    private const int MostPooled = 256;         // and how many: Rent searches them all

    [ThreadStatic]
    private static Scratch? _spare;

    private const int LargestKeptEntries = 1 << 16; // a huge graph's arrays are not worth keeping alive
    private static long _lastId;
    private readonly long _id = Interlocked.Increment(ref _lastId); // what this pass writes into the nodes it claims
    private readonly bool _detectAnomaly = AnomalyMode.IsEnabled;
    private bool _commits; // a Backward, committing kept gradients into Grad (not Variable.Gradients)
    private NdArray<T>? _onesSeed; // the broadcast ones the pass seeded the root with, when no seed was given
    private bool _claimsReleased; // while sweeping, each node is let go once done with: no second walk over a huge graph's nodes
    private Variable<T> _root = null!; // whose node is entry 0

    List<Action>? BackwardPass.ICallbackQueue.Callbacks { get; set; }

    private BackwardPass(bool createGraph)
    {
        CreateGraph = createGraph;
        _scratch = _spare ?? new Scratch();
        _spare = null;
        _entries = _scratch.Entries;
    }

    /// <summary>Clears what the pass referenced and hands its arrays to the next pass on this thread.</summary>
    private void ReturnScratch()
    {
        for (var entry = 0; entry < _count; entry++)
            Drop(ref _entries[entry]); // a failed pass, or gradients nobody took: no entry holds anything now
        _scratch.Reachable.Clear();
        _scratch.Discovery.Clear();
        _scratch.Ready.Clear();
        if (_entries.Length > LargestKeptEntries)
        {
            ReturnPooled(_count); // and not the stacks: a huge graph's are not worth keeping alive
        }
        else
        {
            Array.Clear(_entries, 0, _count);
            _scratch.Entries = _entries;
            _spare = _scratch;
        }
        _entries = []; // a slot kept past its pass (against the contract) fails rather than write into another pass's entries
    }

    /// <summary>
    /// True when this pass records its backward computations, so the gradients it produces are
    /// variables that can be differentiated again (<c>createGraph: true</c>).
    /// </summary>
    public bool CreateGraph { get; }

    /// <summary>The slot of the input whose node is <paramref name="input"/> (null for a constant) in a backward of <paramref name="node"/>.</summary>
    public GradSlot<T> Slot(Node<T> node, Node<T>? input) => Slot(node.Vertex, input?.Vertex ?? default);

    /// <summary>The slot of input <paramref name="input"/> in a backward of <paramref name="record"/>.</summary>
    public GradSlot<T> Slot(OpRecord<T> record, int input) => Slot(record.Vertex, record.Input(input));

    private GradSlot<T> Slot(Vertex<T> node, Vertex<T> input) =>
        input.Exists ? new(this, node, input.Store!.OutputShapeOf(input.Index), TryGetEntry(input, out var index) && _entries[index].Needed ? index : -1) : new(this, node, null, -1);

    /// <summary>The slot of a variadic input's element whose node is <paramref name="input"/> (null for a constant) and whose shape is <paramref name="shape"/>.</summary>
    internal GradSlot<T> Slot(Node<T> node, Node<T>? input, int[] shape) =>
        input is null ? new(this, node.Vertex, shape, -1) : Slot(node, input);

    /// <summary>
    /// Backpropagates <paramref name="seed"/> (null: ones, one element broadcast to the root's shape) from <paramref name="root"/>. With <paramref name="targets"/>
    /// null, commits like <see cref="Variable{T}.Backward"/>: into every leaf's and retaining variable's
    /// <see cref="Variable{T}.Grad"/>, and the seed onto the root. Otherwise runs only what the targets
    /// need, commits nothing, and returns their gradients (null where none arrived): recorded
    /// variables with <paramref name="createGraph"/>, else untracked ones holding arrays nobody else holds.
    /// </summary>
    internal static Variable<T>?[] Run(Variable<T> root, Variable<T>? seed, bool retainGraph, bool createGraph, Variable<T>[]? targets)
    {
        var pass = new BackwardPass<T>(createGraph) { _commits = targets is null, _root = root };
        var outer = BackwardPass.Enter(pass);
        try
        {
            pass.Discover(root.GraphVertex);
            if (targets is not null)
                pass.MarkNeeded(targets);
            pass.Sweep(seed, retainGraph);
            // By index: a callback may queue more, which run in this pass too.
            var callbacks = (BackwardPass.ICallbackQueue)pass;
            for (var i = 0; i < (callbacks.Callbacks?.Count ?? 0); i++)
                callbacks.Callbacks![i]();
            if (targets is null)
            {
                pass.Commit();
                return [];
            }
            return Array.ConvertAll(targets, pass.Result);
        }
        finally
        {
            BackwardPass.Leave(outer);
            pass.ReleaseClaims();
            pass.ReturnScratch();
        }
    }

    /// <summary>
    /// Indexes every node behind <paramref name="root"/> and counts the uses of its output.
    /// Iterative, and each node is on the stack once: a chain of millions of ops is fine.
    /// </summary>
    private void Discover(Vertex<T> root)
    {
        var stack = _scratch.Discovery;
        stack.Push(Add(root, isRoot: true));
        while (stack.Count > 0)
        {
            var vertex = _entries[stack.Pop()].Vertex;
            for (int i = 0, inputs = vertex.InputCount; i < inputs; i++)
            {
                if (vertex.Input(i) is not { Exists: true } input)
                    continue;
                if (TryGetEntry(input, out var known))
                {
                    _entries[known].PendingUses++;
                    continue;
                }
                var added = Add(input, isRoot: false);
                _entries[added].PendingUses = 1;
                stack.Push(added);
            }
        }
    }

    /// <summary>Indexes <paramref name="vertex"/>; for a full backward marks it needed, and kept when it is a leaf's, the root's or a retaining variable's.</summary>
    private int Add(Vertex<T> vertex, bool isRoot)
    {
        var index = _count++;
        if (index == _entries.Length)
            Grow();
        _entries[index].Vertex = vertex;
        if (_commits)
        {
            _entries[index].Needed = true;
            _entries[index].Kept = isRoot || vertex.ExistingNode is { } node && (node.Leaf is not null || node.RetainingOutput is not null);
        }
        if (Interlocked.CompareExchange(ref vertex.PassId, _id, 0) == 0)
            vertex.PassSlot = index;
        else
            (_shared ??= []).Add(vertex, index);
        return index;
    }

    /// <summary>
    /// Doubles the entries. Beyond what the thread keeps between passes they come from the shared
    /// pool, which keeps them for the next huge pass (a new one would be a large-object allocation,
    /// counting towards a full collection that then finds the whole graph live) and frees them
    /// when unused or under memory pressure.
    /// </summary>
    private void Grow()
    {
        var length = _entries.Length * 2;
        var larger = length > LargestKeptEntries ? ArrayPool<Entry>.Shared.Rent(length) : new Entry[length];
        Array.Copy(_entries, larger, _entries.Length);
        ReturnPooled(_entries.Length);
        _entries = larger;
    }

    /// <summary>Gives the entries back to the shared pool, once the <paramref name="used"/> ones are cleared, when they came from it.</summary>
    private void ReturnPooled(int used)
    {
        if (_entries.Length <= LargestKeptEntries)
            return;
        Array.Clear(_entries, 0, used);
        ArrayPool<Entry>.Shared.Return(_entries);
    }

    private bool TryGetEntry(Vertex<T> vertex, out int entry)
    {
        if (Volatile.Read(ref vertex.PassId) == _id)
        {
            entry = vertex.PassSlot;
            return true;
        }
        entry = -1;
        return _shared is not null && _shared.TryGetValue(vertex, out entry);
    }

    private int EntryOf(Vertex<T> vertex) =>
        TryGetEntry(vertex, out var entry) ? entry : throw new InvalidOperationException($"Backward: {Describe(vertex)} was not reached by this pass.");

    /// <summary>Hands back every node this pass claimed, whatever happened to the pass (unless its sweep already did).</summary>
    private void ReleaseClaims()
    {
        if (_claimsReleased)
            return;
        for (var entry = 0; entry < _count; entry++)
            ReleaseClaim(_entries[entry].Vertex);
    }

    private void ReleaseClaim(Vertex<T> vertex)
    {
        ref var passId = ref vertex.PassId;
        if (passId == _id)
            Volatile.Write(ref passId, 0);
    }

    /// <summary>For gradients of chosen targets: the targets keep theirs, and only they and what lies between them and the root are needed.</summary>
    private void MarkNeeded(Variable<T>[] targets)
    {
        foreach (var target in targets)
        {
            if (TryGetEntry(target.GraphVertex, out var entry))
                _entries[entry].Needed = _entries[entry].Kept = true;
        }
        // Users before inputs, in the order the sweep runs them (a node once all its uses are
        // counted off); read backwards, so each input is final before its users look.
        var order = new int[_count];
        var pending = new int[_count];
        for (var entry = 0; entry < _count; entry++)
            pending[entry] = _entries[entry].PendingUses;
        var listed = 1; // the root, entry 0
        for (var next = 0; next < listed; next++)
        {
            var vertex = _entries[order[next]].Vertex;
            for (int i = 0, inputs = vertex.InputCount; i < inputs; i++)
            {
                if (vertex.Input(i) is { Exists: true } input && EntryOf(input) is var inputEntry && --pending[inputEntry] == 0)
                    order[listed++] = inputEntry;
            }
        }
        for (var next = _count - 1; next >= 0; next--)
        {
            var entry = order[next];
            if (_entries[entry].Needed)
                continue;
            var vertex = _entries[entry].Vertex;
            for (var i = 0; i < vertex.InputCount && !_entries[entry].Needed; i++)
            {
                if (vertex.Input(i) is { Exists: true } input && _entries[EntryOf(input)].Needed)
                    _entries[entry].Needed = true;
            }
        }
    }

    /// <summary>
    /// Runs each needed op's backward once all the uses of its output have delivered their gradient,
    /// starting from the root; a variable's hooks see its gradient when it is complete.
    /// </summary>
    private void Sweep(Variable<T>? seed, bool retainGraph)
    {
        if (seed is null)
        {
            // One element broadcast to the root's shape (stride 0), like PyTorch's expanded ones: no
            // buffer to fill, and a backward that multiplies by it reads one operand. Not owned, so
            // whatever adds to or commits it copies first.
            _onesSeed = NdArray.Scalar(T.One).BroadcastTo(_root.Value.ShapeArray);
            _entries[0].Gradient = _onesSeed;
        }
        else
        {
            _entries[0].Gradient = seed.Value;
            _entries[0].Owned = !CreateGraph; // a copy made for this pass, unless a recorded graph reads it
            if (CreateGraph)
                _entries[0].Recorded = seed;
        }
        var ready = _scratch.Ready;
        ready.Push(0);
        while (ready.Count > 0)
        {
            var entry = ready.Pop();
            var vertex = _entries[entry].Vertex;
            if (_commits)
                ReleaseClaim(vertex); // every use has delivered, so nothing looks it up again (Variable.Gradients does: its targets' results)
            var node = vertex.ExistingNode; // a record's, only when someone asked for it (hooks, a name)
            if (_entries[entry].Gradient is { } complete && node?.HooksIfAny is { } hooks)
                RunHooks(entry, complete, hooks);
            if (node?.Leaf is not null)
                continue;
            if (_entries[entry].Gradient is { } gradient && _entries[entry].Needed)
            {
                if (CreateGraph)
                    vertex.Store!.RunBackwardGraph(vertex.Index, _entries[entry].Recorded!, this);
                else
                    RunBackward(vertex, gradient, _entries[entry].Lease);
            }
            if (!retainGraph)
                vertex.Store!.Release(vertex.Index);
            if (!_entries[entry].Kept)
                SetGradient(ref _entries[entry], null, owned: false, lease: null); // nobody reads it again: let it go before the pass ends
            for (int i = 0, inputs = vertex.InputCount; i < inputs; i++)
            {
                if (vertex.Input(i) is { Exists: true } input)
                {
                    var inputEntry = EntryOf(input);
                    if (_detectAnomaly && _entries[inputEntry].Gradient is { } sum)
                        AnomalyMode.CheckGradient(vertex.Node, input.Node, sum); // earlier contributions passed: a bad sum is this backward's
                    if (--_entries[inputEntry].PendingUses == 0)
                        ready.Push(inputEntry);
                }
            }
        }
        _claimsReleased = _commits; // all of them: the sweep reaches every entry
    }

    /// <summary>Runs <paramref name="vertex"/>'s backward on <paramref name="gradient"/>, the array of <paramref name="lease"/> or a view of it (when not null).</summary>
    private void RunBackward(Vertex<T> vertex, NdArray<T> gradient, Lease? lease)
    {
        _scratch.Reachable.Clear();
        _scratch.Call++;
        MarkReachable(lease);
        vertex.Store!.RunBackward(vertex.Index, gradient, this);
    }

    private void RunHooks(int entry, NdArray<T> gradient, Func<NdArray<T>, NdArray<T>?>[] hooks)
    {
        Escape(ref _entries[entry]); // a hook may keep what it sees,
        _entries[entry].Owned = false; // so it never becomes a Grad that later passes write into
        foreach (var hook in hooks)
        {
            if (hook(gradient) is not { } replaced)
                continue;
            var vertex = _entries[entry].Vertex;
            if (!Shapes.SameShape(replaced.Shape, vertex.OutputShape))
            {
                throw new InvalidOperationException(
                    $"Backward: a hook of {Describe(vertex)} (shape {ShapeText.Of(vertex.OutputShape)}) returned a gradient of shape {ShapeText.Of(replaced.Shape)}; " +
                    "a hook returns null or a gradient of the variable's shape.");
            }
            gradient = replaced;
            SetGradient(ref _entries[entry], replaced, owned: false, lease: null); // the hook's array may be referenced elsewhere (no lease is: rule 3)
            if (CreateGraph)
                _entries[entry].Recorded = new Variable<T>(replaced, requiresGrad: false); // a replaced gradient is a constant
        }
    }

    /// <summary>Adds a recorded gradient contribution for <paramref name="entry"/> (CreateGraph only): the sum is recorded too.</summary>
    internal void Accumulate(int entry, Variable<T> gradient)
    {
        ref var target = ref _entries[entry];
        target.Recorded = target.Recorded is null ? gradient : GradientNodes.Add(target.Recorded, gradient);
        target.Gradient = target.Recorded.Value;
        target.Owned = false; // a recorded op may have saved it: never add into it
    }

    /// <summary>Adds a gradient contribution for <paramref name="entry"/>, copying on write any buffer the pass does not own.</summary>
    internal void Accumulate(int entry, NdArray<T> gradient)
    {
        if (CreateGraph)
        {
            Accumulate(entry, new Variable<T>(gradient, requiresGrad: false)); // an array gradient is a constant of the graph
            return;
        }
        ref var target = ref _entries[entry];
        if (target.Gradient is null)
        {
            SetGradient(ref target, gradient, owned: false, LeaseOf(gradient));
        }
        else if (target.Owned)
        {
            NdArray.AddInPlace(target.Gradient, gradient);
        }
        else
        {
            var sum = Rent(target.Vertex.OutputShape);
            NdArray.Add(target.Gradient, gradient, into: sum.Array);
            SetGradient(ref target, sum.Array, owned: true, sum);
        }
    }

    /// <summary>
    /// The gradient of <paramref name="entry"/> as a contiguous buffer this pass owns. When nothing arrived
    /// yet, <paramref name="accumulate"/> is false and the buffer holds garbage unless <paramref name="clear"/>
    /// (then zeros); otherwise it holds the gradient so far and <paramref name="accumulate"/> is true.
    /// </summary>
    internal NdArray<T> Buffer(int entry, bool clear, out bool accumulate)
    {
        if (CreateGraph)
            throw new InvalidOperationException("GetBuffer: while a graph is being created (createGraph: true) gradients are recorded variables; add with Accumulate instead.");
        ref var target = ref _entries[entry];
        accumulate = target.Gradient is not null;
        if (target.Owned)
        {
            MarkReachable(target.Lease);
            return target.Gradient!;
        }
        if (!accumulate && _commits && target.Kept && CommitTarget(entry).TakeSpareGrad() is { } spare)
        {
            // The array ZeroGrad kept: written here and made Grad at commit, without a copy.
            if (clear)
                NdArray.Fill(spare, T.Zero);
            SetGradient(ref target, spare, owned: true, lease: null);
            return spare;
        }
        var buffer = Rent(target.Vertex.OutputShape);
        if (target.Gradient is { } sum)
            NdArray.Copy(sum, buffer.Array);
        else if (clear)
            NdArray.Fill(buffer.Array, T.Zero);
        SetGradient(ref target, buffer.Array, owned: true, buffer);
        MarkReachable(buffer);
        return buffer.Array;
    }

    /// <summary>Gives <paramref name="target"/> a new gradient (or none), dropping its hold on the old one's lease and taking one on <paramref name="lease"/>.</summary>
    private void SetGradient(ref Entry target, NdArray<T>? gradient, bool owned, Lease? lease)
    {
        Drop(ref target);
        if (lease is not null)
            lease.Holders++;
        (target.Gradient, target.Owned, target.Lease) = (gradient, owned, lease);
        if (gradient is null)
            target.Recorded = null;
    }

    /// <summary>Drops <paramref name="target"/>'s hold on its lease; the last holder of a lease that never escaped puts it back in the pool.</summary>
    private void Drop(ref Entry target)
    {
        if (target.Lease is not { } lease)
            return;
        target.Lease = null;
        if (--lease.Holders > 0 || lease.Escaped)
            return;
        var bytes = Bytes(lease.Array.Length);
        if (_scratch.PoolBytes + bytes > LargestPool || _scratch.Pool.Count == MostPooled)
            return;
        _scratch.Pool.Add(lease);
        _scratch.PoolBytes += bytes;
    }

    private static long Bytes(int elements) => (long)elements * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();

    /// <summary>The gradient of <paramref name="target"/> is handed to code that may keep it: its lease is never pooled again.</summary>
    private void Escape(ref Entry target)
    {
        if (target.Lease is not { } lease)
            return;
        lease.Escaped = true;
        Drop(ref target);
    }

    /// <summary>The lease whose storage <paramref name="gradient"/> (handed to Accumulate by the running backward) shares, if any.</summary>
    private Lease? LeaseOf(NdArray<T> gradient)
    {
        foreach (var lease in _scratch.Reachable)
        {
            if (lease.Array.Data == gradient.Data)
                return lease;
        }
        return null;
    }

    /// <summary>Lists <paramref name="lease"/> (if any) as reachable by the running backward, once per call.</summary>
    private void MarkReachable(Lease? lease)
    {
        if (lease is null || lease.ListedInCall == _scratch.Call)
            return;
        lease.ListedInCall = _scratch.Call;
        _scratch.Reachable.Add(lease);
    }

    /// <summary>A contiguous buffer of <paramref name="shape"/> from the pool (contents undefined), or a new one; held by nobody yet.</summary>
    private Lease Rent(ReadOnlySpan<int> shape)
    {
        var pool = _scratch.Pool;
        var length = Shapes.ElementCount(shape);
        Lease? lease = null;
        for (var i = pool.Count - 1; i >= 0 && lease is null; i--)
        {
            if (pool[i].Array.Length != length)
                continue;
            lease = pool[i];
            pool[i] = pool[^1];
            pool.RemoveAt(pool.Count - 1);
            _scratch.PoolBytes -= Bytes(length);
            if (!Shapes.SameShape(lease.Array.Shape, shape))
                lease.Array = lease.Array.Reshape(shape.ToArray()); // a contiguous view of the same storage
#if DEBUG
            NdArray.Fill(lease.Array, T.NaN); // as a new one (ForResult): a backward that leaves an element unwritten shows in the tests
#endif
        }
        lease ??= new Lease(NdArray<T>.ForResult(shape.ToArray()));
        return lease;
    }

    /// <summary>The variable a kept entry's gradient is committed to: the root (entry 0), a leaf, or a retaining variable.</summary>
    private Variable<T> CommitTarget(int entry)
    {
        if (entry == 0)
            return _root;
        var node = _entries[entry].Vertex.ExistingNode!; // a leaf's or a retaining variable's: both have their node
        return node.Leaf ?? node.RetainingOutput!;
    }

    /// <summary>Moves the pass's gradients into Grad: the seed onto a non-leaf root, sums onto leaves and retaining variables.</summary>
    private void Commit()
    {
        for (var entry = 0; entry < _count; entry++)
        {
            if (_entries[entry].Gradient is not { } gradient || !_entries[entry].Kept)
                continue;
            var variable = CommitTarget(entry);
            var nonLeafRoot = entry == 0 && !variable.IsLeaf;
            if (nonLeafRoot && ReferenceEquals(gradient, _onesSeed))
            {
                variable.SetOnesGrad(); // Grad reads as ones, made when first read
                continue;
            }
            if (variable.CommitGrad(gradient, _entries[entry].Owned, _entries[entry].Recorded, replace: nonLeafRoot))
                Escape(ref _entries[entry]); // the buffer itself became Grad
        }
    }

    /// <summary>
    /// A target's gradient, null when none arrived: the recorded variable with CreateGraph, else an
    /// untracked variable over an array nobody else holds (a target named twice gets two).
    /// </summary>
    private Variable<T>? Result(Variable<T> target)
    {
        if (!TryGetEntry(target.GraphVertex, out var entry) || _entries[entry].Gradient is not { } gradient)
            return null;
        if (CreateGraph)
            return _entries[entry].Recorded;
        if (!_entries[entry].Owned)
            return new Variable<T>(gradient.Clone(), requiresGrad: false);
        Escape(ref _entries[entry]);
        _entries[entry].Owned = false;
        return new Variable<T>(gradient, requiresGrad: false);
    }

    internal static string Describe(Variable<T> variable) =>
        variable.Name is null ? "the variable" : $"variable '{variable.Name}'";

    internal static string Describe(Node<T> node) => Describe(node.Vertex);

    private static string Describe(Vertex<T> vertex) =>
        vertex.ExistingNode is { OutputName: { } name } ? $"variable '{name}'" : vertex.ExistingNode?.Leaf is not null ? "the variable" : $"the output of op '{vertex.OpName}'";
}
