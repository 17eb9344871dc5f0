using TicketFlow.Data.Orders;
using TicketFlow.Domain.Seating;

namespace TicketFlow.WebFront.Seating;

/// <summary>A reserved seat as the API shows it (a held seat, an order line's seat, a ticket's seat): its id and its labels.</summary>
public sealed record SeatResponse(string Id, string Section, string Row, string Number)
{
    public static SeatResponse From(HeldSeat seat) => new(seat.Id, seat.Section, seat.Row, seat.Number);

    public static SeatResponse From(TicketSeat seat) => new(seat.Id, seat.Section, seat.Row, seat.Number);

    /// <summary>The seats of a reserved line; null for general admission.</summary>
    public static IReadOnlyList<SeatResponse>? ListOf(IReadOnlyList<TicketSeat>? seats) => seats?.Select(From).ToList();

    public static IReadOnlyList<SeatResponse>? ListOf(IReadOnlyList<HeldSeat>? seats) => seats?.Select(From).ToList();
}
