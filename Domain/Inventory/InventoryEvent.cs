using System.Text.Json.Serialization;

namespace TicketFlow.Domain.Inventory;

/// <summary>
/// One entry of a tier's journal: a fact, in the past tense. Replaying the journal from the start recomputes every count.
/// The discriminators are the stored names: never change one (add a new event instead).
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(TermsSet), "TermsSet")]
[JsonDerivedType(typeof(HoldPlaced), "HoldPlaced")]
[JsonDerivedType(typeof(HoldReleased), "HoldReleased")]
[JsonDerivedType(typeof(HoldExpired), "HoldExpired")]
[JsonDerivedType(typeof(SaleConfirmed), "SaleConfirmed")]
[JsonDerivedType(typeof(SaleRefunded), "SaleRefunded")]
[JsonDerivedType(typeof(TierClosed), "TierClosed")]
[JsonDerivedType(typeof(SeatsRefunded), "SeatsRefunded")]
public abstract record InventoryEvent(DateTimeOffset At);

/// <summary>The tier's capacity and per-user limit were set (created, the capacity grew, or the limit changed).</summary>
public sealed record TermsSet(DateTimeOffset At, int Capacity, int PerUserLimit) : InventoryEvent(At);

public sealed record HoldPlaced(DateTimeOffset At, string HoldId, string UserId, int Quantity, DateTimeOffset ExpiresAt) : InventoryEvent(At);

/// <summary>The holder gave the seats back (or the payment was declined).</summary>
public sealed record HoldReleased(DateTimeOffset At, string HoldId) : InventoryEvent(At);

public sealed record HoldExpired(DateTimeOffset At, string HoldId) : InventoryEvent(At);

/// <summary>The held seats were sold (the payment was captured).</summary>
public sealed record SaleConfirmed(DateTimeOffset At, string HoldId) : InventoryEvent(At);

/// <summary>The sold seats went back on sale (the order was refunded).</summary>
public sealed record SaleRefunded(DateTimeOffset At, string HoldId) : InventoryEvent(At);

/// <summary>Some of a sale's seats went back on sale (a partial refund, <paramref name="RefundId"/>: once per refund).</summary>
public sealed record SeatsRefunded(DateTimeOffset At, string HoldId, string RefundId, int Quantity) : InventoryEvent(At);

/// <summary>No more holds: the event was cancelled.</summary>
public sealed record TierClosed(DateTimeOffset At) : InventoryEvent(At);
