using System.Text.Json;

namespace TicketFlow.Grains.Inventory;

/// <summary>For auditors: a tier's stored journal entries (as the runtime wrote them) replayed into counts, from the first entry.</summary>
public static class InventoryJournal
{
    public const string GrainType = "EventInventory";
    public const string Name = "inventory";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static InventoryChange Read(byte[] entry) => JsonSerializer.Deserialize<InventoryChange>(entry, Json)!;

    public static Inventory Replay(IEnumerable<byte[]> entries) => Inventory.Restore(null, entries.Select(Read));

    /// <summary>A stored snapshot (tf_journal_snapshot.payload) as the grain wrote it.</summary>
    public static InventorySnapshot ReadSnapshot(byte[] payload) => JsonSerializer.Deserialize<InventorySnapshot>(payload, Json)!;
}
