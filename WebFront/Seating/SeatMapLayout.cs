using TicketFlow.WebFront.Catalog;

namespace TicketFlow.WebFront.Seating;

/// <summary>
/// The seat map's layout as <c>GET /events/{id}/seatmap/{layoutVersion}</c> returns it: sections nearest the stage first,
/// rows nearest the stage first, seats in order along the row (the status bitmap's order), each seat with its tier.
/// </summary>
public sealed record SeatMapLayout(string EventId, int LayoutVersion, string? VenueId, string VenueName, IReadOnlyList<SeatMapTier> Tiers,
    IReadOnlyList<SeatMapSection> Sections)
{
    public static SeatMapLayout From(EventDetails details, EventSeatMap map) => new(details.Id, map.LayoutVersion, details.VenueId, details.Venue.Name,
        details.Tiers.Where(t => t.Reserved).Select(t => new SeatMapTier(t.Id, t.Name, t.PriceMinor, t.Currency)).ToList(),
        map.Layout.Sections.Select((section, s) => new SeatMapSection(section.Id, section.Label,
            map.Plans[s].Rows.SelectMany(r => r.Seats).Select(seat => seat.TierId).OfType<string>().Distinct().ToList(),
            section.Rows.Select((row, r) => new SeatMapRow(row.Label, row.Seats.Select((seat, n) => new SeatMapSeat(seat.Id, seat.Number, seat.X, seat.Y,
                seat.Accessible, seat.RestrictedView, map.Plans[s].Rows[r].Seats[n].TierId)).ToList())).ToList())).ToList());
}

public sealed record SeatMapTier(string Id, string Name, long PriceMinor, string Currency);

/// <param name="TierIds">The tiers selling seats here (usually one; a section split by rows has more).</param>
public sealed record SeatMapSection(string Id, string Label, IReadOnlyList<string> TierIds, IReadOnlyList<SeatMapRow> Rows);

public sealed record SeatMapRow(string Label, IReadOnlyList<SeatMapSeat> Seats);

/// <param name="TierId">The tier selling the seat; absent when it is not for sale at this event.</param>
public sealed record SeatMapSeat(string Id, string Number, double? X, double? Y, bool Accessible, bool RestrictedView, string? TierId);
