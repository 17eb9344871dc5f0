using Microsoft.Extensions.Configuration;

namespace TicketFlow.Hosting;

/// <summary>The cluster a process belongs to (configuration section <c>Cluster</c>), the same for silos and clients.</summary>
/// <param name="ClusterId">Silos and clients with the same id form one cluster (membership). Default <c>ticketflow</c>.</param>
/// <param name="ServiceId">Partitions grain state, journals and reminders: keep it across deployments. Default <c>ticketflow</c>.</param>
/// <param name="ResponseTimeout">A grain call without an answer after this long fails (outcome unknown). Default 30 s.</param>
public sealed record ClusterSettings(string ClusterId, string ServiceId, TimeSpan ResponseTimeout)
{
    public static ClusterSettings From(IConfiguration configuration) => new(
        configuration["Cluster:ClusterId"] ?? "ticketflow",
        configuration["Cluster:ServiceId"] ?? "ticketflow",
        configuration.GetValue("Cluster:ResponseTimeout", TimeSpan.FromSeconds(30)));

    /// <summary>The Redis that holds membership (<c>TICKETFLOW_REDIS</c> or <c>ConnectionStrings:Redis</c>, a StackExchange.Redis
    /// configuration string such as <c>127.0.0.1:6379,password=…</c>); null in embedded mode.</summary>
    public static string? RedisConnectionString(IConfiguration configuration) =>
        NullIfBlank(configuration["TICKETFLOW_REDIS"] ?? configuration.GetConnectionString("Redis"));

    /// <summary>The PostgreSQL that holds grain state, journals, reminders and the read models (<c>TICKETFLOW_POSTGRES</c> or
    /// <c>ConnectionStrings:Postgres</c>); null in embedded mode.</summary>
    public static string? PostgresConnectionString(IConfiguration configuration) =>
        NullIfBlank(configuration["TICKETFLOW_POSTGRES"] ?? configuration.GetConnectionString("Postgres"));

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
