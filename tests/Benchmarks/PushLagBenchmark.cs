using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Diagnostics.NETCore.Client;

namespace TicketFlow.Benchmarks;

/// <summary>
/// Push lag of the availability hub: a WebFront process (embedded mode), N SignalR clients (WebSockets, negotiated) watching
/// one event, one-seat holds every 300 ms through the API. Lag = from the moment a hold's 201 reaches this probe to each
/// client's <c>availability</c> message showing that hold. Memory per idle connection = (RSS after a full GC with the
/// clients connected − RSS after a full GC before they connected) / N; descriptors the same way from /proc/&lt;pid&gt;/fd.
/// Each row runs once under Server GC and once under Workstation GC (a WebFront process each).
/// </summary>
public static class PushLagBenchmark
{
    private static readonly TimeSpan HoldEvery = TimeSpan.FromMilliseconds(300);
    private const int HoldsPerTier = 90; // below the tier's per-user limit (100): hold k goes to tier (k - 1) / 90

    public sealed record Row(string Gc, int Clients, int Connected, int Holds, long Expected, long Received, double P50, double P95, double P99,
        double RssKbPerConnection, double DescriptorsPerConnection, double WebFrontCpu, double ProbeCpu);

    public static async Task RunAsync(int[] clientCounts, TimeSpan duration, string[] gcModes)
    {
        var rows = new List<Row>();
        foreach (var gc in gcModes)
        {
            var port = HoldsBenchmark.FreePort();
            var folder = Directory.CreateTempSubdirectory("tf-pushlag-").FullName;
            using var web = StartWebFront(port, folder, gc == "server", clientCounts.Max());
            try
            {
                using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
                await HoldsBenchmark.WaitUntilReadyAsync(http);
                var admin = await HoldsBenchmark.LoginAsync(http, "bench@ticketflow.test");
                foreach (var clients in clientCounts)
                {
                    rows.Add(await RunRowAsync(http, admin, web, port, gc, clients, duration));
                    Print([rows[^1]], Console.Error);
                }
            }
            finally
            {
                web.Kill(entireProcessTree: true);
                await web.WaitForExitAsync();
                Directory.Delete(folder, recursive: true);
            }
        }
        Console.WriteLine();
        Print(rows, Console.Out);
    }

    private static async Task<Row> RunRowAsync(HttpClient http, string admin, Process web, int port, string gc, int clientCount, TimeSpan duration)
    {
        var (eventId, tierIds) = await HoldsBenchmark.CreateEventAsync(http, admin);
        var maxHolds = Math.Min((int)(duration / HoldEvery) + 1, HoldsPerTier * tierIds.Length);
        // arrivals[k][i]: when client i saw hold k's tier's held count include it (hold k's message); 0 = not seen.
        var arrivals = Enumerable.Range(0, maxHolds + 1).Select(_ => new long[clientCount]).ToArray();
        var confirmed = new long[maxHolds + 1];

        var (rssBefore, fdsBefore) = await SteadyStateAsync(web.Id);
        var connections = new HubConnection?[clientCount];
        var failures = new ConcurrentBag<string>();
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, clientCount, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
        {
            var connection = new HubConnectionBuilder().WithUrl($"http://127.0.0.1:{port}/hubs/availability", HttpTransportType.WebSockets).Build();
            connection.On<Message>("availability", message =>
            {
                var now = Stopwatch.GetTimestamp();
                foreach (var tier in message.Tiers)
                {
                    var k = Array.IndexOf(tierIds, tier.TierId) * HoldsPerTier + tier.Held;
                    if (tier.Held > 0 && k <= maxHolds) arrivals[k][i] = now;
                }
            });
            try
            {
                await connection.StartAsync();
                await connection.InvokeAsync<Message?>("Subscribe", eventId);
                connections[i] = connection;
            }
            catch (Exception error)
            {
                failures.Add(error.Message);
                await connection.DisposeAsync();
            }
        });
        var connected = connections.Count(c => c is not null);
        Console.Error.WriteLine($"  {gc} GC: {connected:N0} of {clientCount:N0} clients connected in {clock.Elapsed.TotalSeconds:0.0} s{(failures.IsEmpty ? "" : $"; first failure: {failures.First()}")}");
        var (rssAfter, fdsAfter) = await SteadyStateAsync(web.Id);

        var (webCpu, probeCpu) = (CpuSeconds(web), CpuSeconds(Process.GetCurrentProcess()));
        clock.Restart();
        var holds = 0;
        using (var ticks = new PeriodicTimer(HoldEvery))
        {
            while (holds < maxHolds && clock.Elapsed < duration && await ticks.WaitForNextTickAsync())
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/holds")
                {
                    Content = JsonContent.Create(new { eventId, items = new[] { new { tierId = tierIds[holds / HoldsPerTier], quantity = 1 } } }),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
                request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
                using var response = await http.SendAsync(request);
                if (response.StatusCode != HttpStatusCode.Created)
                    throw new InvalidOperationException($"hold: HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                confirmed[++holds] = Stopwatch.GetTimestamp();
            }
        }
        // The last hold's messages: wait for them (or 5 s), then stop the clocks.
        var wait = Stopwatch.StartNew();
        while (wait.Elapsed < TimeSpan.FromSeconds(5) && Enumerable.Range(0, clientCount).Any(i => connections[i] is not null && arrivals[holds][i] == 0))
            await Task.Delay(50);
        var elapsed = clock.Elapsed.TotalSeconds;
        (webCpu, probeCpu) = ((CpuSeconds(web) - webCpu) / elapsed, (CpuSeconds(Process.GetCurrentProcess()) - probeCpu) / elapsed);

        var lags = new List<double>(holds * connected);
        for (var k = 1; k <= holds; k++)
            for (var i = 0; i < clientCount; i++)
                if (connections[i] is not null && arrivals[k][i] != 0)
                    lags.Add(Math.Max(0, Stopwatch.GetElapsedTime(confirmed[k], arrivals[k][i]).TotalMilliseconds)); // a push may beat the 201
        lags.Sort();
        await Parallel.ForEachAsync(connections.Where(c => c is not null), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (c, _) => await c!.DisposeAsync());

        return new Row(gc, clientCount, connected, holds, (long)holds * connected, lags.Count, Percentile(lags, 0.50), Percentile(lags, 0.95), Percentile(lags, 0.99),
            (rssAfter - rssBefore) / 1024.0 / Math.Max(1, connected), (fdsAfter - fdsBefore) / (double)Math.Max(1, connected), webCpu, probeCpu);
    }

    /// <summary>The WebFront's RSS and descriptor count after it settles and runs a full, blocking GC.</summary>
    private static async Task<(long Rss, int Descriptors)> SteadyStateAsync(int pid)
    {
        await Task.Delay(TimeSpan.FromSeconds(3)); // connection setup's garbage and closing negotiate sockets settle
        // An EventPipe session asking for GCHeapCollect makes the runtime run a full blocking GC (as dotnet-gcdump does).
        const long GcHeapCollect = 0x800000;
        var session = new DiagnosticsClient(pid).StartEventPipeSession(
            new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, GcHeapCollect), requestRundown: false);
        var drain = session.EventStream.CopyToAsync(Stream.Null);
        await Task.Delay(TimeSpan.FromSeconds(2));
        await session.StopAsync(CancellationToken.None);
        await drain;
        session.Dispose();
        var rssKb = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        return (long.Parse(rssKb) * 1024, Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length);
    }

    private static Process StartWebFront(int port, string folder, bool serverGc, int clients)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "TicketFlow.WebFront.dll"), "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
            Environment =
            {
                ["TICKETFLOW_DATA"] = Path.Combine(folder, "ticketflow.db"),
                ["Management__Port"] = HoldsBenchmark.FreePort().ToString(),
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["DOTNET_gcServer"] = serverGc ? "1" : "0",
                ["Logging__LogLevel__Default"] = "Warning",
                ["Logging__LogLevel__TicketFlow.WebFront.Availability.HubAdmission"] = "Information",
                ["TICKETFLOW_ADMIN_EMAIL"] = "bench@ticketflow.test",
                ["TICKETFLOW_ADMIN_PASSWORD"] = HoldsBenchmark.Password,
                ["RateLimits__Purchase__PermitLimit"] = "100000000",
                ["Purchases__MaxSeatsPerUserPerEvent"] = "100000",
                // Every probe client comes from 127.0.0.1: the per-address cap is raised for the run.
                ["Hub__MaxConnectionsPerAddress"] = (clients + 100).ToString(),
            },
        };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, line) => { if (line.Data?.Contains("hub admits", StringComparison.Ordinal) == true) Console.Error.WriteLine("  WebFront: " + line.Data.Trim()); };
        process.BeginOutputReadLine();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    private static double CpuSeconds(Process process)
    {
        process.Refresh();
        return process.TotalProcessorTime.TotalSeconds;
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Count - 1, p * sorted.Count)];

    private static void Print(IEnumerable<Row> rows, TextWriter to)
    {
        to.WriteLine("| GC | clients | connected | holds | messages / expected | p50 ms | p95 ms | p99 ms | RSS KB / connection | descriptors / connection | WebFront CPU (cores) | probe CPU (cores) |");
        to.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
            to.WriteLine($"| {r.Gc} | {r.Clients:N0} | {r.Connected:N0} | {r.Holds} | {r.Received:N0} / {r.Expected:N0} | {r.P50:0} | {r.P95:0} | {r.P99:0} | {r.RssKbPerConnection:0.0} | {r.DescriptorsPerConnection:0.00} | {r.WebFrontCpu:0.00} | {r.ProbeCpu:0.00} |");
    }

    private sealed record Message(string EventId, TierMessage[] Tiers, DateTimeOffset AsOf);

    private sealed record TierMessage(string TierId, int Available, int Held, int Sold, int Capacity);
}
