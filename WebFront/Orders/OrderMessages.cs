using TicketFlow.Data.Orders;
using TicketFlow.WebFront.Seating;

namespace TicketFlow.WebFront.Orders;

/// <summary>An order as <c>GET /me/orders</c> and <c>GET /orders/{id}</c> return it.</summary>
/// <param name="State"><c>paid</c> (also after partial refunds: <paramref name="RefundedMinor"/> &gt; 0) or <c>refunded</c> (every ticket void).</param>
public sealed record OrderResponse(string Id, string EventId, string State, IReadOnlyList<OrderLineResponse> Lines, long TotalMinor, long RefundedMinor,
    string Currency, string PaymentId, DateTimeOffset CreatedAt)
{
    public static OrderResponse From(Order order) =>
        new(order.Id, order.EventId, order.State, order.Lines.Select(OrderLineResponse.From).ToList(), order.TotalMinor, order.RefundedMinor, order.Currency,
            order.PaymentId, order.CreatedAt);
}

/// <param name="Seats">A reserved line's seats, one per ticket (refunded ones too: the line is what was bought); null for general admission.</param>
public sealed record OrderLineResponse(string TierId, int Quantity, long PriceMinor, IReadOnlyList<SeatResponse>? Seats)
{
    public static OrderLineResponse From(OrderLine line) => new(line.TierId, line.Quantity, line.PriceMinor, SeatResponse.ListOf(line.Seats));
}

/// <param name="Code">The signed code of the ticket's current version; null once the ticket is void.</param>
/// <param name="VoidReason">Why a void ticket is void: <c>refund_requested</c> (its buyer's refund) or <c>event_cancelled</c>.</param>
/// <param name="Seat">The reserved seat the ticket is for; null for general admission.</param>
public sealed record TicketResponse(string Id, string OrderId, string EventId, string TierId, string State, string? Code, string? VoidReason = null,
    SeatResponse? Seat = null)
{
    public static TicketResponse From(Ticket ticket, string? code) =>
        new(ticket.Id, ticket.OrderId, ticket.EventId, ticket.TierId, ticket.State, code, ticket.VoidReason,
            ticket.ReservedSeat is { } seat ? SeatResponse.From(seat) : null);
}

public sealed record ValidateRequest(string? Code);

/// <param name="Reason"><c>already_used</c>, <c>void</c> or <c>invalid_code</c> when <paramref name="Valid"/> is false.</param>
/// <param name="Seat">The reserved seat of the scanned ticket (for the attendant to show the way); null for general admission or an invalid code.</param>
public sealed record ValidateResponse(bool Valid, string? TicketId, string? State, string? Reason, SeatResponse? Seat = null);
