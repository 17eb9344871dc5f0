namespace TicketFlow.Domain.Seating;

/// <summary>
/// One section of an event as its seat grain knows it: every seat in layout order (row by row, the order of the status
/// bitmap) with the tier that sells it (null: not for sale at this event). Stored as the first entry of the section's
/// journal, so the journal alone replays to the seat states.
/// </summary>
public sealed record SectionPlan(string SectionId, string Label, IReadOnlyList<PlanRow> Rows)
{
    public int SeatCount => Rows.Sum(r => r.Seats.Count);

    /// <summary>The section of <paramref name="layout"/> with the tiers the event's <paramref name="seating"/> gives its rows.</summary>
    public static SectionPlan For(LayoutSection section, IEnumerable<SectionTier> seating)
    {
        var tierOfRow = new string?[section.Rows.Count];
        foreach (var entry in seating.Where(e => e.SectionId == section.Id))
        {
            var (from, to) = LayoutRules.RowRange(section, entry);
            for (var r = Math.Max(from, 0); r <= to; r++) tierOfRow[r] = entry.TierId;
        }
        return new SectionPlan(section.Id, section.Label, section.Rows.Select((row, r) =>
            new PlanRow(row.Label, row.Seats.Select(seat => new PlanSeat(seat.Id, seat.Number, tierOfRow[r])).ToList())).ToList());
    }
}

public sealed record PlanRow(string Label, IReadOnlyList<PlanSeat> Seats);

public sealed record PlanSeat(string Id, string Number, string? TierId);

/// <summary>A seat as a hold, a ticket and the API name it: its id and its labels.</summary>
public sealed record HeldSeat(string Id, string SectionId, string Section, string Row, string Number);

/// <summary>A seat's state as the status bitmap carries it (2 bits per seat).</summary>
public static class SeatState
{
    public const byte Free = 0;
    public const byte Held = 1;
    public const byte Sold = 2;
    /// <summary>Not sold at this event (no tier maps its row), or the section is closed.</summary>
    public const byte Unavailable = 3;

    public static string Name(byte state) => state switch { Free => "free", Held => "held", Sold => "sold", _ => "unavailable" };
}

/// <summary>The status bitmap: 2 bits per seat in layout order, four seats a byte, the first seat in the lowest bits.</summary>
public static class SeatBits
{
    public static byte[] Pack(ReadOnlySpan<byte> states)
    {
        var packed = new byte[(states.Length + 3) / 4];
        for (var i = 0; i < states.Length; i++) packed[i >> 2] |= (byte)((states[i] & 3) << ((i & 3) * 2));
        return packed;
    }

    public static byte StateAt(ReadOnlySpan<byte> packed, int seat) => (byte)((packed[seat >> 2] >> ((seat & 3) * 2)) & 3);

    /// <summary>Applies one seat's new state to a packed bitmap in place.</summary>
    public static void Set(Span<byte> packed, int seat, byte state)
    {
        var shift = (seat & 3) * 2;
        packed[seat >> 2] = (byte)((packed[seat >> 2] & ~(3 << shift)) | ((state & 3) << shift));
    }
}
