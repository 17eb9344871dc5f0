using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace TicketFlow.Payments;

/// <summary>
/// The payment gateway behind a circuit breaker and a timeout: when the gateway keeps failing, checkouts fail fast with
/// <see cref="PaymentUnavailableException"/> instead of piling up on it. Captures, refunds and reads share one breaker,
/// since they reach the same gateway; declines are answers, so only errors and timeouts count against it.
/// </summary>
public sealed class ProtectedPaymentGateway : IPaymentGateway
{
    private readonly IPaymentGateway inner;
    private readonly TimeSpan breakDuration;
    private readonly ILogger logger;
    private readonly CircuitBreakerStateProvider state = new();
    private readonly ResiliencePipeline pipeline;

    public ProtectedPaymentGateway(IPaymentGateway inner, PaymentBreakerOptions options, TimeProvider? time = null, ILogger<ProtectedPaymentGateway>? logger = null)
    {
        this.inner = inner;
        breakDuration = options.BreakDuration;
        this.logger = logger ?? NullLogger<ProtectedPaymentGateway>.Instance;
        pipeline = new ResiliencePipelineBuilder { TimeProvider = time ?? TimeProvider.System }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = options.FailureRatio,
                MinimumThroughput = options.MinimumThroughput,
                SamplingDuration = options.SamplingDuration,
                BreakDuration = options.BreakDuration,
                ShouldHandle = new PredicateBuilder().Handle<PaymentGatewayException>().Handle<TimeoutRejectedException>(),
                StateProvider = state,
                OnOpened = _ => Publish(PaymentBreakerState.Open),
                OnHalfOpened = _ => Publish(PaymentBreakerState.HalfOpen),
                OnClosed = _ => Publish(PaymentBreakerState.Closed),
            })
            .AddTimeout(options.Timeout) // inside the breaker, so a timeout counts as a failure
            .Build();
    }

    public PaymentBreakerState BreakerState => state.CircuitState switch
    {
        CircuitState.Closed => PaymentBreakerState.Closed,
        CircuitState.HalfOpen => PaymentBreakerState.HalfOpen,
        _ => PaymentBreakerState.Open,
    };

    /// <summary>Raised on every transition, after the breaker has moved; a throwing handler is logged and never fails a payment.</summary>
    public event Action<PaymentBreakerState>? StateChanged;

    public Task<Payment> CaptureAsync(PaymentRequest request, CancellationToken cancellationToken) =>
        RunAsync((gateway, token) => gateway.CaptureAsync(request, token), cancellationToken);

    /// <summary>Fails fast while the breaker is open like a capture does: the refund must still happen, so the caller retries it later.</summary>
    public Task<Payment?> RefundAsync(PaymentRefund refund, CancellationToken cancellationToken) =>
        RunAsync((gateway, token) => gateway.RefundAsync(refund, token), cancellationToken);

    public Task<Payment?> GetAsync(string paymentId, CancellationToken cancellationToken) =>
        RunAsync((gateway, token) => gateway.GetAsync(paymentId, token), cancellationToken);

    private async Task<T> RunAsync<T>(Func<IPaymentGateway, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            // WaitAsync: a gateway that ignores cancellation still times out.
            return await pipeline.ExecuteAsync(token => new ValueTask<T>(call(inner, token).WaitAsync(token)), cancellationToken);
        }
        catch (BrokenCircuitException open)
        {
            var retryAfter = open.RetryAfter is { } remaining && remaining > TimeSpan.Zero ? remaining : breakDuration;
            throw new PaymentUnavailableException(retryAfter, $"The payment gateway is unavailable; retry after {retryAfter.TotalSeconds:0.#} s.");
        }
        catch (TimeoutRejectedException timeout)
        {
            // Not Polly's exception as the inner one: this error travels in grain replies, and Orleans serializes only
            // exceptions of the namespaces the silo names (SiloHosting.SerializableExceptionNamespaces).
            throw new PaymentGatewayException($"The payment gateway timed out after {timeout.Timeout.TotalSeconds:0.###} s.");
        }
    }

    private ValueTask Publish(PaymentBreakerState next)
    {
        if (next == PaymentBreakerState.Open) logger.LogWarning("Payment gateway circuit breaker opened for {BreakDuration}", breakDuration);
        else logger.LogInformation("Payment gateway circuit breaker is {State}", next);
        try
        {
            StateChanged?.Invoke(next);
        }
        catch (Exception error)
        {
            logger.LogError(error, "A payment breaker state subscriber failed");
        }
        return ValueTask.CompletedTask;
    }
}
