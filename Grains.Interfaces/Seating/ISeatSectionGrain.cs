using TicketFlow.Domain.Seating;
using TicketFlow.Grains.Inventory;

namespace TicketFlow.Grains.Seating;

/// <summary>
/// The seats of one section of one event (key: <see cref="SectionKey"/>): which hold holds or bought each seat. The same
/// protocol as a tier's inventory grain (hold, release, confirm, refund, keyed by hold id and safe to repeat), the same
/// group commit: a change is acknowledged only once durable; deltas reach watchers only once durable.
/// </summary>
[Alias("TicketFlow.ISeatSectionGrain")]
public interface ISeatSectionGrain : IGrainWithStringKey
{
    /// <summary>Sets the section up for its event (its seats and the tier of each); later calls change nothing.</summary>
    [Alias("Configure")]
    Task<SectionStatus> Configure(SectionPlan plan);

    /// <summary>Holds exact seats or the best available; the same hold id again returns the seats it holds.</summary>
    [Alias("Hold")]
    Task<SeatHoldReply> Hold(SeatHoldRequest request);

    [Alias("Release")]
    Task<bool> Release(string holdId);

    [Alias("Confirm")]
    Task<ConfirmReply> Confirm(string holdId);

    /// <summary>Every seat of the hold's sale back on sale; false if it never sold here.</summary>
    [Alias("Refund")]
    Task<bool> Refund(string holdId);

    /// <summary>These sold seats of the hold back on sale under one refund id; refunding again changes nothing.</summary>
    [Alias("RefundSeats")]
    Task<bool> RefundSeats(string holdId, string refundId, IReadOnlyList<string> seatIds);

    /// <summary>No more holds (event cancelled); held and sold seats stay until released or refunded.</summary>
    [Alias("Close")]
    Task<SectionStatus> Close();

    /// <summary>Every seat's state (the 2-bit bitmap) and the tiers' counts here, as of the journal version it carries.</summary>
    [Alias("GetStatus")]
    Task<SectionStatus> GetStatus();

    /// <summary>The status and what happened to each tier's holds here (the admin's sales board).</summary>
    [Alias("GetStatistics")]
    Task<SectionStatistics> GetStatistics();

    /// <summary>Subscribes <paramref name="watcher"/> to this section's seat changes (or renews it) and returns the status now.</summary>
    [Alias("Watch")]
    Task<SectionStatus> Watch(ISeatMapObserver watcher);
}

/// <summary>Receives a section's seat changes (coalesced to at most one message per 100 ms), once durable.</summary>
[Alias("TicketFlow.ISeatMapObserver")]
public interface ISeatMapObserver : IGrainObserver
{
    [OneWay, Alias("SeatsChanged")]
    Task SeatsChanged(SeatDelta delta);
}

public static class SectionKey
{
    public static string For(string eventId, string sectionId) => $"{eventId}/{sectionId}";

    /// <summary>Event ids never contain a slash; a section id after it is taken whole.</summary>
    public static (string EventId, string SectionId) Parse(string key)
    {
        var slash = key.IndexOf('/');
        return slash < 0 ? (key, "") : (key[..slash], key[(slash + 1)..]);
    }
}

/// <param name="SeatIds">Exact seats; null (or empty) for the best available <paramref name="Quantity"/>.</param>
/// <param name="Together">With best available: adjacent in one row, or <c>not_together</c>.</param>
[GenerateSerializer, Immutable, Alias("TicketFlow.SeatHoldRequest")]
public sealed record SeatHoldRequest(
    [property: Id(0)] string HoldId,
    [property: Id(1)] string UserId,
    [property: Id(2)] string TierId,
    [property: Id(3)] IReadOnlyList<string>? SeatIds,
    [property: Id(4)] int Quantity,
    [property: Id(5)] bool Together,
    [property: Id(6)] DateTimeOffset ExpiresAt);

/// <param name="Error">Null when held; else a problem code (<c>seat_taken</c>, <c>sold_out</c>, <c>not_together</c>, …).</param>
/// <param name="SeatIds">The seats a refusal is about (taken, unknown, or of another tier).</param>
/// <param name="FreeOfTier">Free seats of the tier in this section after the call (how many a split may take here).</param>
[GenerateSerializer, Immutable, Alias("TicketFlow.SeatHoldReply")]
public sealed record SeatHoldReply(
    [property: Id(0)] string? Error,
    [property: Id(1)] IReadOnlyList<HeldSeat> Seats,
    [property: Id(2)] IReadOnlyList<string> SeatIds,
    [property: Id(3)] int FreeOfTier)
{
    public bool Granted => Error is null;
}

/// <param name="Version">The section journal's length when this was read: deltas after it carry higher versions.</param>
/// <param name="Bits">2 bits per seat in layout order (<see cref="SeatBits"/>).</param>
[GenerateSerializer, Immutable, Alias("TicketFlow.SectionStatus")]
public sealed record SectionStatus(
    [property: Id(0)] string EventId,
    [property: Id(1)] string SectionId,
    [property: Id(2)] long Version,
    [property: Id(3)] byte[] Bits,
    [property: Id(4)] IReadOnlyList<SectionTierCounts> Tiers,
    [property: Id(5)] DateTimeOffset AsOf);

/// <summary>What changed in a section between two journal versions: each changed seat (by index) and its state now.</summary>
/// <param name="FromVersion">The version the previous delta (or the status) ended at: a watcher holding another version missed something and reloads.</param>
[GenerateSerializer, Immutable, Alias("TicketFlow.SeatDelta")]
public sealed record SeatDelta(
    [property: Id(0)] string EventId,
    [property: Id(1)] string SectionId,
    [property: Id(2)] long FromVersion,
    [property: Id(3)] long Version,
    [property: Id(4)] int[] Seats,
    [property: Id(5)] byte[] States,
    [property: Id(6)] IReadOnlyList<SectionTierCounts> Tiers,
    [property: Id(7)] DateTimeOffset AsOf);

[GenerateSerializer, Immutable, Alias("TicketFlow.SectionStatistics")]
public sealed record SectionStatistics([property: Id(0)] SectionStatus Status, [property: Id(1)] IReadOnlyList<TierActivity> Tiers);

[GenerateSerializer, Immutable, Alias("TicketFlow.TierActivity")]
public sealed record TierActivity(
    [property: Id(0)] string TierId,
    [property: Id(1)] long HoldsPlaced,
    [property: Id(2)] long HoldsReleased,
    [property: Id(3)] long HoldsExpired,
    [property: Id(4)] long HoldsSold,
    [property: Id(5)] long Refunds);
