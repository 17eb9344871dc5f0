namespace TicketFlow.Domain.WaitingRoom;

/// <summary>Where a ticket stands in the line. Stored as a byte per user, so the values are fixed.</summary>
public enum QueueState : byte
{
    Waiting = 0,
    Admitted = 1,
    Left = 2,
    Dropped = 3,
    Expired = 4,
    Completed = 5,
}

/// <summary>
/// A ticket's state at a moment. <see cref="Position"/> is exact and 1-based among waiting users; it is null before
/// the line opens (<see cref="InPreQueue"/>: the order is drawn at on-sale time) and for users no longer waiting.
/// </summary>
public sealed record LineStatus(
    long Ticket,
    string UserId,
    QueueState State,
    bool InPreQueue,
    int? Position,
    int? AheadOfYou,
    int? EtaSeconds,
    DateTimeOffset? AdmittedAt,
    DateTimeOffset? AdmissionExpiresAt)
{
    /// <summary>Admitted and not lapsed: the holder gets an admission token that lasts until <see cref="AdmissionExpiresAt"/>.</summary>
    public bool MayShop => State == QueueState.Admitted && AdmissionExpiresAt is not null;
}
