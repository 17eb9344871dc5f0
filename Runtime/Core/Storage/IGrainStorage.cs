namespace TicketFlow.Runtime.Storage;

/// <summary>A stored state record. A cleared record keeps its version (a tombstone) so versions never go back.</summary>
public sealed record StoredState(byte[]? Payload, long Version)
{
    public bool Exists => Payload is not null;
}

/// <summary>Durable grain state with optimistic concurrency: every write names the version it replaces.</summary>
public interface IGrainStorage
{
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Null when nothing was ever written.</summary>
    Task<StoredState?> ReadAsync(string grainType, string key, string stateName, CancellationToken cancellationToken);

    /// <summary>Writes if the stored version equals <paramref name="expectedVersion"/> (0: no record); returns the new version.</summary>
    /// <exception cref="InconsistentStateException">Storage holds another version.</exception>
    Task<long> WriteAsync(string grainType, string key, string stateName, byte[] payload, long expectedVersion, CancellationToken cancellationToken);

    /// <summary>Clears the record (keeping a tombstone) if its version is <paramref name="expectedVersion"/>; returns the new version.</summary>
    /// <exception cref="InconsistentStateException">Storage holds another version.</exception>
    Task<long> ClearAsync(string grainType, string key, string stateName, long expectedVersion, CancellationToken cancellationToken);

    /// <summary>The newest snapshot of a journal and the entries after it.</summary>
    Task<StoredJournal> ReadJournalAsync(string grainType, string key, string journal, CancellationToken cancellationToken);

    /// <summary>Appends <paramref name="entries"/> as numbers <paramref name="expectedVersion"/>+1 onwards, in one transaction with the
    /// snapshot if one is given (it must cover no more than the journal holds after this append).</summary>
    /// <exception cref="InconsistentStateException">Some of those numbers exist: another activation appended first.</exception>
    Task AppendJournalAsync(string grainType, string key, string journal, long expectedVersion, IReadOnlyList<byte[]> entries, JournalSnapshot? snapshot,
        CancellationToken cancellationToken);
}
