namespace TicketFlow.Runtime.Storage;

/// <summary>A journal as stored: the newest snapshot (null if none) and the entries after it, in order.</summary>
public sealed record StoredJournal(byte[]? Snapshot, long SnapshotVersion, IReadOnlyList<byte[]> Entries)
{
    public static readonly StoredJournal Empty = new(null, 0, []);

    public long Version => SnapshotVersion + Entries.Count;
}

/// <summary>A journal's state after its first <see cref="Version"/> entries.</summary>
public sealed record JournalSnapshot(long Version, byte[] Payload);
