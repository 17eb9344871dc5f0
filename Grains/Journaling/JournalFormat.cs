using System.Text.Json;
using TicketFlow.Data.Journal;

namespace TicketFlow.Grains.Journaling;

/// <summary>
/// How journal entries and snapshots are stored: System.Text.Json, web defaults. Entry types carry a stable
/// discriminator (<c>[JsonDerivedType(typeof(HoldPlaced), "HoldPlaced")]</c>), never a .NET type name, so renaming a
/// class does not orphan what is stored; the auditor reads the journal with the same format.
/// </summary>
public static class JournalFormat
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static byte[] Serialize<TEntry>(TEntry entry) where TEntry : class => JsonSerializer.SerializeToUtf8Bytes(entry, Json);

    public static byte[] SerializeSnapshot(object snapshot) => JsonSerializer.SerializeToUtf8Bytes(snapshot, snapshot.GetType(), Json);

    public static TEntry Entry<TEntry>(byte[] entry) where TEntry : class =>
        JsonSerializer.Deserialize<TEntry>(entry, Json) ?? throw new InvalidDataException("A journal entry is null.");

    public static TSnapshot Snapshot<TSnapshot>(byte[] payload) where TSnapshot : class =>
        JsonSerializer.Deserialize<TSnapshot>(payload, Json) ?? throw new InvalidDataException("A journal snapshot is null.");

    /// <summary>The stored snapshot (null if none) and the entries after it, as the state machine's types.</summary>
    public static (TSnapshot? Snapshot, IReadOnlyList<TEntry> Entries) Read<TSnapshot, TEntry>(StoredJournal stored)
        where TSnapshot : class where TEntry : class =>
        (stored.Snapshot is null ? null : Snapshot<TSnapshot>(stored.Snapshot), stored.Entries.Select(Entry<TEntry>).ToList());
}
