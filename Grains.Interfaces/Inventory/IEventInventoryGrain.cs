namespace TicketFlow.Grains.Inventory;

/// <summary>
/// The authoritative seat counts of one ticket tier (key: <see cref="TierKey"/>). Changes are acknowledged only once
/// durable, many calls sharing one journal append (group commit); counts reach watchers only once durable.
/// </summary>
[Alias("TicketFlow.IEventInventoryGrain")]
public interface IEventInventoryGrain : IGrainWithStringKey
{
    /// <summary>Takes the catalog's current terms: creates the tier's inventory, grows its capacity (it never shrinks), and sets
    /// its per-user limit, lower or higher (seats already held or sold stay).</summary>
    [Alias("Configure")]
    Task<TierCounts> Configure(TierTerms terms);

    /// <summary>Catches up with terms that may be a cached, older copy: creates the inventory or grows its capacity; keeps the limit.</summary>
    [Alias("CatchUp")]
    Task<TierCounts> CatchUp(TierTerms terms);

    /// <summary>Holds seats; the same hold id again returns the first outcome (retries are safe).</summary>
    [Alias("Hold")]
    Task<TierHoldReply> Hold(TierHoldRequest request);

    /// <summary>Returns a held (not yet sold) hold's seats; false if it was not active.</summary>
    [Alias("Release")]
    Task<bool> Release(string holdId);

    /// <summary>Sells a held hold's seats; confirming a sold hold again succeeds.</summary>
    [Alias("Confirm")]
    Task<ConfirmReply> Confirm(string holdId);

    /// <summary>Returns a sold hold's seats to sale; refunding again changes nothing.</summary>
    [Alias("Refund")]
    Task<bool> Refund(string holdId);

    /// <summary>Returns <paramref name="quantity"/> of a sold hold's seats to sale under one refund id; refunding again changes nothing.</summary>
    [Alias("RefundSeats")]
    Task<bool> RefundSeats(string holdId, string refundId, int quantity);

    /// <summary>No more holds (event cancelled); held and sold seats stay until released or refunded.</summary>
    [Alias("Close")]
    Task<TierCounts> Close();

    [Alias("GetCounts")]
    Task<TierCounts> GetCounts();

    [Alias("GetStatistics")]
    Task<TierStatistics> GetStatistics();

    /// <summary>Subscribes <paramref name="watcher"/> to this tier's counts (or renews its subscription) and returns them now.</summary>
    /// <remarks>A subscription lapses unless renewed (<see cref="AvailabilityWatch.Lifetime"/>), and with the activation: watchers renew.</remarks>
    [Alias("Watch")]
    Task<TierCounts> Watch(IAvailabilityObserver watcher);
}

/// <summary>Receives a tier's counts whenever they change (coalesced to at most one message per 100 ms), once durable.</summary>
[Alias("TicketFlow.IAvailabilityObserver")]
public interface IAvailabilityObserver : IGrainObserver
{
    [OneWay, Alias("CountsChanged")]
    Task CountsChanged(TierCounts counts);
}

public static class AvailabilityWatch
{
    /// <summary>How long a tier keeps a watcher that does not renew.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);
}

public static class TierKey
{
    public static string For(string eventId, string tierId) => $"{eventId}/{tierId}";

    public static (string EventId, string TierId) Parse(string key)
    {
        var slash = key.IndexOf('/');
        return slash < 0 ? (key, "") : (key[..slash], key[(slash + 1)..]);
    }
}

/// <param name="Terms">The tier as the catalog knows it (maybe cached): an inventory not configured yet starts from it, a larger
/// capacity grows it; its per-user limit is ignored otherwise (<see cref="IEventInventoryGrain.Configure"/> sets that).</param>
[GenerateSerializer, Immutable, Alias("TicketFlow.TierHoldRequest")]
public sealed record TierHoldRequest(
    [property: Id(0)] string HoldId,
    [property: Id(1)] string UserId,
    [property: Id(2)] int Quantity,
    [property: Id(3)] DateTimeOffset ExpiresAt,
    [property: Id(4)] TierTerms Terms);

/// <param name="Error">Null when granted; else a problem code: <c>sold_out</c>, <c>limit_exceeded</c>, <c>event_closed</c>, <c>hold_already_used</c>.</param>
[GenerateSerializer, Immutable, Alias("TicketFlow.TierHoldReply")]
public sealed record TierHoldReply([property: Id(0)] string? Error, [property: Id(1)] TierCounts Counts)
{
    public bool Granted => Error is null;
}

/// <param name="Error">Null when sold; else <c>hold_expired</c> (the hold is gone: expired or released) or <c>event_closed</c>.</param>
[GenerateSerializer, Immutable, Alias("TicketFlow.ConfirmReply")]
public sealed record ConfirmReply([property: Id(0)] string? Error)
{
    public bool Confirmed => Error is null;
}

[GenerateSerializer, Immutable, Alias("TicketFlow.TierCounts")]
public sealed record TierCounts(
    [property: Id(0)] string EventId,
    [property: Id(1)] string TierId,
    [property: Id(2)] int Capacity,
    [property: Id(3)] int Available,
    [property: Id(4)] int Held,
    [property: Id(5)] int Sold,
    [property: Id(6)] DateTimeOffset AsOf);

[GenerateSerializer, Immutable, Alias("TicketFlow.TierStatistics")]
public sealed record TierStatistics(
    [property: Id(0)] TierCounts Counts,
    [property: Id(1)] long HoldsPlaced,
    [property: Id(2)] long HoldsReleased,
    [property: Id(3)] long HoldsExpired,
    [property: Id(4)] long HoldsSold,
    [property: Id(5)] long Refunds,
    [property: Id(6)] long JournalVersion);
