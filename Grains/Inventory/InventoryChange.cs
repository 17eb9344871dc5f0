using System.Text.Json.Serialization;

namespace TicketFlow.Grains.Inventory;

/// <summary>One entry of a tier's journal. Replaying the journal from the start recomputes every count.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(TermsSet), "terms")]
[JsonDerivedType(typeof(Held), "hold")]
[JsonDerivedType(typeof(Released), "release")]
[JsonDerivedType(typeof(Expired), "expire")]
[JsonDerivedType(typeof(Sold), "sell")]
[JsonDerivedType(typeof(Refunded), "refund")]
[JsonDerivedType(typeof(Closed), "close")]
public abstract record InventoryChange(DateTimeOffset At);

public sealed record TermsSet(DateTimeOffset At, int Capacity, int PerUserLimit) : InventoryChange(At);

public sealed record Held(DateTimeOffset At, string HoldId, string UserId, int Quantity, DateTimeOffset ExpiresAt) : InventoryChange(At);

public sealed record Released(DateTimeOffset At, string HoldId) : InventoryChange(At);

public sealed record Expired(DateTimeOffset At, string HoldId) : InventoryChange(At);

public sealed record Sold(DateTimeOffset At, string HoldId) : InventoryChange(At);

public sealed record Refunded(DateTimeOffset At, string HoldId) : InventoryChange(At);

public sealed record Closed(DateTimeOffset At) : InventoryChange(At);
