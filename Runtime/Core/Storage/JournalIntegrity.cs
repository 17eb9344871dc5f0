namespace TicketFlow.Runtime.Storage;

internal static class JournalIntegrity
{
    /// <summary>Journals are dense: a gap means lost entries, and replaying around it would silently produce a wrong state.</summary>
    public static void CheckNext(string grainType, string key, string journal, long previous, long seq)
    {
        if (seq != previous + 1)
            throw new InvalidOperationException($"{grainType}/{key} journal '{journal}' is missing entries: expected {previous + 1}, found {seq}.");
    }
}
