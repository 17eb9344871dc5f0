using System.Collections.Concurrent;
using TicketFlow.WebFront.Cluster;

namespace TicketFlow.WebFront.Availability;

/// <summary>
/// The renewal loop of a cache fed by grain pushes (<see cref="AvailabilityCache"/>, <see cref="Seating.SeatStatusCache"/>): every
/// <see cref="Period"/>, and at once when gateways come back (a silo died: its grains lost their watchers) or when asked, each
/// entry read within <see cref="IdleAfter"/> is watched again; entries nobody read for that long are dropped.
/// </summary>
public sealed class WatchRenewals(IServiceProvider services, TimeProvider time)
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan IdleAfter = TimeSpan.FromMinutes(10);

    private readonly SemaphoreSlim now = new(0);

    /// <summary>Renews every entry at the next turn of the loop instead of at the end of the period.</summary>
    public void RenewSoon() => now.Release();

    public async Task RunAsync<T>(ConcurrentDictionary<string, T> watched, Func<T, DateTimeOffset> readAt, Func<string, T, Task> renew,
        CancellationToken stoppingToken)
    {
        var connection = services.GetService<ClusterClientConnection>();
        if (connection is not null) connection.GatewaysRecovered += RenewSoon;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await now.WaitAsync(Period, stoppingToken);
                var idleSince = time.GetUtcNow() - IdleAfter;
                foreach (var (key, entry) in watched)
                {
                    if (readAt(entry) < idleSince) watched.TryRemove(key, out _);
                    else await renew(key, entry);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        finally
        {
            if (connection is not null) connection.GatewaysRecovered -= RenewSoon;
        }
    }
}
