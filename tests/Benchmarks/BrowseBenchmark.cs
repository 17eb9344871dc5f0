using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TicketFlow.Benchmarks;

/// <summary>
/// Browse load against a real WebFront process (embedded mode, demo catalog, Kestrel on loopback): a mix of
/// <c>GET /events</c> with filters and <c>GET /events/{id}</c>, N connections, closed loop.
/// </summary>
public static class BrowseBenchmark
{
    public static async Task<IReadOnlyList<LoadRun.Result>> RunAsync(TimeSpan duration, int[] connectionCounts)
    {
        var webFront = Path.Combine(AppContext.BaseDirectory, "TicketFlow.WebFront.dll");
        var folder = Directory.CreateTempSubdirectory("tf-browse-").FullName;
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [webFront, "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
            Environment =
            {
                ["TICKETFLOW_DATA"] = Path.Combine(folder, "ticketflow.db"),
                ["Management__Port"] = FreePort().ToString(),
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Logging__LogLevel__Default"] = "Warning",
            },
        };
        using var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connectionCounts.Max(), PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            };
            await WaitUntilReadyAsync(http);
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
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task WaitUntilReadyAsync(HttpClient http)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await http.GetAsync("/api/v1/events/evt_demo_050");
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) when (clock.Elapsed < TimeSpan.FromSeconds(60))
            {
            }
            if (clock.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("WebFront did not start within 60 s.");
            await Task.Delay(100);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
