using TicketFlow.Data.Journal;
using TicketFlow.Domain.Seating;
using TicketFlow.Grains.Journaling;

namespace TicketFlow.Grains.Seating;

/// <summary>How a section's journal is named and read: for the grain, and for auditors replaying it from its first entry.</summary>
public static class SeatJournal
{
    /// <summary>The Orleans grain type of <see cref="SeatSectionGrain"/>: decided once, it names stored journals and reminders.</summary>
    public const string GrainType = "seat-section";
    public const string Name = "seats";

    public static JournalId For(string sectionKey) => new(GrainType, sectionKey, Name);

    public static SectionEvent Read(byte[] entry) => JournalFormat.Entry<SectionEvent>(entry);

    public static SectionSeats Replay(IEnumerable<byte[]> entries) => SectionSeats.Restore(null, entries.Select(Read));

    public static SectionSnapshot ReadSnapshot(byte[] payload) => JournalFormat.Snapshot<SectionSnapshot>(payload);
}
