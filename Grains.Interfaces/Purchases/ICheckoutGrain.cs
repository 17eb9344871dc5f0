namespace TicketFlow.Grains.Purchases;

/// <summary>
/// The checkout saga of one hold (key: the checkout id, which is also the payment id and the order id):
/// hold verified → payment captured → seats confirmed → order and tickets written. Every step is stored before
/// the next starts; a durable reminder resumes or compensates after a crash.
/// </summary>
[Alias("TicketFlow.ICheckoutGrain")]
public interface ICheckoutGrain : IGrainWithStringKey
{
    [Alias("Checkout")]
    Task<CheckoutReply> Checkout(CheckoutRequest request);

    /// <summary>One refund of a completed checkout's order, once per refund id: its tickets void, their seats back on sale, their
    /// money refunded. A buyer's covers the tickets they still own, unused (or the ones they name); a forced one (event
    /// cancelled) every ticket left, whoever holds it.</summary>
    [Alias("RefundTickets")]
    Task<CheckoutReply> Refund(RefundRequest request);

    [ReadOnly, Alias("GetState")]
    Task<CheckoutView?> GetState();
}

/// <param name="HighDemand">The event sells through a waiting room: a completed checkout frees the buyer's shopping place.</param>
[GenerateSerializer, Immutable, Alias("TicketFlow.CheckoutRequest")]
public sealed record CheckoutRequest(
    [property: Id(0)] string HoldId,
    [property: Id(1)] string EventId,
    [property: Id(2)] string UserId,
    [property: Id(3)] string? Simulate,
    [property: Id(4)] bool HighDemand = false);

/// <param name="RefundId">The refund's id: from the buyer's Idempotency-Key (<see cref="RefundIds"/>), or the cancellation's.</param>
/// <param name="TicketIds">The buyer's choice; null: every ticket they still own, unused.</param>
[GenerateSerializer, Immutable, Alias("TicketFlow.RefundRequest")]
public sealed record RefundRequest([property: Id(0)] string RefundId, [property: Id(1)] string[]? TicketIds, [property: Id(2)] bool Force);

/// <param name="Error">Null when the order exists; else <c>payment_declined</c>, <c>payment_unavailable</c>, <c>hold_expired</c>,
/// <c>hold_not_found</c>, <c>hold_already_used</c>, <c>not_found</c>; for refunds also <c>ticket_transferred</c>,
/// <c>ticket_not_refundable</c>, <c>not_refundable</c>.</param>
/// <param name="RetryAfter">For <c>payment_unavailable</c>: when trying again makes sense.</param>
[GenerateSerializer, Immutable, Alias("TicketFlow.CheckoutReply")]
public sealed record CheckoutReply([property: Id(0)] string? Error, [property: Id(1)] string State, [property: Id(2)] string? OrderId,
    [property: Id(3)] TimeSpan? RetryAfter = null);

[GenerateSerializer, Immutable, Alias("TicketFlow.CheckoutView")]
public sealed record CheckoutView(
    [property: Id(0)] string Id,
    [property: Id(1)] string HoldId,
    [property: Id(2)] string EventId,
    [property: Id(3)] string UserId,
    [property: Id(4)] string Step,
    [property: Id(5)] long TotalMinor,
    [property: Id(6)] string Currency,
    [property: Id(7)] string? FailureReason,
    [property: Id(8)] DateTimeOffset StartedAt,
    [property: Id(9)] DateTimeOffset UpdatedAt);

public static class RefundIds
{
    /// <summary>One refund per order and Idempotency-Key of its requester: a retry names the same refund everywhere (order book, tiers, gateway).</summary>
    public static string For(string orderId, string userId, string idempotencyKey) => orderId + ".r" +
        Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(userId + "\n" + idempotencyKey)))[..16]
            .Replace('+', '-').Replace('/', '_');

    /// <summary>The event's cancellation refunds each order once, whoever repeats the cancel.</summary>
    public static string Cancellation(string orderId) => orderId + ".cancel";
}

public static class CheckoutIds
{
    /// <summary>One checkout per hold: retrying a checkout, with any key, reaches the same saga and the same payment.</summary>
    public static string ForHold(string holdId) =>
        "ord_" + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(holdId)))[..22]
            .Replace('+', '-').Replace('/', '_');
}
