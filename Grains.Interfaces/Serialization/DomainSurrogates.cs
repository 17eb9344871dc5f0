using TicketFlow.Domain.Inventory;
using TicketFlow.Domain.Purchases;

namespace TicketFlow.Grains.Serialization;

// The domain's records cross grain calls, but the domain project references no Orleans, so it cannot carry Orleans'
// serializer attributes. These surrogates are how Orleans serializes types it does not own: each converter turns a
// domain record into a generated-serializer struct and back. The aliases are the wire names: never change one.

[GenerateSerializer, Immutable, Alias("TicketFlow.TierTerms")]
public struct TierTermsSurrogate
{
    [Id(0)] public int Capacity;
    [Id(1)] public int PerUserLimit;
}

[RegisterConverter]
public sealed class TierTermsConverter : IConverter<TierTerms, TierTermsSurrogate>
{
    public TierTerms ConvertFromSurrogate(in TierTermsSurrogate surrogate) => new(surrogate.Capacity, surrogate.PerUserLimit);

    public TierTermsSurrogate ConvertToSurrogate(in TierTerms value) => new() { Capacity = value.Capacity, PerUserLimit = value.PerUserLimit };
}

[GenerateSerializer, Immutable, Alias("TicketFlow.HoldLine")]
public struct HoldLineSurrogate
{
    [Id(0)] public string TierId;
    [Id(1)] public int Quantity;
    [Id(2)] public long PriceMinor;
    [Id(3)] public TierTerms Terms;
    [Id(4)] public IReadOnlyList<TicketFlow.Domain.Seating.HeldSeat>? Seats;
    [Id(5)] public SeatChoice? Choice;
}

[RegisterConverter]
public sealed class HoldLineConverter : IConverter<HoldLine, HoldLineSurrogate>
{
    public HoldLine ConvertFromSurrogate(in HoldLineSurrogate surrogate) =>
        new(surrogate.TierId, surrogate.Quantity, surrogate.PriceMinor, surrogate.Terms, surrogate.Seats, surrogate.Choice);

    public HoldLineSurrogate ConvertToSurrogate(in HoldLine value) =>
        new() { TierId = value.TierId, Quantity = value.Quantity, PriceMinor = value.PriceMinor, Terms = value.Terms, Seats = value.Seats, Choice = value.Choice };
}

// The record was called HoldView before it moved to the domain; its wire name stays, so silos of both versions talk.
[GenerateSerializer, Immutable, Alias("TicketFlow.HoldView")]
public struct HoldSurrogate
{
    [Id(0)] public string HoldId;
    [Id(1)] public string EventId;
    [Id(2)] public string UserId;
    [Id(3)] public IReadOnlyList<HoldLine> Lines;
    [Id(4)] public string Currency;
    [Id(5)] public DateTimeOffset CreatedAt;
    [Id(6)] public DateTimeOffset ExpiresAt;
    [Id(7)] public string State;
    [Id(8)] public bool CheckingOut;
    [Id(9)] public string? OrderId;
}

[RegisterConverter]
public sealed class HoldConverter : IConverter<Hold, HoldSurrogate>
{
    public Hold ConvertFromSurrogate(in HoldSurrogate s) =>
        new(s.HoldId, s.EventId, s.UserId, s.Lines, s.Currency, s.CreatedAt, s.ExpiresAt, s.State, s.CheckingOut, s.OrderId);

    public HoldSurrogate ConvertToSurrogate(in Hold value) => new()
    {
        HoldId = value.HoldId, EventId = value.EventId, UserId = value.UserId, Lines = value.Lines, Currency = value.Currency,
        CreatedAt = value.CreatedAt, ExpiresAt = value.ExpiresAt, State = value.State, CheckingOut = value.CheckingOut, OrderId = value.OrderId,
    };
}
