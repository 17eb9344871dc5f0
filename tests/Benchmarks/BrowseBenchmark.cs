using System.Net;

namespace TicketFlow.Benchmarks;

/// <summary>
/// Browse load against a real WebFront process (embedded mode, demo catalog, Kestrel on loopback): a mix of
/// <c>GET /events</c> with filters and <c>GET /events/{id}</c>, N connections, closed loop.
/// </summary>
public static class BrowseBenchmark
{
    public static async Task<IReadOnlyList<LoadRun.Result>> RunAsync(TimeSpan duration, int[] connectionCounts)
    {
        await using var webFront = await WebFrontProcess.StartAsync();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connectionCounts.Max(), PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = new Uri(webFront.BaseUrl),
        };
        string[] paths =
        [
            "/api/v1/events?limit=20",
            "/api/v1/events?city=Berlin",
            "/api/v1/events?q=tour&status=on_sale",
            "/api/v1/events?from=2026-01-01T00:00:00Z&to=2030-01-01T00:00:00Z&limit=50",
            "/api/v1/events/evt_demo_001",
            "/api/v1/events/evt_demo_017",
            "/api/v1/events/evt_demo_042",
        ];
        var results = new List<LoadRun.Result>();
        foreach (var connections in connectionCounts)
        {
            var next = 0;
            results.Add(await LoadRun.RunAsync($"browse (GET /events, /events/{{id}}; cached)", connections, duration, async () =>
            {
                using var response = await http.GetAsync(paths[Interlocked.Increment(ref next) % paths.Length], HttpCompletionOption.ResponseContentRead);
                if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"HTTP {(int)response.StatusCode}");
            }));
        }
        return results;
    }
}
