using TicketFlow.Data.Orders;

namespace TicketFlow.WebFront.Orders;

/// <summary>An order as <c>GET /me/orders</c> and <c>GET /orders/{id}</c> return it.</summary>
/// <param name="State"><c>paid</c> (also after partial refunds: <paramref name="RefundedMinor"/> &gt; 0) or <c>refunded</c> (every ticket void).</param>
public sealed record OrderResponse(string Id, string EventId, string State, IReadOnlyList<OrderLine> Lines, long TotalMinor, long RefundedMinor,
    string Currency, string PaymentId, DateTimeOffset CreatedAt)
{
    public static OrderResponse From(Order order) =>
        new(order.Id, order.EventId, order.State, order.Lines, order.TotalMinor, order.RefundedMinor, order.Currency, order.PaymentId, order.CreatedAt);
}

/// <param name="Code">The signed code of the ticket's current version; null once the ticket is void.</param>
/// <param name="VoidReason">Why a void ticket is void: <c>refund_requested</c> (its buyer's refund) or <c>event_cancelled</c>.</param>
public sealed record TicketResponse(string Id, string OrderId, string EventId, string TierId, string State, string? Code, string? VoidReason = null);

public sealed record ValidateRequest(string? Code);

/// <param name="Reason"><c>already_used</c>, <c>void</c> or <c>invalid_code</c> when <paramref name="Valid"/> is false.</param>
public sealed record ValidateResponse(bool Valid, string? TicketId, string? State, string? Reason);
