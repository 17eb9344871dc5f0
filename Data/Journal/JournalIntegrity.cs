namespace TicketFlow.Data.Journal;

internal static class JournalIntegrity
{
    /// <summary>Journals are dense: a gap means lost entries, and replaying around it would silently produce a wrong state.</summary>
    public static void CheckNext(JournalId journal, long previous, long firstSeq, long lastSeq, int entries)
    {
        if (firstSeq != previous + 1) throw new InvalidDataException($"{journal} is missing entries: expected {previous + 1}, found {firstSeq}.");
        if (lastSeq - firstSeq + 1 != entries)
            throw new InvalidDataException($"{journal}: the batch numbered {firstSeq}..{lastSeq} holds {entries} entries.");
    }

    /// <summary>A snapshot stands for entries 1..Version, so it can only cover entries the journal will hold.</summary>
    public static void CheckSnapshot(JournalSnapshot? snapshot, long journalVersionAfterAppend)
    {
        if (snapshot is not null && (snapshot.Version < 1 || snapshot.Version > journalVersionAfterAppend))
            throw new ArgumentOutOfRangeException(nameof(snapshot), snapshot.Version, "A snapshot must cover entries the journal holds.");
    }
}
