using System.Text.Json.Serialization;

namespace TicketFlow.Grains.WaitingRoom;

/// <summary>
/// One entry of a waiting room's journal. Users are named by their ticket (join sequence number), so a wave of
/// a thousand admissions is one small entry and replaying it touches only those users.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(Joined), "join")]
[JsonDerivedType(typeof(Left), "leave")]
[JsonDerivedType(typeof(Opened), "open")]
[JsonDerivedType(typeof(Admitted), "admit")]
[JsonDerivedType(typeof(Dropped), "drop")]
[JsonDerivedType(typeof(Expired), "expire")]
[JsonDerivedType(typeof(Completed), "complete")]
[JsonDerivedType(typeof(Configured), "configure")]
public abstract record WaitingRoomChange(DateTimeOffset At);

/// <summary>The user got the next ticket: tickets are numbered 1, 2, 3… in journal order.</summary>
public sealed record Joined(DateTimeOffset At, string UserId) : WaitingRoomChange(At);

public sealed record Left(DateTimeOffset At, long Ticket) : WaitingRoomChange(At);

/// <summary>The line opened; the pre-queue is shuffled with <c>new Random(Seed)</c>, so replay gives the same order.</summary>
public sealed record Opened(DateTimeOffset At, int Seed) : WaitingRoomChange(At);

/// <summary>A wave: these waiting users may shop until <c>At</c> + the admission TTL in force at <c>At</c>.</summary>
public sealed record Admitted(DateTimeOffset At, IReadOnlyList<long> Tickets) : WaitingRoomChange(At);

/// <summary>Waiting users who stopped polling for longer than the abandonment timeout.</summary>
public sealed record Dropped(DateTimeOffset At, IReadOnlyList<long> Tickets) : WaitingRoomChange(At);

/// <summary>Admitted users whose admission ran out before they completed checkout.</summary>
public sealed record Expired(DateTimeOffset At, IReadOnlyList<long> Tickets) : WaitingRoomChange(At);

public sealed record Completed(DateTimeOffset At, long Ticket) : WaitingRoomChange(At);

public sealed record Configured(DateTimeOffset At, WaitingRoomSettings Settings) : WaitingRoomChange(At);
