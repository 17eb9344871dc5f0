using System.Text.Json.Serialization;

namespace TicketFlow.Domain.WaitingRoom;

/// <summary>
/// One entry of a waiting room's journal: a fact, in the past tense. Users are named by their ticket (join sequence
/// number), so a wave of a thousand admissions is one small entry and replaying it touches only those users. The
/// discriminators are the stored names: never change one (add a new event instead).
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(UserJoined), "UserJoined")]
[JsonDerivedType(typeof(UserLeft), "UserLeft")]
[JsonDerivedType(typeof(LineOpened), "LineOpened")]
[JsonDerivedType(typeof(WaveAdmitted), "WaveAdmitted")]
[JsonDerivedType(typeof(UsersDropped), "UsersDropped")]
[JsonDerivedType(typeof(AdmissionsExpired), "AdmissionsExpired")]
[JsonDerivedType(typeof(CheckoutCompleted), "CheckoutCompleted")]
[JsonDerivedType(typeof(SettingsChanged), "SettingsChanged")]
public abstract record WaitingRoomEvent(DateTimeOffset At);

/// <summary>The user got the next ticket: tickets are numbered 1, 2, 3… in journal order.</summary>
public sealed record UserJoined(DateTimeOffset At, string UserId) : WaitingRoomEvent(At);

public sealed record UserLeft(DateTimeOffset At, long Ticket) : WaitingRoomEvent(At);

/// <summary>The line opened; the pre-queue is shuffled with <c>new Random(Seed)</c>, so replay gives the same order.</summary>
public sealed record LineOpened(DateTimeOffset At, int Seed) : WaitingRoomEvent(At);

/// <summary>A wave: these waiting users may shop until <c>At</c> + the admission TTL in force at <c>At</c>.</summary>
public sealed record WaveAdmitted(DateTimeOffset At, IReadOnlyList<long> Tickets) : WaitingRoomEvent(At);

/// <summary>Waiting users who stopped polling for longer than the abandonment timeout.</summary>
public sealed record UsersDropped(DateTimeOffset At, IReadOnlyList<long> Tickets) : WaitingRoomEvent(At);

/// <summary>Admitted users whose admission ran out before they completed checkout.</summary>
public sealed record AdmissionsExpired(DateTimeOffset At, IReadOnlyList<long> Tickets) : WaitingRoomEvent(At);

public sealed record CheckoutCompleted(DateTimeOffset At, long Ticket) : WaitingRoomEvent(At);

public sealed record SettingsChanged(DateTimeOffset At, WaitingRoomSettings Settings) : WaitingRoomEvent(At);
