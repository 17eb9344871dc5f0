using TicketFlow.Runtime;

namespace TicketFlow.Grains.Inventory;

/// <summary>
/// The authoritative seat counts of one ticket tier (key: <see cref="TierKey"/>). Single-threaded; changes are
/// acknowledged only once durable, in batches (group commit); reads never wait behind a write in flight.
/// </summary>
public interface IEventInventoryGrain : IGrainWithStringKey
{
    /// <summary>Creates the tier's inventory, or grows its capacity (it never shrinks).</summary>
    [GroupCommit]
    Task<TierCounts> Configure(TierTerms terms);

    /// <summary>Holds seats; the same hold id again returns the first outcome (retries are safe).</summary>
    [GroupCommit]
    Task<TierHoldReply> Hold(TierHoldRequest request);

    /// <summary>Returns a held (not yet sold) hold's seats; false if it was not active.</summary>
    [GroupCommit]
    Task<bool> Release(string holdId);

    /// <summary>Sells a held hold's seats; confirming a sold hold again succeeds.</summary>
    [GroupCommit]
    Task<ConfirmReply> Confirm(string holdId);

    /// <summary>Returns a sold hold's seats to sale; refunding again changes nothing.</summary>
    [GroupCommit]
    Task<bool> Refund(string holdId);

    /// <summary>No more holds (event cancelled); held and sold seats stay until released or refunded.</summary>
    [GroupCommit]
    Task<TierCounts> Close();

    [ReadOnly]
    Task<TierCounts> GetCounts();

    [ReadOnly]
    Task<TierStatistics> GetStatistics();
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

public sealed record TierTerms(int Capacity, int PerUserLimit);

/// <param name="Terms">The tier as the catalog knows it: an inventory not configured yet starts from it, a larger capacity grows it.</param>
public sealed record TierHoldRequest(string HoldId, string UserId, int Quantity, DateTimeOffset ExpiresAt, TierTerms Terms);

/// <param name="Error">Null when granted; else a problem code: <c>sold_out</c>, <c>limit_exceeded</c>, <c>event_closed</c>, <c>hold_already_used</c>.</param>
public sealed record TierHoldReply(string? Error, TierCounts Counts)
{
    public bool Granted => Error is null;
}

/// <param name="Error">Null when sold; else <c>hold_expired</c> (the hold is gone: expired or released) or <c>event_closed</c>.</param>
public sealed record ConfirmReply(string? Error)
{
    public bool Confirmed => Error is null;
}

public sealed record TierCounts(string EventId, string TierId, int Capacity, int Available, int Held, int Sold, DateTimeOffset AsOf);

public sealed record TierStatistics(TierCounts Counts, long HoldsPlaced, long HoldsReleased, long HoldsExpired, long HoldsSold, long Refunds, long JournalVersion);
