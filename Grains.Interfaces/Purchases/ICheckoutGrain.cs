using TicketFlow.Runtime;

namespace TicketFlow.Grains.Purchases;

/// <summary>
/// The checkout saga of one hold (key: the checkout id, which is also the payment id and the order id):
/// hold verified → payment captured → seats confirmed → order and tickets written. Every step is stored before
/// the next starts; a durable reminder resumes or compensates after a crash.
/// </summary>
public interface ICheckoutGrain : IGrainWithStringKey
{
    Task<CheckoutReply> Checkout(CheckoutRequest request);

    /// <summary>Refunds a completed checkout: tickets void, seats back on sale, payment refunded once.</summary>
    /// <param name="force">Event cancelled: refund even if a ticket was used.</param>
    Task<CheckoutReply> Refund(bool force);

    [ReadOnly]
    Task<CheckoutView?> GetState();
}

/// <param name="HighDemand">The event sells through a waiting room: a completed checkout frees the buyer's shopping place.</param>
public sealed record CheckoutRequest(string HoldId, string EventId, string UserId, string? Simulate, bool HighDemand = false);

/// <param name="Error">Null when the order exists; else <c>payment_declined</c>, <c>payment_unavailable</c>, <c>hold_expired</c>,
/// <c>hold_not_found</c>, <c>hold_already_used</c>, <c>ticket_used</c>, <c>not_found</c>.</param>
/// <param name="RetryAfter">For <c>payment_unavailable</c>: when trying again makes sense.</param>
public sealed record CheckoutReply(string? Error, string State, string? OrderId, TimeSpan? RetryAfter = null);

public sealed record CheckoutView(string Id, string HoldId, string EventId, string UserId, string Step, long TotalMinor, string Currency,
    string? FailureReason, DateTimeOffset StartedAt, DateTimeOffset UpdatedAt);

public static class CheckoutIds
{
    /// <summary>One checkout per hold: retrying a checkout, with any key, reaches the same saga and the same payment.</summary>
    public static string ForHold(string holdId) =>
        "ord_" + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(holdId)))[..22]
            .Replace('+', '-').Replace('/', '_');
}
