using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Orleans.Storage;
using TicketFlow.Data.Journal;

namespace TicketFlow.Grains.Journaling;

/// <summary>
/// Group commit for a journaled grain (Orleans has none): many calls share one conditional journal append, and no call
/// is answered before everything it saw is durable.
/// </summary>
/// <remarks>
/// The grain is <c>[Reentrant]</c>. A call decides on the in-memory state machine (synchronously), then returns
/// <see cref="Acknowledge{T}"/>: the state machine's new entries join the batch that is forming, and the reply is released
/// only when the journal holds every entry applied up to that moment, its own and those it may have read. A call that
/// changed nothing but read uncommitted state waits too, so nothing that is not durable ever leaves the grain. While one
/// batch is appended the next one forms; appends run one at a time on the activation's scheduler (Orleans'
/// <see cref="BatchWorker"/>). An append that fails or conflicts fails every call waiting for it or for the batch after it
/// (they saw state that is not stored), refuses every later call, and deactivates the activation: the next call reloads
/// from the journal. A conflict means nothing was stored (<see cref="InconsistentStateException"/>); any other failure may
/// or may not have stored the batch (<see cref="StorageWriteFailedException"/>).
/// </remarks>
public sealed class GroupCommit<TEntry> : BatchWorker where TEntry : class
{
    private static readonly Meter Meter = new("TicketFlow.Journal");
    private static readonly Counter<long> Appends = Meter.CreateCounter<long>("ticketflow_journal_appends_total", description: "Journal appends (group commits), by grain type.");
    private static readonly Counter<long> Entries = Meter.CreateCounter<long>("ticketflow_journal_entries_total", description: "Journal entries appended, by grain type.");

    private readonly IJournalStore store;
    private readonly JournalId journal;
    private readonly IGrainContext grain;
    private readonly Func<IReadOnlyList<TEntry>> takeChanges;
    private readonly Func<long, object?> snapshotIfDue;
    private readonly Action<IReadOnlyList<TEntry>>? onDurable;
    private readonly ILogger logger;
    private List<TEntry> pending = [];
    private TaskCompletionSource forming = new(); // completes when the batch now forming (pending) is stored
    private TaskCompletionSource? inFlight; // completes when the batch being appended is stored; null when none is
    private Exception? failure;

    /// <param name="version">Entries the journal held when the state was loaded.</param>
    /// <param name="snapshotVersion">Entries the newest stored snapshot covers.</param>
    /// <param name="takeChanges">The state machine's entries since the last call, in order.</param>
    /// <param name="snapshotIfDue">Given the entries since the last snapshot, a snapshot of the state now, or null; called when a batch
    /// is cut, when the state is exactly the one after the batch.</param>
    /// <param name="onDurable">Called with each batch once it is stored (metrics, change notifications).</param>
    public GroupCommit(IJournalStore store, JournalId journal, long version, long snapshotVersion, IGrainContext grain,
        Func<IReadOnlyList<TEntry>> takeChanges, Func<long, object?> snapshotIfDue, ILogger logger, Action<IReadOnlyList<TEntry>>? onDurable = null)
    {
        (this.store, this.journal, this.grain, this.takeChanges, this.snapshotIfDue, this.logger, this.onDurable) =
            (store, journal, grain, takeChanges, snapshotIfDue, logger, onDurable);
        Version = version;
        SnapshotVersion = snapshotVersion;
    }

    /// <summary>Entries the journal holds (durable).</summary>
    public long Version { get; private set; }

    /// <summary>Entries the newest stored snapshot covers.</summary>
    public long SnapshotVersion { get; private set; }

    /// <summary>Entries applied in memory and not yet durable (being appended, or waiting for the next append).</summary>
    public long Uncommitted { get; private set; }

    /// <summary>
    /// Journals what the state machine changed and returns <paramref name="reply"/> once every entry applied so far is durable.
    /// Call it at the end of every grain call that read or changed the state, after the (synchronous) decision.
    /// </summary>
    public Task<T> Acknowledge<T>(T reply)
    {
        if (failure is not null) return Task.FromException<T>(failure);
        var changes = takeChanges();
        if (changes.Count > 0)
        {
            pending.AddRange(changes);
            Uncommitted += changes.Count;
            Notify();
        }
        // What this call saw: the batch forming if anything is pending, else the one in flight, else only durable state.
        var durable = pending.Count > 0 ? forming.Task : inFlight?.Task;
        return durable is null ? Task.FromResult(reply) : After(durable, reply);
    }

    /// <summary>Completes once everything applied so far is durable (or fails with the append that failed).</summary>
    public Task WhenDurable() => Acknowledge(true);

    protected override async Task Work()
    {
        if (failure is not null || pending.Count == 0) return;
        // Everything pending goes: the state in memory is now exactly the state after this batch, so a snapshot taken here matches it.
        var batch = pending;
        pending = [];
        inFlight = forming;
        forming = new TaskCompletionSource();
        var expected = Version;
        var snapshot = snapshotIfDue(expected + batch.Count - SnapshotVersion) is { } state
            ? new JournalSnapshot(expected + batch.Count, JournalFormat.SerializeSnapshot(state))
            : null;
        try
        {
            await store.AppendAsync(journal, expected, batch.Select(JournalFormat.Serialize).ToArray(), snapshot, CancellationToken.None);
        }
        catch (Exception error)
        {
            Fail(error, batch.Count);
            return;
        }
        Version = expected + batch.Count;
        Uncommitted -= batch.Count;
        if (snapshot is not null) SnapshotVersion = snapshot.Version;
        Appends.Add(1, new KeyValuePair<string, object?>("grain", journal.GrainType));
        Entries.Add(batch.Count, new KeyValuePair<string, object?>("grain", journal.GrainType));
        onDurable?.Invoke(batch);
        var stored = inFlight;
        inFlight = null;
        stored.SetResult(); // the batch's callers continue on this activation, one after another
    }

    private void Fail(Exception error, int entries)
    {
        failure = error is JournalConflictException
            ? new InconsistentStateException($"{journal}: another activation appended first; this one was stale and reloads. Nothing of this call was stored.", error)
            : new StorageWriteFailedException($"{journal}: the append of {entries} entries failed ({error.GetBaseException().Message}); it may or may not be stored. The activation reloads; retry with the same idempotency key.");
        logger.LogWarning(error, "{GrainType} {GrainKey}: journal append at version {Version} failed; its calls and those after it fail and the activation reloads",
            journal.GrainType, journal.Key, Version);
        pending = [];
        inFlight?.TrySetException(failure);
        forming.TrySetException(failure);
        // The reason carries the callers' exception: Orleans may answer requests still queued here with it.
        grain.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationError, failure, "A journal append failed: memory may be ahead of storage."));
    }

    // Runs where the batch completes, inline: no scheduling per caller, and it touches nothing but the reply.
    private static Task<T> After<T>(Task durable, T reply) => durable.ContinueWith(
        static (stored, reply) =>
        {
            stored.GetAwaiter().GetResult(); // the append's failure, as thrown
            return (T)reply!;
        },
        reply, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
