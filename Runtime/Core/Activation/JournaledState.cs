using System.Text.Json;
using TicketFlow.Runtime.Storage;

namespace TicketFlow.Runtime.Activation;

/// <summary>
/// A grain's journal. Entries are serialized when appended (inside the turn), written as one conditional append;
/// a failed append deactivates the activation like a failed state write, so memory never runs ahead of storage for long.
/// </summary>
internal sealed class JournaledState<TSnapshot, TEntry>(string journalName, ActivationData activation, IGrainStorage storage, JsonSerializerOptions json)
    : IJournaledState<TSnapshot, TEntry>, IStateBinding where TSnapshot : class
{
    private List<byte[]> pending = [];
    private JournalSnapshot? pendingSnapshot;
    private StoredJournal? loaded;

    public long Version { get; private set; }

    public int PendingCount => inFlight + pending.Count;

    public long SnapshotVersion => pendingSnapshot?.Version ?? storedSnapshotVersion;

    private long storedSnapshotVersion;

    public async Task ReadStateAsync()
    {
        activation.ThrowIfTerminated();
        loaded = await storage.ReadJournalAsync(activation.GrainType, activation.Key, journalName, CancellationToken.None);
        Version = loaded.Version;
        storedSnapshotVersion = loaded.SnapshotVersion;
        pending = [];
        pendingSnapshot = null;
    }

    public TResult Recover<TResult>(Func<TSnapshot?, IReadOnlyList<TEntry>, TResult> rebuild)
    {
        var journal = loaded ?? throw new InvalidOperationException("The journal was not loaded, or was already recovered.");
        loaded = null;
        var snapshot = journal.Snapshot is null ? null : JsonSerializer.Deserialize<TSnapshot>(journal.Snapshot, json);
        var entries = journal.Entries.Select(e => JsonSerializer.Deserialize<TEntry>(e, json)!).ToList();
        return rebuild(snapshot, entries);
    }

    public void Append(TEntry entry) => pending.Add(JsonSerializer.SerializeToUtf8Bytes(entry, json));

    // Entries being written now: the next batch may form (and snapshot) while the previous one is in flight.
    private int inFlight;

    public void SaveSnapshot(TSnapshot snapshot) =>
        pendingSnapshot = new JournalSnapshot(Version + inFlight + pending.Count, JsonSerializer.SerializeToUtf8Bytes(snapshot, json));

    public async Task WriteStateAsync()
    {
        activation.ThrowIfTerminated();
        // A snapshot rides on an append, whose numbers prove this activation is current; alone it waits for the next one.
        if (pending.Count == 0) return;
        var entries = pending;
        var snapshot = pendingSnapshot;
        pending = [];
        pendingSnapshot = null;
        inFlight = entries.Count;
        try
        {
            await storage.AppendJournalAsync(activation.GrainType, activation.Key, journalName, Version, entries, snapshot, CancellationToken.None);
        }
        catch (InconsistentStateException)
        {
            activation.Deactivate(DeactivationReason.StateConflict);
            throw;
        }
        catch
        {
            activation.Deactivate(DeactivationReason.WriteFailed);
            throw;
        }
        Version += entries.Count;
        inFlight = 0;
        if (snapshot is not null) storedSnapshotVersion = snapshot.Version;
    }
}
