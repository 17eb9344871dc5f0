namespace TicketFlow.Domain.Seating;

/// <summary>
/// A venue's seats, one version of them: sections → rows → seats. Sections and rows are listed nearest the stage first
/// (the order best-available follows); seats along a row in physical order (neighbours in the list sit side by side).
/// Seat ids are opaque and unique in the layout: nothing ever parses a label or an id.
/// </summary>
public sealed record VenueLayout(IReadOnlyList<LayoutSection> Sections)
{
    public int SeatCount => Sections.Sum(s => s.SeatCount);
}

public sealed record LayoutSection(string Id, string Label, IReadOnlyList<LayoutRow> Rows)
{
    public int SeatCount => Rows.Sum(r => r.Seats.Count);
}

public sealed record LayoutRow(string Label, IReadOnlyList<LayoutSeat> Seats);

/// <param name="Number">The seat's label as printed on it ("12", "12a"); any characters.</param>
/// <param name="X">Where to draw it (optional; the seat map lays out rows itself without coordinates).</param>
public sealed record LayoutSeat(string Id, string Number, double? X = null, double? Y = null, bool Accessible = false, bool RestrictedView = false);

/// <summary>An event's seating: which tier sells a section (or the rows <paramref name="FromRow"/>..<paramref name="ToRow"/> of it, by
/// row label, inclusive, in layout order).</summary>
public sealed record SectionTier(string SectionId, string TierId, string? FromRow = null, string? ToRow = null);
