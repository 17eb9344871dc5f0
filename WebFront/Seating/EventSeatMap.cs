using TicketFlow.Domain.Seating;
using TicketFlow.WebFront.Catalog;

namespace TicketFlow.WebFront.Seating;

/// <summary>
/// An event's seat map in memory: its layout version with the tier of every seat, the section grains' plans, and a
/// lookup from a seat id to its section and position (a hold names seats by id; nothing parses them). Immutable: built
/// once per event and layout version.
/// </summary>
public sealed class EventSeatMap
{
    private readonly Dictionary<string, (int Section, int Seat, string? TierId)> seats = new(StringComparer.Ordinal);

    public EventSeatMap(EventDetails details, VenueLayout layout)
    {
        EventId = details.Id;
        LayoutVersion = details.LayoutVersion!.Value;
        Layout = layout;
        var seating = details.Seating ?? [];
        Plans = layout.Sections.Select(section => SectionPlan.For(section, seating)).ToList();
        for (var s = 0; s < Plans.Count; s++)
        {
            var index = 0;
            foreach (var seat in Plans[s].Rows.SelectMany(r => r.Seats)) seats[seat.Id] = (s, index++, seat.TierId);
        }
        SectionsOfTier = details.Tiers.Where(t => t.Reserved).ToDictionary(t => t.Id,
            t => (IReadOnlyList<string>)Plans.Where(p => p.Rows.Any(r => r.Seats.Any(seat => seat.TierId == t.Id))).Select(p => p.SectionId).ToList());
    }

    public string EventId { get; }
    public int LayoutVersion { get; }
    public VenueLayout Layout { get; }

    /// <summary>Every section as its grain is configured, in layout order (nearest the stage first).</summary>
    public IReadOnlyList<SectionPlan> Plans { get; }

    /// <summary>Each reserved tier's sections, nearest the stage first.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> SectionsOfTier { get; }

    public int SeatCount => seats.Count;

    /// <summary>The seat's section plan and its index there (the bit position in the status); false for an unknown id.</summary>
    public bool TryFind(string seatId, out SectionPlan section, out int index)
    {
        if (seats.TryGetValue(seatId, out var at))
        {
            (section, index) = (Plans[at.Section], at.Seat);
            return true;
        }
        (section, index) = (null!, -1);
        return false;
    }

    /// <summary>The tier that sells the seat (null: not sold at this event).</summary>
    public string? TierOf(string seatId) => seats.TryGetValue(seatId, out var at) ? at.TierId : null;
}
