using Microsoft.Extensions.Diagnostics.HealthChecks;
using TicketFlow.Grains.Diagnostics;
using TicketFlow.WebFront.Cluster;

namespace TicketFlow.WebFront.Health;

/// <summary>Ready when a grain call goes through end to end (a gateway reachable, a silo hosting the grain); else says why.</summary>
public sealed class ClusterHealthCheck(IGrainFactory grains, IServiceProvider services) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (services.GetService<ClusterClientConnection>() is { Client: null } connection)
            return HealthCheckResult.Unhealthy($"Not connected to the cluster: {connection.State}.");
        try
        {
            var reply = await grains.GetGrain<IPingGrain>("health").Ping().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return HealthCheckResult.Healthy($"grain call answered by silo {reply.Silo}");
        }
        catch (Exception error)
        {
            return HealthCheckResult.Unhealthy($"No silo answered a grain call: {error.GetBaseException().Message}", error);
        }
    }
}
