using System.Text.Json.Serialization;
using TicketFlow.Domain.Inventory;

namespace TicketFlow.Domain.Purchases;

/// <summary>Seats of one tier in a hold, at the price the catalog asked when the hold was placed.</summary>
/// <param name="Terms">The tier as the catalog knows it: an inventory not configured yet starts from it.</param>
public sealed record HoldLine(string TierId, int Quantity, long PriceMinor, TierTerms Terms);

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
