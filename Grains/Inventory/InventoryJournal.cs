using TicketFlow.Data.Journal;
using TicketFlow.Grains.Journaling;

namespace TicketFlow.Grains.Inventory;

// The state machine shares its name with this folder's namespace; inside it, "Inventory" means the machine.
using Inventory = TicketFlow.Domain.Inventory.Inventory;

/// <summary>How a tier's journal is named and read: for the grain, and for auditors replaying it from its first entry.</summary>
public static class InventoryJournal
{
    /// <summary>The Orleans grain type of <see cref="EventInventoryGrain"/>: decided once, it names stored journals and reminders.</summary>
    public const string GrainType = "event-inventory";
    public const string Name = "inventory";

    public static JournalId For(string tierKey) => new(GrainType, tierKey, Name);

    public static InventoryEvent Read(byte[] entry) => JournalFormat.Entry<InventoryEvent>(entry);

    public static Inventory Replay(IEnumerable<byte[]> entries) => Inventory.Restore(null, entries.Select(Read));

    /// <summary>A stored snapshot (tf_journal_snapshot.payload) as the grain wrote it.</summary>
    public static InventorySnapshot ReadSnapshot(byte[] payload) => JournalFormat.Snapshot<InventorySnapshot>(payload);
}
