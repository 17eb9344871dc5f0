using Microsoft.Extensions.Diagnostics.HealthChecks;
using TicketFlow.Grains.Payments;
using TicketFlow.Runtime.Statistics;

namespace TicketFlow.WebFront.Purchases;

/// <summary>
/// The payment gateway's circuit breaker: read directly where this process hosts it (embedded), else from every silo's
/// report. Open anywhere means some checkouts fail fast with 503 until the gateway recovers: degraded, not down.
/// </summary>
public sealed class PaymentBreakerHealthCheck(IServiceProvider services, ISiloReports silos) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var states = services.GetService<ProtectedPaymentGateway>() is { } local
            ? new Dictionary<string, string> { ["local"] = new PaymentBreakerHealth(local).State }
            : (await silos.GetSiloReportsAsync(cancellationToken))
                .Where(r => r.Health.ContainsKey(PaymentBreakerHealth.Source))
                .ToDictionary(r => r.Silo, r => r.Health[PaymentBreakerHealth.Source]);
        var data = states.ToDictionary(s => s.Key, s => (object)s.Value);
        var notClosed = states.Where(s => s.Value != "closed").Select(s => $"{s.Key}: {s.Value}").ToList();
        return notClosed.Count == 0
            ? HealthCheckResult.Healthy("Payment breaker closed.", data)
            : HealthCheckResult.Degraded($"Payment breaker not closed ({string.Join(", ", notClosed)}): checkouts fail fast until the gateway recovers.", data: data);
    }
}
