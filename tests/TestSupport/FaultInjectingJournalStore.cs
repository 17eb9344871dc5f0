using TicketFlow.Data.Journal;

namespace TicketFlow.Testing;

/// <summary>A real journal store that counts appends and, when told to, fails the next ones before they reach the database.</summary>
public sealed class FaultInjectingJournalStore(IJournalStore inner) : IJournalStore
{
    private int failuresToInject;
    private long appends;
    private long entries;

    public long Appends => Interlocked.Read(ref appends);

    public long Entries => Interlocked.Read(ref entries);

    /// <summary>The next <paramref name="count"/> appends throw <see cref="InjectedFaultException"/> and store nothing.</summary>
    public void FailNextAppends(int count) => Interlocked.Exchange(ref failuresToInject, count);

    public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

    public Task<StoredJournal> ReadAsync(JournalId journal, CancellationToken cancellationToken) => inner.ReadAsync(journal, cancellationToken);

    public Task AppendAsync(JournalId journal, long expectedVersion, IReadOnlyList<byte[]> entriesToAppend, JournalSnapshot? snapshot,
        CancellationToken cancellationToken)
    {
        var left = Volatile.Read(ref failuresToInject);
        while (left > 0)
        {
            if (Interlocked.CompareExchange(ref failuresToInject, left - 1, left) == left) throw new InjectedFaultException();
            left = Volatile.Read(ref failuresToInject);
        }
        Interlocked.Increment(ref appends);
        Interlocked.Add(ref entries, entriesToAppend.Count);
        return inner.AppendAsync(journal, expectedVersion, entriesToAppend, snapshot, cancellationToken);
    }
}

public sealed class InjectedFaultException() : Exception("Injected storage fault: nothing was written.");
