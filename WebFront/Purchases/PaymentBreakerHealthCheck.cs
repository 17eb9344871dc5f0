using Microsoft.Extensions.Diagnostics.HealthChecks;
using TicketFlow.Grains;
using TicketFlow.Grains.Diagnostics;
using TicketFlow.Payments;

namespace TicketFlow.WebFront.Purchases;

/// <summary>
/// The payment gateway's circuit breaker: read directly where this process hosts it (embedded), else as every silo reports
/// it (<see cref="IClusterHealthGrain"/>). Open anywhere means some checkouts fail fast with 503 until the gateway recovers:
/// degraded, not down.
/// </summary>
public sealed class PaymentBreakerHealthCheck(IServiceProvider services, IGrainFactory grains) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        Dictionary<string, string> states;
        if (services.GetService<ProtectedPaymentGateway>() is { } local)
            states = new() { ["local"] = PaymentBreakerReporter.Describe(local.BreakerState) };
        else
        {
            try
            {
                states = (await grains.GetGrain<IClusterHealthGrain>(IClusterHealthGrain.Key).GetReports().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken))
                    .Where(r => r.Dependency == PaymentBreakerReporter.Dependency)
                    .ToDictionary(r => r.Silo, r => r.State);
            }
            catch (Exception error) when (GrainCallFailures.IsTransient(error))
            {
                return HealthCheckResult.Degraded("The silos' payment breakers could not be read: the cluster did not answer.", error);
            }
        }
        var data = states.ToDictionary(s => s.Key, s => (object)s.Value);
        var notClosed = states.Where(s => s.Value != "closed").Select(s => $"{s.Key}: {s.Value}").ToList();
        return notClosed.Count == 0
            ? HealthCheckResult.Healthy("Payment breaker closed.", data)
            : HealthCheckResult.Degraded($"Payment breaker not closed ({string.Join(", ", notClosed)}): checkouts fail fast until the gateway recovers.", data: data);
    }
}
