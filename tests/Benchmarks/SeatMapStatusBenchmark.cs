using System.Net;
using System.Text.Json;

namespace TicketFlow.Benchmarks;

/// <summary>
/// <c>GET /events/{id}/seatmap/status</c> of the demo stadium (evt_demo_053, ~50,000 seats) under <c>wrk</c> on a WebFront process
/// (embedded, demo catalog): req/s, p50/p95/p99 (target p95 &lt; 20 ms) and CPU per request, once per encoding a browser may ask for,
/// and the payload's bytes raw, gzip and br.
/// </summary>
public static class SeatMapStatusBenchmark
{
    public const double TargetP95Ms = 20;
    private const string Path = "/api/v1/events/evt_demo_053/seatmap/status";

    private static async Task<int> SlotsAsync(HttpClient raw)
    {
        using var status = JsonDocument.Parse(await raw.GetStringAsync(Path));
        return status.RootElement.GetProperty("sections").EnumerateArray().Sum(s => Convert.FromBase64String(s.GetProperty("bits").GetString()!).Length * 4);
    }

    public static async Task RunAsync(TimeSpan duration, int[] connectionCounts)
    {
        if (!File.Exists("/usr/bin/wrk")) throw new InvalidOperationException("wrk is missing: apt-get install -y wrk");
        await using var webFront = await WebFrontProcess.StartAsync();
        var script = System.IO.Path.Combine(webFront.Folder, "report.lua");
        await File.WriteAllTextAsync(script, PagesBenchmark.ReportScript);

        using var raw = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = new Uri(webFront.BaseUrl) };
        // The embedded WebFront configures the demo events' section grains in the background after seeding; until then the status carries
        // empty bitmaps for the sections not configured yet. Measure the whole map: wait (with a deadline) until every seat is in it.
        var pointer = JsonDocument.Parse(await raw.GetStringAsync("/api/v1/events/evt_demo_053/seatmap")).RootElement;
        var layout = JsonDocument.Parse(await raw.GetStringAsync(pointer.GetProperty("url").GetString()!)).RootElement;
        var layoutSeats = layout.GetProperty("sections").EnumerateArray().Sum(s => s.GetProperty("rows").EnumerateArray().Sum(r => r.GetProperty("seats").GetArrayLength()));
        var waited = System.Diagnostics.Stopwatch.StartNew();
        int slots;
        while ((slots = await SlotsAsync(raw)) < layoutSeats)
        {
            if (waited.Elapsed > TimeSpan.FromMinutes(3)) throw new TimeoutException($"the status still carries {slots} of {layoutSeats} seats after 3 minutes");
            await Task.Delay(500);
        }
        Console.Error.WriteLine($"the status covered all {layoutSeats:N0} seats after {waited.Elapsed.TotalSeconds:0.0} s");
        var sizes = new Dictionary<string, (long Bytes, string Encoding)>();
        string? summary = null;
        foreach (var encoding in new[] { "identity", "gzip", "br" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Path) { Headers = { { "Accept-Encoding", encoding } } };
            using var response = await raw.SendAsync(request);
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadAsByteArrayAsync();
            sizes[encoding] = (body.Length, string.Join(",", response.Content.Headers.ContentEncoding.DefaultIfEmpty("identity")));
            if (encoding == "identity")
            {
                var sections = JsonDocument.Parse(body).RootElement.GetProperty("sections");
                summary = $"{sections.GetArrayLength()} sections, {sections.EnumerateArray().Sum(s => Convert.FromBase64String(s.GetProperty("bits").GetString()!).Length) * 4:N0} 2-bit slots";
            }
        }

        summary += $"; the layout has {layoutSeats:N0} seats; the status covered them all {waited.Elapsed.TotalSeconds:0} s after start";

        var rows = new List<(string Encoding, int Connections, PagesBenchmark.WrkResult Result, double WebFrontUs, double WrkUs)>();
        foreach (var connections in connectionCounts)
            foreach (var encoding in new[] { "identity", "gzip", "br" })
            {
                var (result, webFrontCpu, wrkCpu) = await PagesBenchmark.MeasureAsync(webFront, duration, seconds =>
                    [PagesBenchmark.Wrk(script, webFront.BaseUrl + Path, connections, seconds, null, $"Accept-Encoding: {encoding}")]);
                rows.Add((encoding, connections, result, webFrontCpu.TotalMicroseconds / Math.Max(1, result.Requests), wrkCpu.TotalMicroseconds / Math.Max(1, result.Requests)));
            }

        Console.WriteLine($"{Environment.ProcessorCount} cores; {duration.TotalSeconds} s per row; wrk -t1; GET {Path} ({summary}); the map did not change during the run");
        Console.WriteLine();
        Console.WriteLine("| Accept-Encoding | answered with | payload bytes |");
        Console.WriteLine("|---|---|---:|");
        foreach (var (encoding, (bytes, answered)) in sizes) Console.WriteLine($"| {encoding} | {answered} | {bytes:N0} |");
        Console.WriteLine();
        Console.WriteLine($"| Accept-Encoding | connections | req/s | p50 ms | p95 ms | p99 ms | errors | WebFront CPU µs/req | wrk CPU µs/req | MB/s on the wire | p95 < {TargetP95Ms:0} ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var (encoding, connections, r, webFrontUs, wrkUs) in rows)
            Console.WriteLine($"| {encoding} | {connections} | {r.Requests / r.Seconds:N0} | {r.P50Ms:0.0} | {r.P95Ms:0.0} | {r.P99Ms:0.0} | {r.Errors} | {webFrontUs:N0} | {wrkUs:N0} | " +
                $"{r.Requests / r.Seconds * sizes[encoding].Bytes / 1e6:N1} | {(r.P95Ms < TargetP95Ms ? "met" : "not met")} |");
    }
}
