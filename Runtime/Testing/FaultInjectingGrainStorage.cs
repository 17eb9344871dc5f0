using TicketFlow.Runtime.Storage;

namespace TicketFlow.Runtime.Testing;

/// <summary>Real storage with a switch that makes the next writes fail before they reach the database.</summary>
public sealed class FaultInjectingGrainStorage(IGrainStorage inner) : IGrainStorage
{
    private int failuresToInject;
    private long writes;

    public long Writes => Interlocked.Read(ref writes);

    /// <summary>The next <paramref name="count"/> writes throw <see cref="InjectedFaultException"/> and store nothing.</summary>
    public void FailNextWrites(int count) => Interlocked.Exchange(ref failuresToInject, count);

    public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

    public Task<StoredState?> ReadAsync(string grainType, string key, string stateName, CancellationToken cancellationToken) =>
        inner.ReadAsync(grainType, key, stateName, cancellationToken);

    public Task<long> WriteAsync(string grainType, string key, string stateName, byte[] payload, long expectedVersion, CancellationToken cancellationToken)
    {
        ThrowIfInjected();
        Interlocked.Increment(ref writes);
        return inner.WriteAsync(grainType, key, stateName, payload, expectedVersion, cancellationToken);
    }

    public Task<long> ClearAsync(string grainType, string key, string stateName, long expectedVersion, CancellationToken cancellationToken)
    {
        ThrowIfInjected();
        return inner.ClearAsync(grainType, key, stateName, expectedVersion, cancellationToken);
    }

    public Task<StoredJournal> ReadJournalAsync(string grainType, string key, string journal, CancellationToken cancellationToken) =>
        inner.ReadJournalAsync(grainType, key, journal, cancellationToken);

    public Task AppendJournalAsync(string grainType, string key, string journal, long expectedVersion, IReadOnlyList<byte[]> entries, JournalSnapshot? snapshot,
        CancellationToken cancellationToken)
    {
        ThrowIfInjected();
        Interlocked.Increment(ref writes);
        return inner.AppendJournalAsync(grainType, key, journal, expectedVersion, entries, snapshot, cancellationToken);
    }

    private void ThrowIfInjected()
    {
        var left = Volatile.Read(ref failuresToInject);
        while (left > 0)
        {
            if (Interlocked.CompareExchange(ref failuresToInject, left - 1, left) == left) throw new InjectedFaultException();
            left = Volatile.Read(ref failuresToInject);
        }
    }
}

public sealed class InjectedFaultException() : Exception("Injected storage fault: nothing was written.");
