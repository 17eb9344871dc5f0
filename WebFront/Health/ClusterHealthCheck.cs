using Microsoft.Extensions.Diagnostics.HealthChecks;
using TicketFlow.Grains.Diagnostics;
using TicketFlow.Runtime;

namespace TicketFlow.WebFront.Health;

/// <summary>Ready when a grain call goes through end to end: membership read, a silo owns the grain, storage reachable.</summary>
public sealed class ClusterHealthCheck(IGrainFactory grains) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var reply = await grains.GetGrain<IPingGrain>("health").Ping().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return HealthCheckResult.Healthy($"grain call answered by {reply.Silo}");
        }
        catch (Exception error)
        {
            return HealthCheckResult.Unhealthy("no silo answered a grain call", error);
        }
    }
}
