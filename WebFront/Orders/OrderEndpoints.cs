using System.Security.Claims;
using TicketFlow.Data.Orders;
using TicketFlow.WebFront.Accounts;
using TicketFlow.WebFront.Admin;
using TicketFlow.WebFront.Seating;

namespace TicketFlow.WebFront.Orders;

/// <summary>
/// <c>/api/v1/me/orders</c>, <c>/orders/{id}</c>, <c>/me/tickets</c> and <c>/tickets/*</c>: a user's orders and tickets
/// (someone else's answer 404, so ids do not leak) and the door scan for admins. Transfers: <c>Transfers/TransferEndpoints</c>.
/// </summary>
public static class OrderEndpoints
{
    private const int MaxIdLength = 100;

    public static IEndpointRouteBuilder MapOrderEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Orders");
        api.MapGet("/me/orders", MyOrdersAsync).RequireAuthorization();
        api.MapGet("/orders/{orderId}", GetOrderAsync).RequireAuthorization();
        api.MapGet("/me/tickets", MyTicketsAsync).RequireAuthorization();
        api.MapGet("/tickets/{ticketId}/qr", QrAsync).RequireAuthorization();
        api.MapPost("/tickets/validate", ValidateAsync).RequireAuthorization(AdminEndpoints.Policy);
        return app;
    }

    private static async Task<IResult> MyOrdersAsync(ClaimsPrincipal principal, IOrderBook orders, CancellationToken cancellationToken,
        int? limit = null, string? cursor = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (limit is < 1 or > 100) errors["limit"] = ["From 1 to 100."];
        if (cursor is not null && OrderCursor.TryDecode(cursor) is null) errors["cursor"] = ["Not a cursor this API returned."];
        if (errors.Count > 0) return Problems.Validation(errors);
        var page = await orders.ListForUserAsync(UserId(principal), limit ?? 20, cursor, cancellationToken);
        return Results.Ok(new { items = page.Items.Select(OrderResponse.From), nextCursor = page.NextCursor });
    }

    private static async Task<IResult> GetOrderAsync(string orderId, ClaimsPrincipal principal, IOrderBook orders, CancellationToken cancellationToken) =>
        orderId.Length <= MaxIdLength && await orders.GetAsync(orderId, cancellationToken) is { } order
            && (order.UserId == UserId(principal) || principal.IsInRole(Roles.Admin))
            ? Results.Ok(OrderResponse.From(order))
            : Problems.Of(ProblemCodes.OrderNotFound);

    private static async Task<IResult> MyTicketsAsync(ClaimsPrincipal principal, IOrderBook orders, TicketCodes codes, CancellationToken cancellationToken)
    {
        var tickets = await orders.TicketsForUserAsync(UserId(principal), cancellationToken);
        return Results.Ok(tickets.Select(t => TicketResponse.From(t, t.State == TicketStates.Void ? null : codes.Sign(t))));
    }

    private static async Task<IResult> QrAsync(string ticketId, ClaimsPrincipal principal, HttpContext http, IOrderBook orders, TicketCodes codes,
        CancellationToken cancellationToken)
    {
        if (await OwnTicketAsync(ticketId, principal, orders, cancellationToken) is not { } ticket) return TicketNotFound();
        if (ticket.State == TicketStates.Void) return Problems.Of(ProblemCodes.TicketVoid);
        http.Response.Headers.CacheControl = "private, no-store"; // the code gets its holder in: keep it out of shared caches
        return Results.Content(TicketQr.Svg(codes.Sign(ticket)), TicketQr.SvgContentType);
    }

    private static async Task<IResult> ValidateAsync(ValidateRequest request, IOrderBook orders, TicketCodes codes, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Code))
            return Problems.Validation(new Dictionary<string, string[]> { ["code"] = ["Give the scanned ticket code."] });
        if (codes.Verify(request.Code.Trim()) is not { } code) return Results.Ok(new ValidateResponse(false, null, null, "invalid_code"));
        var outcome = await orders.CheckInAsync(code.TicketId, code.Version, cancellationToken);
        if (outcome == CheckInOutcome.NotFound) return Results.Ok(new ValidateResponse(false, null, null, "invalid_code")); // signed, yet no such ticket here
        // Only a reserved ticket's code carries a seat (a general-admission scan reads nothing more); the stored ticket adds its id.
        var seat = code.Seat is null ? null : (await orders.GetTicketAsync(code.TicketId, cancellationToken))?.ReservedSeat;
        var answer = outcome switch
        {
            CheckInOutcome.CheckedIn => new ValidateResponse(true, code.TicketId, TicketStates.Used, null),
            CheckInOutcome.AlreadyUsed => new ValidateResponse(false, code.TicketId, TicketStates.Used, "already_used"),
            _ => new ValidateResponse(false, code.TicketId, TicketStates.Void, "void"),
        };
        return Results.Ok(answer with { Seat = seat is null ? null : SeatResponse.From(seat) });
    }

    private static async Task<Ticket?> OwnTicketAsync(string ticketId, ClaimsPrincipal principal, IOrderBook orders, CancellationToken cancellationToken) =>
        ticketId.Length <= MaxIdLength && await orders.GetTicketAsync(ticketId, cancellationToken) is { } ticket && ticket.OwnerId == UserId(principal)
            ? ticket
            : null;

    private static IResult TicketNotFound() => Problems.Of(ProblemCodes.TicketNotFound, "You have no ticket with this id.");

    // RequireAuthorization guarantees a signed-in user, whose id the accounts code puts in this claim.
    private static string UserId(ClaimsPrincipal principal) => principal.FindFirstValue(ClaimTypes.NameIdentifier)!;
}
