namespace TicketFlow.Payments;

public enum PaymentStatus
{
    Captured,
    Declined,
    Refunded,
}

/// <param name="PaymentId">The checkout id: one payment per checkout, so a retried capture never charges twice.</param>
/// <param name="Simulate">Test hook of the simulated gateway: <c>success</c>, <c>decline</c>, <c>error</c> or <c>timeout</c>.</param>
public sealed record PaymentRequest(string PaymentId, string UserId, long AmountMinor, string Currency, string? Simulate = null);

/// <param name="RefundedMinor">Refunded so far (partial refunds add up; <see cref="PaymentStatus.Refunded"/> once it is all).</param>
public sealed record Payment(string PaymentId, PaymentStatus Status, long AmountMinor, string Currency, string? DeclineReason, DateTimeOffset UpdatedAt,
    long RefundedMinor = 0);

/// <param name="RefundId">One refund of the payment: refunding under the same id again refunds nothing more.</param>
public sealed record PaymentRefund(string PaymentId, string RefundId, long AmountMinor);

/// <summary>A card gateway as the checkout saga sees it. Every call is idempotent by payment id.</summary>
public interface IPaymentGateway
{
    /// <summary>Captures the amount once per payment id; a repeat returns the stored outcome and charges nothing.</summary>
    /// <exception cref="PaymentGatewayException">The gateway failed or did not answer in time: the outcome is unknown, retry with the same id.</exception>
    /// <exception cref="PaymentUnavailableException">The circuit breaker is open: the gateway was not called.</exception>
    Task<Payment> CaptureAsync(PaymentRequest request, CancellationToken cancellationToken);

    /// <summary>Refunds an amount of a captured payment once per refund id (a repeat refunds nothing more); the refunds together
    /// never exceed the capture. Returns the payment as it stands; null if the gateway never captured it.</summary>
    /// <exception cref="InvalidOperationException">The refund would take back more than was captured (nothing was refunded).</exception>
    Task<Payment?> RefundAsync(PaymentRefund refund, CancellationToken cancellationToken);

    Task<Payment?> GetAsync(string paymentId, CancellationToken cancellationToken);
}

/// <summary>The gateway erred or timed out; whether it captured is unknown until asked again with the same payment id.</summary>
public sealed class PaymentGatewayException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The circuit breaker is open: calls fail fast until <see cref="RetryAfter"/> has passed.</summary>
public sealed class PaymentUnavailableException(TimeSpan retryAfter, string message) : Exception(message)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
