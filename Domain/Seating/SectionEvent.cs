using System.Text.Json.Serialization;

namespace TicketFlow.Domain.Seating;

/// <summary>
/// One entry of a section's journal. Seats are named by their index in the plan (the first entry), which is what the
/// bitmap indexes too. The discriminators are the stored names: never change one.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(SectionConfigured), "SectionConfigured")]
[JsonDerivedType(typeof(SeatsHeld), "SeatsHeld")]
[JsonDerivedType(typeof(SeatHoldReleased), "SeatHoldReleased")]
[JsonDerivedType(typeof(SeatHoldExpired), "SeatHoldExpired")]
[JsonDerivedType(typeof(SeatsSold), "SeatsSold")]
[JsonDerivedType(typeof(SoldSeatsReturned), "SoldSeatsReturned")]
[JsonDerivedType(typeof(SectionClosed), "SectionClosed")]
public abstract record SectionEvent(DateTimeOffset At)
{
    /// <summary>The seats this entry changed and the state each is in after it (what a seat-map delta carries).</summary>
    public (int[] Seats, byte State) SeatChanges() => this switch
    {
        SeatsHeld held => (held.Seats, SeatState.Held),
        SeatHoldReleased released => (released.Seats, SeatState.Free),
        SeatHoldExpired expired => (expired.Seats, SeatState.Free),
        SeatsSold sold => (sold.Seats, SeatState.Sold),
        SoldSeatsReturned returned => (returned.Seats, SeatState.Free),
        _ => ([], SeatState.Free),
    };
}

public sealed record SectionConfigured(DateTimeOffset At, SectionPlan Plan) : SectionEvent(At);

public sealed record SeatsHeld(DateTimeOffset At, string HoldId, string UserId, string TierId, int[] Seats, DateTimeOffset ExpiresAt) : SectionEvent(At);

/// <summary>Entries that end a hold name its seats too: the journal reads on its own, and a delta needs no lookup.</summary>
public sealed record SeatHoldReleased(DateTimeOffset At, string HoldId, int[] Seats) : SectionEvent(At);

public sealed record SeatHoldExpired(DateTimeOffset At, string HoldId, int[] Seats) : SectionEvent(At);

public sealed record SeatsSold(DateTimeOffset At, string HoldId, int[] Seats) : SectionEvent(At);

/// <summary>Sold seats went back on sale: a refund (<paramref name="RefundId"/>, once per refund) of these seats of the hold's sale.</summary>
public sealed record SoldSeatsReturned(DateTimeOffset At, string HoldId, string RefundId, int[] Seats) : SectionEvent(At);

/// <summary>No more holds: the event was cancelled.</summary>
public sealed record SectionClosed(DateTimeOffset At) : SectionEvent(At);
