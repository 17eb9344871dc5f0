using System.Globalization;
using System.Security.Claims;
using Microsoft.Extensions.Options;
using TicketFlow.Data.Orders;
using TicketFlow.Domain.Seating;
using TicketFlow.Domain.Security;
using TicketFlow.Grains.Inventory;
using TicketFlow.Grains.Purchases;
using TicketFlow.WebFront.Accounts;
using TicketFlow.WebFront.Catalog;
using TicketFlow.WebFront.Conventions;
using TicketFlow.WebFront.Idempotency;
using TicketFlow.WebFront.Orders;
using TicketFlow.WebFront.Seating;

namespace TicketFlow.WebFront.Purchases;

/// <summary><c>/holds</c>, <c>/checkout</c> and order refunds: HTTP in front of the shopper and checkout grains. No business rules here.</summary>
public static class PurchaseEndpoints
{
    private static readonly string[] Simulations = ["success", "decline", "error", "timeout"];
    private const int MaxTicketsPerRefund = 100;

    public static IEndpointRouteBuilder MapPurchaseEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Purchases").RequireAuthorization().AddEndpointFilter<GrainUnavailableFilter>();
        api.MapPost("/holds", CreateHoldAsync).RequireIdempotencyKey().RequireRateLimiting(RateLimits.Purchase);
        api.MapGet("/holds/{holdId}", GetHoldAsync);
        api.MapDelete("/holds/{holdId}", ReleaseHoldAsync).RequireRateLimiting(RateLimits.Purchase);
        api.MapPost("/checkout", CheckoutAsync).RequireIdempotencyKey().RequireRateLimiting(RateLimits.Purchase);
        api.MapPost("/orders/{orderId}/refund", RefundAsync).RequireIdempotencyKey().RequireRateLimiting(RateLimits.Purchase);
        return app;
    }

    private static async Task<IResult> CreateHoldAsync(CreateHoldRequest request, HttpContext http, EventLookup events, IGrainFactory grains,
        AdmissionTokens admissions, SeatMaps maps, SeatStatusCache seatStatus, IOptions<PurchaseOptions> options, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var errors = Validate(request, options.Value);
        if (errors.Count > 0) return Problems.Validation(errors);
        if (await events.GetAsync(request.EventId!, cancellationToken) is not { } details)
            return Problems.Of(ProblemCodes.EventNotFound);
        if (details.Status != EventStatus.OnSale) return Problems.Of(ProblemCodes.NotOnSale, $"This event is {details.Status}.");
        var unknown = request.Items!.Select(i => i.TierId!).Where(id => details.Tiers.All(t => t.Id != id)).ToList();
        if (unknown.Count > 0) return Problems.Validation(new Dictionary<string, string[]> { ["items"] = [$"Unknown tiers: {string.Join(", ", unknown)}."] });
        var userId = UserId(http);
        if (details.HighDemand && !admissions.Verify(request.AdmissionToken, details.Id, userId, time.GetUtcNow()))
            return Problems.Of(ProblemCodes.NotAdmitted);

        var (lines, refusal) = await HoldLines.BuildAsync(request.Items!, details, maps, seatStatus, cancellationToken);
        if (refusal is not null) return refusal;
        var holdId = HoldIds.For(details.Id, userId, http.Request.Headers[IdempotencyMiddleware.Header].ToString());
        var reply = await Shopper(grains, details.Id, userId).PlaceHold(new PlaceHoldRequest(holdId, details.Id, userId, lines,
            details.Tiers[0].Currency, TimeSpan.FromSeconds(details.HoldSeconds), options.Value.MaxSeatsPerUserPerEvent));
        if (reply.Error is null) return Results.Created($"/api/v1/holds/{holdId}", Present(reply.Hold!));
        return reply.SeatIds is { Count: > 0 } seatIds && Problems.Catalog.ContainsKey(reply.Error) ? Problems.OfSeats(reply.Error, seatIds) : HoldProblem(reply.Error);
    }

    private static async Task<IResult> GetHoldAsync(string holdId, HttpContext http, IGrainFactory grains) =>
        HoldIds.EventOf(holdId) is { } eventId && await Shopper(grains, eventId, UserId(http)).GetHold(holdId) is { } hold
            ? Results.Ok(Present(hold))
            : HoldProblem(ProblemCodes.HoldNotFound);

    private static async Task<IResult> ReleaseHoldAsync(string holdId, HttpContext http, IGrainFactory grains)
    {
        if (HoldIds.EventOf(holdId) is not { } eventId) return HoldProblem(ProblemCodes.HoldNotFound);
        var error = await Shopper(grains, eventId, UserId(http)).ReleaseHold(holdId);
        return error is null ? Results.NoContent() : HoldProblem(error);
    }

    private static async Task<IResult> CheckoutAsync(CheckoutRequestBody request, HttpContext http, IGrainFactory grains, IOrderBook orders,
        EventLookup events, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.HoldId) || HoldIds.EventOf(request.HoldId) is null) errors["holdId"] = ["Name the hold to pay for."];
        if (request.Payment?.Method != "card-sim") errors["payment.method"] = ["The only payment method is \"card-sim\"."];
        if (request.Payment?.Simulate is { } simulate && !Simulations.Contains(simulate))
            errors["payment.simulate"] = [$"One of {string.Join(", ", Simulations)}."];
        if (errors.Count > 0) return Problems.Validation(errors);

        var holdId = request.HoldId!;
        var checkoutId = CheckoutIds.ForHold(holdId);
        var eventId = HoldIds.EventOf(holdId)!;
        // Only the hold's owner may start its checkout (a checkout is bound to the first caller's user).
        if (await Shopper(grains, eventId, UserId(http)).GetHold(holdId) is null) return HoldProblem(ProblemCodes.HoldNotFound);
        var highDemand = (await events.GetAsync(eventId, cancellationToken))?.HighDemand ?? false;
        var reply = await grains.GetGrain<ICheckoutGrain>(checkoutId)
            .Checkout(new CheckoutRequest(holdId, eventId, UserId(http), request.Payment!.Simulate, highDemand));
        if (reply.Error is not null) return CheckoutProblem(http, reply);
        var order = await orders.GetAsync(checkoutId, cancellationToken);
        return order is null ? HoldProblem(ProblemCodes.Unavailable) : Results.Created($"/api/v1/orders/{order.Id}", OrderResponse.From(order));
    }

    private static async Task<IResult> RefundAsync(string orderId, RefundRequestBody? request, HttpContext http, IGrainFactory grains, IOrderBook orders,
        CancellationToken cancellationToken)
    {
        if (request?.TicketIds is { } named && (named.Count is 0 or > MaxTicketsPerRefund || named.Any(id => string.IsNullOrWhiteSpace(id) || id.Length > 100)
            || named.Distinct().Count() != named.Count))
            return Problems.Validation(new Dictionary<string, string[]> { ["ticketIds"] = [$"Name 1 to {MaxTicketsPerRefund} different tickets, or leave it out to refund all you still own."] });
        var order = orderId.Length <= 100 ? await orders.GetAsync(orderId, cancellationToken) : null;
        if (order is null || (order.UserId != UserId(http) && !http.User.IsInRole(Roles.Admin)))
            return Problems.Of(ProblemCodes.OrderNotFound);
        // The refund's id comes from the Idempotency-Key: a retry continues (or answers) the same refund, a new key is a new refund.
        var refundId = RefundIds.For(orderId, UserId(http), http.Request.Headers[IdempotencyMiddleware.Header].ToString());
        var reply = await grains.GetGrain<ICheckoutGrain>(orderId).Refund(new RefundRequest(refundId, request?.TicketIds?.ToArray(), Force: false));
        if (reply.Error is not null) return CheckoutProblem(http, reply);
        return Results.Ok(OrderResponse.From((await orders.GetAsync(orderId, cancellationToken))!));
    }

    private static Dictionary<string, string[]> Validate(CreateHoldRequest request, PurchaseOptions options)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.EventId) || request.EventId.Length > 100) errors["eventId"] = ["Name the event (at most 100 characters)."];
        if (request.Items is not { Count: > 0 } items) errors["items"] = ["Ask for at least one tier."];
        else if (items.Count > 10) errors["items"] = ["At most 10 items."];
        else if (items.Any(i => string.IsNullOrWhiteSpace(i.TierId) || i.TierId.Length > 200)) errors["items"] = ["Every item names a tier."];
        else if (items.Select(i => i.TierId).Distinct().Count() != items.Count) errors["items"] = ["Name each tier once."];
        else if (items.Any(i => i.Seats is null && i.Quantity is null or < 1)) errors["items"] = ["Every item asks for a quantity of at least 1, or names seats."];
        else if (items.Any(i => i.Seats is { } seats && (seats.Count == 0 || i.Quantity is { } q && q != seats.Count)))
            errors["items"] = ["An item with seats names at least one, and its quantity (if given) is their number."];
        else if (items.Any(i => i.Seats is { } seats && seats.Any(id => !LayoutRules.IsId(id))))
            errors["items"] = ["A seat id is 1 to 64 letters, digits or - _ . : (from the seat map)."];
        else if (items.SelectMany(i => i.Seats ?? []).GroupBy(id => id).Any(g => g.Count() > 1)) errors["items"] = ["Name each seat once."];
        else if (items.Sum(i => (long)(i.Seats?.Count ?? i.Quantity!.Value)) > options.MaxSeatsPerOrder) errors["items"] = [$"At most {options.MaxSeatsPerOrder} seats per order."];
        if (request.AdmissionToken is { Length: > 1000 }) errors["admissionToken"] = ["Too long."];
        return errors;
    }

    private static HoldResponse Present(Hold hold) => new(hold.HoldId, hold.EventId,
        hold.Lines.Select(HoldItemResponse.From).ToList(), hold.ExpiresAt, hold.TotalMinor, hold.Currency,
        hold.State, hold.OrderId);

    /// <summary>A refusal from the grains as the API's problem; a code the catalogue does not know (a grain was unreachable) is a 503.</summary>
    private static IResult HoldProblem(string code) => code switch
    {
        ProblemCodes.EventClosed => Problems.Of(code, "This event no longer sells tickets."),
        _ when code != ProblemCodes.Unavailable && Problems.Catalog.ContainsKey(code) => Problems.Of(code),
        _ => Problems.Of(ProblemCodes.Unavailable, "Some seats could not be reached; nothing is held. Try again."),
    };

    private static IResult CheckoutProblem(HttpContext http, CheckoutReply reply)
    {
        switch (reply.Error)
        {
            case ProblemCodes.PaymentUnavailable:
                http.Response.Headers.RetryAfter = Math.Max(1, Math.Ceiling((reply.RetryAfter ?? TimeSpan.FromSeconds(5)).TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return Problems.Of(ProblemCodes.PaymentUnavailable);
            case ProblemCodes.NotFound:
                return Problems.Of(ProblemCodes.NotRefundable);
            default:
                return HoldProblem(reply.Error!);
        }
    }

    private static IShopperGrain Shopper(IGrainFactory grains, string eventId, string userId) =>
        grains.GetGrain<IShopperGrain>(ShopperKey.For(eventId, userId));

    private static string UserId(HttpContext http) => http.User.FindFirstValue(ClaimTypes.NameIdentifier)!;
}
