using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Diagnostics.NETCore.Client;

namespace TicketFlow.Benchmarks;

/// <summary>
/// Push lag of the availability hub: N SignalR clients (WebSockets, negotiated) watching one event, one-seat holds every
/// 300 ms through the API. Lag = from the moment a hold's 201 reaches this probe to each client's <c>availability</c>
/// message showing that hold. Memory per idle connection = (RSS after a full GC with the clients connected − RSS after a
/// full GC before they connected) / N, summed over the WebFront processes; descriptors the same way from /proc/&lt;pid&gt;/fd.
/// The clients come from 127.0.0.1, 127.0.0.2, … (<see cref="ClientsPerAddress"/> each), as a crowd comes from many
/// addresses: the hub's per-address cap stays at its default, and nginx's hash spreads them over the WebFronts.
/// Targets: a WebFront process in embedded mode, once under Server GC and once under Workstation GC; or, given
/// <c>--cluster-state</c>, the local cluster's nginx and every WebFront behind it (<c>deploy/AppHost</c>). Probes: .NET
/// SignalR clients, and <see cref="LeanHubClient"/>s (the same bytes on the wire for a third of the probe's CPU).
/// </summary>
public static class PushLagBenchmark
{
    private static readonly TimeSpan HoldEvery = TimeSpan.FromMilliseconds(300);
    private const int HoldsPerTier = 90; // below the tier's per-user limit (100): hold k goes to tier (k - 1) / 90
    private const int ClientsPerAddress = 200; // below the hub's default per-address cap (256)
    private const string AdminEmail = "bench@ticketflow.test";

    /// <summary>The probe's clients: .NET <see cref="HubConnection"/>s, or <see cref="LeanHubClient"/>s.</summary>
    public enum Probe { SignalR, Lean }

    public sealed record Row(string Target, string Probe, int Clients, int Connected, int Holds, long Expected, long Received, double P50, double P95, double P99,
        double RssKbPerConnection, double DescriptorsPerConnection, double WebFrontCpu, double ProbeCpu);

    /// <summary>Where the hub is: the public URL (nginx or a WebFront) and the WebFront processes behind it.</summary>
    private sealed record Target(string Name, HttpClient Http, int[] WebFrontPids);

    public static async Task RunAsync(int[] clientCounts, TimeSpan duration, string[] gcModes, Probe[] probes, string? clusterState)
    {
        var rows = new List<Row>();
        if (clusterState is not null)
        {
            using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { Timeout = TimeSpan.FromSeconds(60) };
            var target = ClusterTarget(clusterState, http);
            Console.Error.WriteLine($"  cluster at {http.BaseAddress}: WebFront pids {string.Join(", ", target.WebFrontPids)}");
            await RunRowsAsync(target, probes, clientCounts, duration, rows);
        }
        else
        {
            foreach (var gc in gcModes)
            {
                await using var web = await WebFrontProcess.StartAsync(
                    ("DOTNET_gcServer", gc == "server" ? "1" : "0"),
                    ("Logging:LogLevel:TicketFlow.WebFront.Availability.HubAdmission", "Information"),
                    ("TICKETFLOW_ADMIN_EMAIL", AdminEmail),
                    ("TICKETFLOW_ADMIN_PASSWORD", HoldsBenchmark.Password),
                    ("RateLimits:Purchase:PermitLimit", "100000000"),
                    ("Purchases:MaxSeatsPerUserPerEvent", "100000"));
                await RunRowsAsync(new Target($"one WebFront, {gc} GC", web.Http, [web.Pid]), probes, clientCounts, duration, rows);
                foreach (var line in web.Output.Where(l => l.Contains("hub admits", StringComparison.Ordinal))) Console.Error.WriteLine("  WebFront: " + line.Trim());
            }
        }
        Console.WriteLine();
        Print(rows, Console.Out);
    }

    private static async Task RunRowsAsync(Target target, Probe[] probes, int[] clientCounts, TimeSpan duration, List<Row> rows)
    {
        var admin = await HoldsBenchmark.LoginAsync(target.Http, AdminEmail);
        foreach (var clients in clientCounts)
        {
            foreach (var probe in probes)
            {
                // Memory per connection only where the process has not held this many connections before (the first
                // probe at each count, counts rising): a freed crowd's memory stays with the process and the next
                // crowd reuses it, so a later row would show almost no growth.
                rows.Add(await RunRowAsync(target, probe, admin, clients, duration, measureMemory: probe == probes[0]));
                Print([rows[^1]], Console.Error);
            }
        }
    }

    /// <summary>The local cluster from its cluster.json (deploy/AppHost): nginx's URL and the running WebFronts' pids.</summary>
    private static Target ClusterTarget(string stateFile, HttpClient http)
    {
        var state = JsonDocument.Parse(File.ReadAllText(stateFile)).RootElement;
        http.BaseAddress = new Uri(state.GetProperty("url").GetString()!);
        var webFronts = state.GetProperty("processes").EnumerateArray()
            .Where(p => p.GetProperty("kind").GetString() == "webfront" && p.GetProperty("pid").ValueKind == JsonValueKind.Number)
            .Select(p => p.GetProperty("pid").GetInt32()).ToArray();
        if (webFronts.Length == 0) throw new InvalidOperationException($"{stateFile} lists no running WebFront");
        return new Target($"cluster: {webFronts.Length} WebFronts behind nginx", http, webFronts);
    }

    private static async Task<Row> RunRowAsync(Target target, Probe probe, string admin, int clientCount, TimeSpan duration, bool measureMemory)
    {
        var http = target.Http;
        var hub = new Uri(http.BaseAddress!, "/hubs/availability");
        var (eventId, tierIds) = await HoldsBenchmark.CreateEventAsync(http, admin);
        var maxHolds = Math.Min((int)(duration / HoldEvery) + 1, HoldsPerTier * tierIds.Length);
        // arrivals[k][i]: when client i saw hold k's tier's held count include it (hold k's message); 0 = not seen.
        var arrivals = Enumerable.Range(0, maxHolds + 1).Select(_ => new long[clientCount]).ToArray();
        var confirmed = new long[maxHolds + 1];

        var (rssBefore, fdsBefore) = await SteadyStateAsync(target.WebFrontPids);
        var connections = new IAsyncDisposable?[clientCount];
        var failures = new ConcurrentBag<string>();
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, clientCount, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
        {
            void OnAvailability(Message message)
            {
                var now = Stopwatch.GetTimestamp();
                // A message shows every hold up to its held count: holds that came close together may share one
                // (each WebFront coalesces changes for 100 ms), and the first message showing a hold is its arrival.
                foreach (var tier in message.Tiers)
                {
                    var first = Array.IndexOf(tierIds, tier.TierId) * HoldsPerTier + 1;
                    for (var k = Math.Min(first - 1 + tier.Held, maxHolds); k >= first && arrivals[k][i] == 0; k--) arrivals[k][i] = now;
                }
            }
            var local = new IPAddress([127, 0, 0, (byte)(1 + i / ClientsPerAddress)]);
            try
            {
                connections[i] = probe == Probe.Lean
                    ? await LeanHubClient.ConnectAsync(hub, eventId, () => From(local), json => OnAvailability(json.Deserialize<Message>(JsonSerializerOptions.Web)!))
                    : await ConnectSignalRAsync(hub, local, eventId, OnAvailability);
            }
            catch (Exception error)
            {
                failures.Add(error.Message);
            }
        });
        var connected = connections.Count(c => c is not null);
        Console.Error.WriteLine($"  {target.Name}: {connected:N0} of {clientCount:N0} clients connected in {clock.Elapsed.TotalSeconds:0.0} s{(failures.IsEmpty ? "" : $"; first failure: {failures.First()}")}");
        var (rssAfter, fdsAfter) = await SteadyStateAsync(target.WebFrontPids);

        var (webCpu, probeCpu) = (CpuSeconds(target.WebFrontPids), CpuSeconds([Environment.ProcessId]));
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
        (webCpu, probeCpu) = ((CpuSeconds(target.WebFrontPids) - webCpu) / elapsed, (CpuSeconds([Environment.ProcessId]) - probeCpu) / elapsed);

        var lags = new List<double>(holds * connected);
        for (var k = 1; k <= holds; k++)
            for (var i = 0; i < clientCount; i++)
                if (connections[i] is not null && arrivals[k][i] != 0)
                    lags.Add(Math.Max(0, Stopwatch.GetElapsedTime(confirmed[k], arrivals[k][i]).TotalMilliseconds)); // a push may beat the 201
        lags.Sort();
        await Parallel.ForEachAsync(connections.Where(c => c is not null), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (c, _) => await c!.DisposeAsync());

        return new Row(target.Name, probe == Probe.Lean ? "lean" : "SignalR client", clientCount, connected, holds, (long)holds * connected, lags.Count, Percentile(lags, 0.50), Percentile(lags, 0.95), Percentile(lags, 0.99),
            measureMemory ? (rssAfter - rssBefore) / 1024.0 / Math.Max(1, connected) : double.NaN, (fdsAfter - fdsBefore) / (double)Math.Max(1, connected), webCpu, probeCpu);
    }

    /// <summary>The WebFronts' RSS and descriptor count (summed) after they settle and each runs a full, blocking GC.</summary>
    private static async Task<(long Rss, int Descriptors)> SteadyStateAsync(int[] pids)
    {
        await Task.Delay(TimeSpan.FromSeconds(3)); // connection setup's garbage and closing negotiate sockets settle
        var states = await Task.WhenAll(pids.Select(SteadyStateAsync));
        return (states.Sum(s => s.Rss), states.Sum(s => s.Descriptors));
    }

    private static async Task<(long Rss, int Descriptors)> SteadyStateAsync(int pid)
    {
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

    /// <summary>A <see cref="HubConnection"/> subscribed to the event, its sockets (negotiate's and the WebSocket's) from <paramref name="local"/>.</summary>
    private static async Task<IAsyncDisposable> ConnectSignalRAsync(Uri hub, IPAddress local, string eventId, Action<Message> onAvailability)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(hub, HttpTransportType.WebSockets, options =>
            {
                options.HttpMessageHandlerFactory = _ => From(local);
                options.WebSocketFactory = async (context, cancellation) =>
                {
                    var socket = new ClientWebSocket();
                    await socket.ConnectAsync(context.Uri, new HttpMessageInvoker(From(local)), cancellation);
                    return socket;
                };
            })
            .Build();
        connection.On("availability", onAvailability);
        try
        {
            await connection.StartAsync();
            await connection.InvokeAsync<Message?>("Subscribe", eventId);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static SocketsHttpHandler From(IPAddress local) => new()
    {
        UseCookies = false,
        ConnectCallback = async (context, cancellation) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellation);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    private static double CpuSeconds(int[] pids) => pids.Sum(pid =>
    {
        using var process = Process.GetProcessById(pid);
        return process.TotalProcessorTime.TotalSeconds;
    });

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Count - 1, p * sorted.Count)];

    private static void Print(IEnumerable<Row> rows, TextWriter to)
    {
        to.WriteLine("| target | probe | clients | connected | holds | messages / expected | p50 ms | p95 ms | p99 ms | RSS KB / connection | descriptors / connection | WebFront CPU (cores) | probe CPU (cores) |");
        to.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
            to.WriteLine($"| {r.Target} | {r.Probe} | {r.Clients:N0} | {r.Connected:N0} | {r.Holds} | {r.Received:N0} / {r.Expected:N0} | {r.P50:0} | {r.P95:0} | {r.P99:0} | {(double.IsNaN(r.RssKbPerConnection) ? "—" : r.RssKbPerConnection.ToString("0.0"))} | {r.DescriptorsPerConnection:0.00} | {r.WebFrontCpu:0.00} | {r.ProbeCpu:0.00} |");
    }

    private sealed record Message(string EventId, TierMessage[] Tiers, DateTimeOffset AsOf);

    private sealed record TierMessage(string TierId, int Available, int Held, int Sold, int Capacity);
}
