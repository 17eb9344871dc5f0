using System.Text.Json.Serialization;

namespace TicketFlow.Domain.Purchases;

/// <summary>
/// What changed in one user's holds at one event, as stored in the shopper's journal. A shopper's state is a handful of
/// holds, so an entry carries the whole hold as it now stands: replay puts it in place; nothing is derived.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(HoldRecorded), "HoldRecorded")]
[JsonDerivedType(typeof(HoldsForgotten), "HoldsForgotten")]
public abstract record ShopperEvent;

/// <summary>A hold was placed, or changed (released, in checkout, purchased, …): this is how it stands now.</summary>
public sealed record HoldRecorded(Hold Hold) : ShopperEvent;

/// <summary>Holds that ended without a purchase a day ago, no longer kept.</summary>
public sealed record HoldsForgotten(IReadOnlyList<string> HoldIds) : ShopperEvent;

/// <summary>A shopper's holds at one moment (a journal snapshot).</summary>
public sealed record ShopperSnapshot(IReadOnlyList<Hold> Holds);
