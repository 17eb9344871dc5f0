using TicketFlow.Domain.Purchases;
using TicketFlow.Domain.Seating;

namespace TicketFlow.Grains.Serialization;

// Surrogates for the seating domain's records that cross grain calls (see DomainSurrogates.cs for why). Aliases are wire names.

[GenerateSerializer, Immutable, Alias("TicketFlow.HeldSeat")]
public struct HeldSeatSurrogate
{
    [Id(0)] public string Id;
    [Id(1)] public string SectionId;
    [Id(2)] public string Section;
    [Id(3)] public string Row;
    [Id(4)] public string Number;
}

[RegisterConverter]
public sealed class HeldSeatConverter : IConverter<HeldSeat, HeldSeatSurrogate>
{
    public HeldSeat ConvertFromSurrogate(in HeldSeatSurrogate s) => new(s.Id, s.SectionId, s.Section, s.Row, s.Number);

    public HeldSeatSurrogate ConvertToSurrogate(in HeldSeat v) => new() { Id = v.Id, SectionId = v.SectionId, Section = v.Section, Row = v.Row, Number = v.Number };
}

[GenerateSerializer, Immutable, Alias("TicketFlow.SectionPlan")]
public struct SectionPlanSurrogate
{
    [Id(0)] public string SectionId;
    [Id(1)] public string Label;
    [Id(2)] public IReadOnlyList<PlanRow> Rows;
}

[RegisterConverter]
public sealed class SectionPlanConverter : IConverter<SectionPlan, SectionPlanSurrogate>
{
    public SectionPlan ConvertFromSurrogate(in SectionPlanSurrogate s) => new(s.SectionId, s.Label, s.Rows);

    public SectionPlanSurrogate ConvertToSurrogate(in SectionPlan v) => new() { SectionId = v.SectionId, Label = v.Label, Rows = v.Rows };
}

[GenerateSerializer, Immutable, Alias("TicketFlow.PlanRow")]
public struct PlanRowSurrogate
{
    [Id(0)] public string Label;
    [Id(1)] public IReadOnlyList<PlanSeat> Seats;
}

[RegisterConverter]
public sealed class PlanRowConverter : IConverter<PlanRow, PlanRowSurrogate>
{
    public PlanRow ConvertFromSurrogate(in PlanRowSurrogate s) => new(s.Label, s.Seats);

    public PlanRowSurrogate ConvertToSurrogate(in PlanRow v) => new() { Label = v.Label, Seats = v.Seats };
}

[GenerateSerializer, Immutable, Alias("TicketFlow.PlanSeat")]
public struct PlanSeatSurrogate
{
    [Id(0)] public string Id;
    [Id(1)] public string Number;
    [Id(2)] public string? TierId;
}

[RegisterConverter]
public sealed class PlanSeatConverter : IConverter<PlanSeat, PlanSeatSurrogate>
{
    public PlanSeat ConvertFromSurrogate(in PlanSeatSurrogate s) => new(s.Id, s.Number, s.TierId);

    public PlanSeatSurrogate ConvertToSurrogate(in PlanSeat v) => new() { Id = v.Id, Number = v.Number, TierId = v.TierId };
}

[GenerateSerializer, Immutable, Alias("TicketFlow.SectionTierCounts")]
public struct SectionTierCountsSurrogate
{
    [Id(0)] public string TierId;
    [Id(1)] public int Capacity;
    [Id(2)] public int Available;
    [Id(3)] public int Held;
    [Id(4)] public int Sold;
}

[RegisterConverter]
public sealed class SectionTierCountsConverter : IConverter<SectionTierCounts, SectionTierCountsSurrogate>
{
    public SectionTierCounts ConvertFromSurrogate(in SectionTierCountsSurrogate s) => new(s.TierId, s.Capacity, s.Available, s.Held, s.Sold);

    public SectionTierCountsSurrogate ConvertToSurrogate(in SectionTierCounts v) =>
        new() { TierId = v.TierId, Capacity = v.Capacity, Available = v.Available, Held = v.Held, Sold = v.Sold };
}

[GenerateSerializer, Immutable, Alias("TicketFlow.SeatChoice")]
public struct SeatChoiceSurrogate
{
    [Id(0)] public IReadOnlyList<SectionSeatIds> Exact;
    [Id(1)] public IReadOnlyList<string> Candidates;
    [Id(2)] public bool Together;
}

[RegisterConverter]
public sealed class SeatChoiceConverter : IConverter<SeatChoice, SeatChoiceSurrogate>
{
    public SeatChoice ConvertFromSurrogate(in SeatChoiceSurrogate s) => new(s.Exact, s.Candidates, s.Together);

    public SeatChoiceSurrogate ConvertToSurrogate(in SeatChoice v) => new() { Exact = v.Exact, Candidates = v.Candidates, Together = v.Together };
}

[GenerateSerializer, Immutable, Alias("TicketFlow.SectionSeatIds")]
public struct SectionSeatIdsSurrogate
{
    [Id(0)] public string SectionId;
    [Id(1)] public IReadOnlyList<string> SeatIds;
}

[RegisterConverter]
public sealed class SectionSeatIdsConverter : IConverter<SectionSeatIds, SectionSeatIdsSurrogate>
{
    public SectionSeatIds ConvertFromSurrogate(in SectionSeatIdsSurrogate s) => new(s.SectionId, s.SeatIds);

    public SectionSeatIdsSurrogate ConvertToSurrogate(in SectionSeatIds v) => new() { SectionId = v.SectionId, SeatIds = v.SeatIds };
}
