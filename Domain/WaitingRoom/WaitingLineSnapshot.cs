namespace TicketFlow.Domain.WaitingRoom;

/// <summary>
/// A waiting line at one journal position, as arrays indexed by ticket − 1. Counters, positions and live waves are
/// recomputed from these on restore; poll times are not kept (a restore counts everyone as having just polled).
/// </summary>
/// <param name="TimeBase">The instant <see cref="JoinedAt"/> counts seconds from.</param>
/// <param name="PreQueueOrder">The pre-queue's tickets − 1 in slot order, as shuffled at opening.</param>
/// <param name="WaveOf">Index into <see cref="Waves"/> of each user's admission; −1 if never admitted.</param>
/// <param name="RecentWaits">Seconds from join to admission of the latest admissions, oldest first.</param>
public sealed record WaitingLineSnapshot(
    WaitingRoomSettings Settings,
    DateTimeOffset TimeBase,
    DateTimeOffset? OpenedAt,
    int Seed,
    int[] PreQueueOrder,
    string[] UserIds,
    int[] JoinedAt,
    byte[] States,
    int[] WaveOf,
    IReadOnlyList<WaveSnapshot> Waves,
    int[] RecentWaits);

public sealed record WaveSnapshot(DateTimeOffset At, DateTimeOffset ExpiresAt, int Count);
