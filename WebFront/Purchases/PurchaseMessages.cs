using TicketFlow.WebFront.Seating;

namespace TicketFlow.WebFront.Purchases;

public sealed record HoldItemRequest(string? TierId, int? Quantity);

public sealed record CreateHoldRequest(string? EventId, IReadOnlyList<HoldItemRequest>? Items, string? AdmissionToken);

/// <param name="Seats">A reserved tier's held seats; null for general admission.</param>
public sealed record HoldItemResponse(string TierId, int Quantity, long PriceMinor, IReadOnlyList<SeatResponse>? Seats = null)
{
    public static HoldItemResponse From(HoldLine line) => new(line.TierId, line.Quantity, line.PriceMinor, SeatResponse.ListOf(line.Seats));
}

public sealed record HoldResponse(string HoldId, string EventId, IReadOnlyList<HoldItemResponse> Items, DateTimeOffset ExpiresAt, long TotalMinor,
    string Currency, string State, string? OrderId);

public sealed record PaymentDetails(string? Method, string? Simulate);

public sealed record CheckoutRequestBody(string? HoldId, PaymentDetails? Payment);

/// <param name="TicketIds">The tickets to refund; null: every ticket of the order the buyer still owns, unused.</param>
public sealed record RefundRequestBody(IReadOnlyList<string>? TicketIds);
