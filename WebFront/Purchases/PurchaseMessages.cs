using TicketFlow.WebFront.Seating;

namespace TicketFlow.WebFront.Purchases;

/// <param name="Quantity">Seats of a general-admission tier, or the best available of a reserved one.</param>
/// <param name="Seats">Exact seats of a reserved tier, by seat id (from the seat map).</param>
/// <param name="Together">With a quantity on a reserved tier: side by side in one row, or nothing (<c>not_together</c>).</param>
public sealed record HoldItemRequest(string? TierId, int? Quantity, IReadOnlyList<string>? Seats = null, bool? Together = null);

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
