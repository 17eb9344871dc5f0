using TicketFlow.Domain.Purchases;

namespace TicketFlow.Grains.Purchases;

/// <summary>
/// One user's holds at one event (key: <see cref="ShopperKey"/>). It serialises that user's requests, so the
/// per-user-per-event limit is exact, and places multi-tier holds all-or-nothing on the inventory grains.
/// </summary>
[Alias("TicketFlow.IShopperGrain")]
public interface IShopperGrain : IGrainWithStringKey
{
    /// <summary>Holds every line or none; the same hold id again returns the first outcome.</summary>
    [Alias("PlaceHold")]
    Task<PlaceHoldReply> PlaceHold(PlaceHoldRequest request);

    [ReadOnly, Alias("GetHold")]
    Task<Hold?> GetHold(string holdId);

    /// <summary>Returns the seats; null when released, else the problem code (<c>hold_not_found</c>, <c>checkout_in_progress</c>, …).</summary>
    [Alias("ReleaseHold")]
    Task<string?> ReleaseHold(string holdId);

    /// <summary>Marks the hold as being checked out (it can no longer be released by the user) and returns it.</summary>
    [Alias("BeginCheckout")]
    Task<PlaceHoldReply> BeginCheckout(string holdId);

    /// <summary>Records how the checkout of the hold ended: <c>purchased</c>, <c>released</c>, <c>expired</c> or <c>refunded</c>.</summary>
    [Alias("EndCheckout")]
    Task EndCheckout(string holdId, string state, string? orderId);
}

public static class ShopperKey
{
    public static string For(string eventId, string userId) => $"{eventId}/{userId}";
}

/// <param name="EventLimit">Seats one user may hold or own at this event, across tiers.</param>
[GenerateSerializer, Immutable, Alias("TicketFlow.PlaceHoldRequest")]
public sealed record PlaceHoldRequest(
    [property: Id(0)] string HoldId,
    [property: Id(1)] string EventId,
    [property: Id(2)] string UserId,
    [property: Id(3)] IReadOnlyList<HoldLine> Lines,
    [property: Id(4)] string Currency,
    [property: Id(5)] TimeSpan HoldDuration,
    [property: Id(6)] int EventLimit);

/// <param name="Error">Null on success; else a problem code (<c>sold_out</c>, <c>seat_taken</c>, <c>not_together</c>, <c>limit_exceeded</c>, <c>event_closed</c>, <c>hold_expired</c>,
/// <c>hold_not_found</c>, <c>hold_already_used</c>, <c>unavailable</c>).</param>
[GenerateSerializer, Immutable, Alias("TicketFlow.PlaceHoldReply")]
/// <param name="SeatIds">With <c>seat_taken</c> (and the other seat refusals): the seats it is about.</param>
public sealed record PlaceHoldReply([property: Id(0)] string? Error, [property: Id(1)] Hold? Hold, [property: Id(2)] IReadOnlyList<string>? SeatIds = null);
