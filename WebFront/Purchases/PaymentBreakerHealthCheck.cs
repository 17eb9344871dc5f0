using Microsoft.Extensions.Diagnostics.HealthChecks;
using TicketFlow.Grains.Payments;

namespace TicketFlow.WebFront.Purchases;

/// <summary>The payment gateway's circuit breaker, where this process hosts it (embedded): open means checkouts fail fast with 503.</summary>
public sealed class PaymentBreakerHealthCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (services.GetService<ProtectedPaymentGateway>() is not { } gateway)
            return Task.FromResult(HealthCheckResult.Healthy("The payment gateway is called from the silos, not from this process."));
        var state = gateway.BreakerState;
        var data = new Dictionary<string, object> { ["breaker"] = state.ToString().ToLowerInvariant() };
        return Task.FromResult(state == PaymentBreakerState.Closed
            ? HealthCheckResult.Healthy("Payment breaker closed.", data)
            : HealthCheckResult.Degraded($"Payment breaker {state.ToString().ToLowerInvariant()}: checkouts fail fast until the gateway recovers.", data: data));
    }
}
