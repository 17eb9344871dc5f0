using TicketFlow.Data.Journal;

namespace TicketFlow.Testing;

/// <summary>A real journal store, shared by every silo of a test cluster, that counts appends and fails them when its switch says so.</summary>
public sealed class FaultInjectingJournalStore(IJournalStore inner) : IJournalStore
{
    private long appends;
    private long entries;

    public FaultSwitch Faults { get; } = new();

    public long Appends => Interlocked.Read(ref appends);

    public long Entries => Interlocked.Read(ref entries);

    public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

    public Task<StoredJournal> ReadAsync(JournalId journal, CancellationToken cancellationToken) => inner.ReadAsync(journal, cancellationToken);

    public Task AppendAsync(JournalId journal, long expectedVersion, IReadOnlyList<byte[]> entriesToAppend, JournalSnapshot? snapshot,
        CancellationToken cancellationToken)
    {
        if (Faults.Trip()) return Task.FromException(new InjectedFaultException());
        Interlocked.Increment(ref appends);
        Interlocked.Add(ref entries, entriesToAppend.Count);
        return inner.AppendAsync(journal, expectedVersion, entriesToAppend, snapshot, cancellationToken);
    }
}
