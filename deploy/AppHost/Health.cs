using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace TicketFlow.AppHost;

/// <summary>The AppHost's one connection to the cluster's Redis: health, Orleans' membership rows (for chaos), FLUSHALL.</summary>
public sealed partial class ClusterRedis(ClusterLayout layout) : IAsyncDisposable
{
    /// <summary>Orleans' SiloStatus as the membership table stores it (a number).</summary>
    private static readonly string[] Statuses = ["None", "Created", "Joining", "Active", "ShuttingDown", "Stopping", "Dead"];

    private readonly Lazy<Task<ConnectionMultiplexer>> connection = new(() => ConnectionMultiplexer.ConnectAsync(
        new ConfigurationOptions
        {
            EndPoints = { { "127.0.0.1", layout.RedisPort } },
            Password = layout.RedisPassword,
            AllowAdmin = true, // FLUSHALL
            AbortOnConnectFail = false,
            ConnectTimeout = 2000,
            SyncTimeout = 2000,
        }));

    private RedisKey MembershipKey => $"{layout.Options.ServiceId}/members/{layout.Options.ClusterId}";

    public async Task<IDatabase> DatabaseAsync() => (await connection.Value).GetDatabase();

    public async Task PingAsync() => await (await DatabaseAsync()).PingAsync();

    public async Task FlushAllAsync()
    {
        var redis = await connection.Value;
        await redis.GetServer("127.0.0.1", layout.RedisPort).FlushAllDatabasesAsync();
    }

    /// <summary>Each membership row as (port, generation, status).</summary>
    public async Task<IReadOnlyList<(int Port, long Generation, string Status)>> MembershipAsync()
    {
        var rows = await (await DatabaseAsync()).HashValuesAsync(MembershipKey);
        return rows.Select(row => Row().Match(row.ToString())).Where(m => m.Success)
            .Select(m => (int.Parse(m.Groups[1].Value), long.Parse(m.Groups[2].Value), Statuses.ElementAtOrDefault(int.Parse(m.Groups[3].Value)) ?? m.Groups[3].Value))
            .ToList();
    }

    /// <summary>Every generation of the silo on this port (each start is a new one), oldest first.</summary>
    public async Task<IReadOnlyList<(long Generation, string Status)>> SiloGenerationsAsync(int port) =>
        (await MembershipAsync()).Where(r => r.Port == port).OrderBy(r => r.Generation).Select(r => (r.Generation, r.Status)).ToList();

    public async ValueTask DisposeAsync()
    {
        if (connection.IsValueCreated) await (await connection.Value).DisposeAsync();
    }

    [GeneratedRegex("\"SiloAddress\":\"[^\"]*:(\\d+)@(\\d+)\"\\},\"Status\":(\\d+)")]
    private static partial Regex Row();
}

public sealed class RedisReadyCheck(ClusterRedis redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await redis.PingAsync();
            return HealthCheckResult.Healthy();
        }
        catch (Exception error) when (error is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("Redis does not answer PING", error);
        }
    }
}

/// <summary>pg_isready: PostgreSQL accepts connections (not only listens: it refuses them while it recovers).</summary>
public sealed class PostgresReadyCheck(ClusterLayout layout) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(Path.Combine(layout.Options.PostgresBin, "pg_isready"),
            ["-q", "-h", "127.0.0.1", "-p", layout.PostgresPort.ToString()!, "-U", "postgres", "-d", "ticketflow", "-t", "2"]);
        using var process = Process.Start(start)!;
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode == 0 ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy($"pg_isready exited with {process.ExitCode}");
    }
}
