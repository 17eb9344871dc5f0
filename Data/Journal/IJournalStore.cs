namespace TicketFlow.Data.Journal;

/// <summary>Names one journal: the grain type and key it belongs to, and the journal's name within the grain.</summary>
public sealed record JournalId(string GrainType, string Key, string Name)
{
    public override string ToString() => $"{GrainType}/{Key} journal '{Name}'";
}

/// <summary>A journal as stored: the newest snapshot (null if none) and the entries after it, in order.</summary>
public sealed record StoredJournal(byte[]? Snapshot, long SnapshotVersion, IReadOnlyList<byte[]> Entries)
{
    public static readonly StoredJournal Empty = new(null, 0, []);

    /// <summary>Number of entries the journal holds: the sequence number of the last one.</summary>
    public long Version => SnapshotVersion + Entries.Count;
}

/// <summary>A journal's state after its first <see cref="Version"/> entries.</summary>
public sealed record JournalSnapshot(long Version, byte[] Payload);

/// <summary>
/// Append-only, per-grain journals with dense sequence numbers (1, 2, 3, …) and snapshots, partitioned by service id.
/// An append names the version it extends, so an activation holding an older journal can never append: the
/// numbers it would write exist already (<see cref="JournalConflictException"/>). Snapshots never truncate the journal.
/// </summary>
public interface IJournalStore
{
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>The newest snapshot of a journal and the entries after it (an empty journal if none was written).</summary>
    Task<StoredJournal> ReadAsync(JournalId journal, CancellationToken cancellationToken);

    /// <summary>Appends <paramref name="entries"/> as numbers <paramref name="expectedVersion"/>+1 onwards, in one transaction with
    /// <paramref name="snapshot"/> if one is given (it must cover no more than the journal holds after this append).</summary>
    /// <exception cref="JournalConflictException">The journal is not at <paramref name="expectedVersion"/>: another activation appended.</exception>
    Task AppendAsync(JournalId journal, long expectedVersion, IReadOnlyList<byte[]> entries, JournalSnapshot? snapshot, CancellationToken cancellationToken);
}

/// <summary>An append found the journal at another version than the writer expected: nothing was written.</summary>
public sealed class JournalConflictException(JournalId journal, long expectedVersion)
    : Exception($"{journal} is not at version {expectedVersion}: another activation appended to it.")
{
    public JournalId Journal { get; } = journal;
}
