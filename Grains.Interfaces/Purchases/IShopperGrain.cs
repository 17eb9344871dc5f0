using TicketFlow.Grains.Inventory;
using TicketFlow.Runtime;

namespace TicketFlow.Grains.Purchases;

/// <summary>
/// One user's holds at one event (key: <see cref="ShopperKey"/>). It serialises that user's requests, so the
/// per-user-per-event limit is exact, and places multi-tier holds all-or-nothing on the tier grains.
/// </summary>
public interface IShopperGrain : IGrainWithStringKey
{
    /// <summary>Holds every line or none; the same hold id again returns the first outcome.</summary>
    Task<PlaceHoldReply> PlaceHold(PlaceHoldRequest request);

    [ReadOnly]
    Task<HoldView?> GetHold(string holdId);

    /// <summary>Returns the seats; null when released, else the problem code (<c>hold_not_found</c>, <c>checkout_in_progress</c>, …).</summary>
    Task<string?> ReleaseHold(string holdId);

    /// <summary>Marks the hold as being checked out (it can no longer be released by the user) and returns it.</summary>
    Task<PlaceHoldReply> BeginCheckout(string holdId);

    /// <summary>Records how the checkout of the hold ended: <c>purchased</c>, <c>released</c> or <c>refunded</c>.</summary>
    Task EndCheckout(string holdId, string state, string? orderId);
}

public static class ShopperKey
{
    public static string For(string eventId, string userId) => $"{eventId}/{userId}";
}

public static class HoldStates
{
    public const string Active = "active";
    public const string Expired = "expired";
    public const string Released = "released";
    public const string Purchased = "purchased";
    public const string Refunded = "refunded";
}

/// <param name="Terms">The tier as the catalog knows it (see <see cref="TierHoldRequest.Terms"/>).</param>
public sealed record HoldLine(string TierId, int Quantity, long PriceMinor, TierTerms Terms);

/// <param name="EventLimit">Seats one user may hold or own at this event, across tiers.</param>
public sealed record PlaceHoldRequest(string HoldId, string EventId, string UserId, IReadOnlyList<HoldLine> Lines, string Currency,
    TimeSpan HoldDuration, int EventLimit);

public sealed record HoldView(string HoldId, string EventId, string UserId, IReadOnlyList<HoldLine> Lines, string Currency,
    DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string State, bool CheckingOut, string? OrderId)
{
    public long TotalMinor => Lines.Sum(l => l.PriceMinor * l.Quantity);
}

/// <param name="Error">Null on success; else a problem code (<c>sold_out</c>, <c>limit_exceeded</c>, <c>event_closed</c>, <c>hold_expired</c>,
/// <c>hold_not_found</c>, <c>hold_already_used</c>, <c>unavailable</c>).</param>
public sealed record PlaceHoldReply(string? Error, HoldView? Hold);
