namespace TicketFlow.Runtime;

/// <summary>
/// Event-sourced grain state: the grain appends entries (what happened) and a write stores only the entries
/// appended since the last one, as one conditional append, plus a snapshot when the grain offers one. Writing
/// costs the size of the change, not of the state, so a hot grain with a large state stays fast. The journal
/// is never truncated: it is the audit trail the state can be recomputed from.
/// </summary>
/// <remarks>Inject with <see cref="PersistentStateAttribute"/> like <see cref="IPersistentState{TState}"/>. Appends are
/// dense and conditional on <see cref="Version"/>: an activation that loaded an older journal cannot append, it is
/// deactivated (<see cref="InconsistentStateException"/>) and the next call reloads.</remarks>
public interface IJournaledState<TSnapshot, TEntry> where TSnapshot : class
{
    /// <summary>Number of durable entries (the sequence number of the last one).</summary>
    long Version { get; }

    /// <summary>Entries appended and not yet durable (being written, or waiting for the next write).</summary>
    int PendingCount { get; }

    /// <summary>Entries covered by the newest snapshot, stored or waiting for the next write (0: none).</summary>
    long SnapshotVersion { get; }

    /// <summary>Rebuilds state from what was loaded on activation (the newest snapshot, null if none, and every entry after
    /// it, in order). The loaded data is dropped afterwards: call once, from <c>OnActivateAsync</c>.</summary>
    TResult Recover<TResult>(Func<TSnapshot?, IReadOnlyList<TEntry>, TResult> rebuild);

    void Append(TEntry entry);

    /// <summary>Stores <paramref name="snapshot"/> with the next write as the state after every entry appended so far
    /// (entries appended later in the same batch stay after it).</summary>
    void SaveSnapshot(TSnapshot snapshot);

    /// <summary>Appends the pending entries (and snapshot) durably; a no-op when nothing is pending.</summary>
    Task WriteStateAsync();
}
