using System.Collections.Concurrent;
using TicketFlow.Data.Journal;

namespace TicketFlow.Testing;

/// <summary>
/// A real journal store, shared by every silo of a test cluster, that counts appends (in all and per journal), fails
/// them when its switch says so, and can hold one journal's appends at a gate until the test opens it.
/// </summary>
public sealed class FaultInjectingJournalStore(IJournalStore inner) : IJournalStore
{
    private readonly ConcurrentDictionary<JournalId, long> appendsPerJournal = new();
    private long appends;
    private long entries;
    private int waitingAtGate;
    private Gate? gate;
    private JournalId? loseReplyOf;

    public FaultSwitch Faults { get; } = new();

    public long Appends => Interlocked.Read(ref appends);

    public long Entries => Interlocked.Read(ref entries);

    public long AppendsTo(JournalId journal) => appendsPerJournal.GetValueOrDefault(journal);

    /// <summary>Appends to <paramref name="journal"/> wait (before reaching the database) until <see cref="OpenGate"/>.</summary>
    public void CloseGate(JournalId journal) => Volatile.Write(ref gate, new Gate(journal, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)));

    public void OpenGate() => Interlocked.Exchange(ref gate, null)?.Open.TrySetResult();

    /// <summary>
    /// The next append to <paramref name="journal"/> is stored and then fails as if the process died before its reply: the
    /// caller sees an unknown outcome (<see cref="ReplyLostException"/>), the database has the entries.
    /// </summary>
    public void LoseReplyOnce(JournalId journal) => Volatile.Write(ref loseReplyOf, journal);

    /// <summary>Appends waiting at the gate now.</summary>
    public int WaitingAtGate => Volatile.Read(ref waitingAtGate);

    public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

    public Task<StoredJournal> ReadAsync(JournalId journal, CancellationToken cancellationToken) => inner.ReadAsync(journal, cancellationToken);

    public async Task AppendAsync(JournalId journal, long expectedVersion, IReadOnlyList<byte[]> entriesToAppend, JournalSnapshot? snapshot,
        CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref gate) is { } closed && closed.Journal == journal)
        {
            Interlocked.Increment(ref waitingAtGate);
            try { await closed.Open.Task; }
            finally { Interlocked.Decrement(ref waitingAtGate); }
        }
        if (Faults.Trip()) throw new InjectedFaultException();
        Interlocked.Increment(ref appends);
        Interlocked.Add(ref entries, entriesToAppend.Count);
        appendsPerJournal.AddOrUpdate(journal, 1, (_, n) => n + 1);
        await inner.AppendAsync(journal, expectedVersion, entriesToAppend, snapshot, cancellationToken);
        if (Volatile.Read(ref loseReplyOf) == journal && Interlocked.CompareExchange(ref loseReplyOf, null, journal) == journal)
            throw new ReplyLostException(journal);
    }

    private sealed record Gate(JournalId Journal, TaskCompletionSource Open);
}

public sealed class ReplyLostException(JournalId journal) : Exception($"{journal}: the append was stored, and its reply lost.");
