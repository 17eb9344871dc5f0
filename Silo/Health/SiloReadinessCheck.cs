using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace TicketFlow.Silo.Health;

/// <summary>Ready when this silo is Active in the cluster's membership and its database answers.</summary>
public sealed class SiloReadinessCheck(ILocalSiloDetails silo, IClusterMembershipService membership, NpgsqlDataSource database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        var data = new Dictionary<string, object> { ["silo"] = silo.SiloAddress.ToString(), ["status"] = status.ToString() };
        if (status != SiloStatus.Active) return HealthCheckResult.Unhealthy($"The silo is {status} in the cluster's membership.", data: data);
        try
        {
            await using var probe = database.CreateCommand("SELECT 1");
            await probe.ExecuteScalarAsync(cancellationToken);
        }
        catch (NpgsqlException error)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL does not answer.", error, data);
        }
        return HealthCheckResult.Healthy("Active, and PostgreSQL answers.", data);
    }
}
