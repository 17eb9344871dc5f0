using TicketFlow.Runtime;

namespace TicketFlow.Grains.WaitingRoom;

/// <summary>
/// The waiting room of one high-demand event (key: the event id): exact positions, a randomised pre-queue, admission
/// in waves, signed admission tokens. Joins are acknowledged only once durable (group commit).
/// </summary>
public interface IWaitingRoomGrain : IGrainWithStringKey
{
    /// <summary>Joins the line; joining again returns the same ticket.</summary>
    [GroupCommit]
    Task<QueueStatus> Join(string userId, RoomTerms terms);

    /// <summary>The caller's place; null if the ticket is not theirs. Polling keeps a waiting user from being dropped.</summary>
    [ReadOnly]
    Task<QueueStatus?> Status(long ticket, string userId);

    [GroupCommit]
    Task<bool> Leave(long ticket, string userId);

    /// <summary>An admitted user finished checkout: they stop taking a shopping place.</summary>
    [GroupCommit]
    Task CheckoutCompleted(string userId);

    [GroupCommit]
    Task<RoomView> Configure(RoomSettingsChange change, RoomTerms terms);

    [ReadOnly]
    Task<RoomView> GetView();
}

/// <param name="OnSaleAt">From the catalog: joins before it form the pre-queue, shuffled when the sale opens.</param>
public sealed record RoomTerms(DateTimeOffset OnSaleAt);

/// <param name="State"><c>waiting</c>, <c>admitted</c>, <c>left</c>, <c>dropped</c>, <c>expired</c> or <c>completed</c>.</param>
/// <param name="Position">1-based place among waiting users; null before the sale opens (the pre-queue is shuffled then).</param>
public sealed record QueueStatus(long Ticket, string State, int? Position, int AheadOfYou, int? EtaSeconds, string? AdmissionToken,
    DateTimeOffset? AdmissionExpiresAt, DateTimeOffset OpensAt);

public sealed record RoomSettingsChange(bool? Paused = null, int? WaveSize = null, int? WaveIntervalSeconds = null, int? MaxActive = null);

public sealed record RoomView(string EventId, bool Open, bool Paused, int Waiting, int Active, long AdmittedTotal, long Dropped, int AdmittedLastMinute,
    double? WaitP50Seconds, double? WaitP95Seconds, int WaveSize, int WaveIntervalSeconds, int MaxActive, DateTimeOffset? NextWaveAt);
