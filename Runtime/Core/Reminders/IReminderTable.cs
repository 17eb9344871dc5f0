namespace TicketFlow.Runtime.Reminders;

/// <summary>A durable reminder row. Times are whole milliseconds since the Unix epoch.</summary>
public sealed record ReminderEntry(string GrainType, string GrainKey, string Name, long DueAtMs, long PeriodMs)
{
    public DateTimeOffset DueAt => DateTimeOffset.FromUnixTimeMilliseconds(DueAtMs);
    public TimeSpan Period => TimeSpan.FromMilliseconds(PeriodMs);
}

/// <summary>Where reminders live: the same database as grain state.</summary>
public interface IReminderTable
{
    Task InitializeAsync(CancellationToken cancellationToken);

    Task UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken);

    Task<bool> RemoveAsync(string grainType, string grainKey, string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<ReminderEntry>> ReadForGrainAsync(string grainType, string grainKey, CancellationToken cancellationToken);

    /// <summary>Reminders due at or before <paramref name="untilMs"/>, earliest first.</summary>
    Task<IReadOnlyList<ReminderEntry>> ReadDueAsync(long untilMs, int limit, CancellationToken cancellationToken);

    /// <summary>Moves the reminder to its next due time, only if nobody moved or replaced it since it was read.</summary>
    Task<bool> AdvanceAsync(ReminderEntry fired, long nextDueAtMs, CancellationToken cancellationToken);
}
