using System.Text.Json.Serialization;
using TicketFlow.Domain.Inventory;
using TicketFlow.Domain.Seating;

namespace TicketFlow.Domain.Purchases;

/// <summary>Seats of one tier in a hold, at the price the catalog asked when the hold was placed.</summary>
/// <param name="Terms">The tier as the catalog knows it: an inventory not configured yet starts from it.</param>
/// <param name="Seats">A reserved tier's seats, once held (one per <paramref name="Quantity"/>); null for general admission.</param>
/// <param name="Choice">How a reserved tier's seats are to be chosen (the request; null once held and for general admission).</param>
public sealed record HoldLine(string TierId, int Quantity, long PriceMinor, TierTerms Terms, IReadOnlyList<HeldSeat>? Seats = null, SeatChoice? Choice = null)
{
    /// <summary>Sold by seat (section grains), not by count (the tier's inventory grain).</summary>
    [JsonIgnore]
    public bool IsReserved => Seats is not null || Choice is not null;

    /// <summary>The sections whose grains hold this line's seats.</summary>
    [JsonIgnore]
    public IEnumerable<string> Sections => Seats?.Select(s => s.SectionId).Distinct() ?? [];
}

/// <summary>
/// How a reserved line's seats are chosen: exactly these seats (per section), or the best available of the tier, trying
/// <paramref name="Candidates"/> (its sections, nearest the stage first) in order.
/// </summary>
/// <param name="Together">Adjacent seats in one row, or nothing (<c>not_together</c>).</param>
public sealed record SeatChoice(IReadOnlyList<SectionSeatIds> Exact, IReadOnlyList<string> Candidates, bool Together);

public sealed record SectionSeatIds(string SectionId, IReadOnlyList<string> SeatIds);

/// <summary>
/// A hold as its shopper keeps it: what the API shows, and the stored form (the shopper grain's state is a map of these,
/// as JSON, so property names are the stored names).
/// </summary>
/// <param name="CheckingOut">A checkout saga owns the hold: the user can no longer release it, and it does not expire by the clock.</param>
public sealed record Hold(
    string HoldId,
    string EventId,
    string UserId,
    IReadOnlyList<HoldLine> Lines,
    string Currency,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    string State,
    bool CheckingOut,
    string? OrderId)
{
    [JsonIgnore]
    public long TotalMinor => Lines.Sum(l => l.PriceMinor * l.Quantity);

    [JsonIgnore]
    public int Seats => Lines.Sum(l => l.Quantity);
}

/// <summary>A hold's states as stored and shown by the API.</summary>
public static class HoldStates
{
    public const string Active = "active";
    public const string Expired = "expired";
    public const string Released = "released";
    public const string Purchased = "purchased";
    public const string Refunded = "refunded";
}
