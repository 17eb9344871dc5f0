namespace TicketFlow.Grains.WaitingRoom;

/// <summary>
/// The waiting room of one high-demand event (key: the event id): exact positions, a randomised pre-queue, admission
/// in waves, signed admission tokens. A change is acknowledged only once durable (group commit), and an answer is
/// given only once everything it reflects is durable.
/// </summary>
[Alias("TicketFlow.IWaitingRoomGrain")]
public interface IWaitingRoomGrain : IGrainWithStringKey
{
    /// <summary>Joins the line; joining again returns the same ticket.</summary>
    [Alias("Join")]
    Task<QueueStatus> Join(string userId, RoomTerms terms);

    /// <summary>The caller's place; null if the ticket is not theirs. Polling keeps a waiting user from being dropped.</summary>
    [Alias("Status")]
    Task<QueueStatus?> Status(long ticket, string userId);

    [Alias("Leave")]
    Task<bool> Leave(long ticket, string userId);

    /// <summary>An admitted user finished checkout: they stop taking a shopping place.</summary>
    [Alias("CheckoutCompleted")]
    Task CheckoutCompleted(string userId);

    [Alias("Configure")]
    Task<RoomView> Configure(RoomSettingsChange change, RoomTerms terms);

    [Alias("GetView")]
    Task<RoomView> GetView();
}

/// <param name="OnSaleAt">From the catalog: joins before it form the pre-queue, shuffled when the sale opens.</param>
[GenerateSerializer, Immutable, Alias("TicketFlow.RoomTerms")]
public sealed record RoomTerms([property: Id(0)] DateTimeOffset OnSaleAt);

/// <param name="State"><c>waiting</c>, <c>admitted</c>, <c>left</c>, <c>dropped</c>, <c>expired</c> or <c>completed</c>.</param>
/// <param name="Position">1-based place among waiting users; null before the sale opens (the pre-queue is shuffled then).</param>
[GenerateSerializer, Immutable, Alias("TicketFlow.QueueStatus")]
public sealed record QueueStatus(
    [property: Id(0)] long Ticket,
    [property: Id(1)] string State,
    [property: Id(2)] int? Position,
    [property: Id(3)] int AheadOfYou,
    [property: Id(4)] int? EtaSeconds,
    [property: Id(5)] string? AdmissionToken,
    [property: Id(6)] DateTimeOffset? AdmissionExpiresAt,
    [property: Id(7)] DateTimeOffset OpensAt);

[GenerateSerializer, Immutable, Alias("TicketFlow.RoomSettingsChange")]
public sealed record RoomSettingsChange(
    [property: Id(0)] bool? Paused = null,
    [property: Id(1)] int? WaveSize = null,
    [property: Id(2)] int? WaveIntervalSeconds = null,
    [property: Id(3)] int? MaxActive = null);

[GenerateSerializer, Immutable, Alias("TicketFlow.RoomView")]
public sealed record RoomView(
    [property: Id(0)] string EventId,
    [property: Id(1)] bool Open,
    [property: Id(2)] bool Paused,
    [property: Id(3)] int Waiting,
    [property: Id(4)] int Active,
    [property: Id(5)] long AdmittedTotal,
    [property: Id(6)] long Dropped,
    [property: Id(7)] int AdmittedLastMinute,
    [property: Id(8)] double? WaitP50Seconds,
    [property: Id(9)] double? WaitP95Seconds,
    [property: Id(10)] int WaveSize,
    [property: Id(11)] int WaveIntervalSeconds,
    [property: Id(12)] int MaxActive,
    [property: Id(13)] DateTimeOffset? NextWaveAt);
