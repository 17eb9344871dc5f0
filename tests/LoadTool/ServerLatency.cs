using System.Globalization;
using System.Text.RegularExpressions;

namespace TicketFlow.LoadTool;

/// <summary>
/// The WebFronts' own view of latency: ASP.NET Core's <c>http.server.request.duration</c> histogram, exported by each WebFront
/// at /metrics on its management port (<c>http_server_request_duration_seconds_bucket</c>), read before and after the run.
/// Beside the tool's numbers it shows how much of a latency is the server and how much is waiting in the client or nginx.
/// Bucket bounds are coarse (…, 100, 250, 500 ms, 1, 2.5 s, …): a percentile is reported as the bound it falls under.
/// </summary>
public sealed partial class ServerLatency(IReadOnlyList<Uri> managementEndpoints)
{
    private const string Histogram = "http_server_request_duration_seconds_bucket";
    private Dictionary<(string Route, double Bound), double> before = [];

    public static async Task<ServerLatency?> ForClusterAsync(LocalCluster? cluster)
    {
        if (cluster is null) return null;
        try
        {
            var ports = (await cluster.MembersAsync()).Where(m => m.Name.StartsWith("webfront-", StringComparison.Ordinal))
                .Select(m => m.ManagementPort).OfType<int>().ToList();
            return ports.Count == 0 ? null : new ServerLatency(ports.Select(p => new Uri($"http://127.0.0.1:{p}")).ToList());
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    public async Task StartAsync(HttpClient http) => before = await ScrapeAsync(http);

    /// <returns>Per "METHOD route": requests and p50/p95/p99 upper bounds in ms, over the run.</returns>
    public async Task<IReadOnlyList<ServerRoute>> StopAsync(HttpClient http)
    {
        var after = await ScrapeAsync(http);
        return after.GroupBy(b => b.Key.Route).Select(route =>
        {
            var buckets = route.Select(b => (Bound: b.Key.Bound, Count: b.Value - before.GetValueOrDefault(b.Key))).OrderBy(b => b.Bound).ToList();
            var total = buckets.Count == 0 ? 0 : buckets[^1].Count;
            // Null when it falls in the open-ended bucket (beyond the largest bound, 10 s).
            double? Percentile(double q) => buckets.First(b => b.Count >= q * total).Bound is var bound && double.IsFinite(bound) ? bound * 1000 : null;
            return new ServerRoute(route.Key, total, Percentile(0.5), Percentile(0.95), Percentile(0.99));
        }).Where(r => r.Requests > 0).OrderBy(r => r.Route, StringComparer.Ordinal).ToList();
    }

    // Cumulative bucket counts per (METHOD route, bound), summed over statuses and WebFronts.
    private async Task<Dictionary<(string Route, double Bound), double>> ScrapeAsync(HttpClient http)
    {
        var sums = new Dictionary<(string, double), double>();
        foreach (var endpoint in managementEndpoints)
        {
            string text;
            try { text = await http.GetStringAsync(new Uri(endpoint, "/metrics")); }
            catch (HttpRequestException) { continue; }
            foreach (Match sample in Bucket().Matches(text))
            {
                var labels = Label().Matches(sample.Groups["labels"].Value).ToDictionary(l => l.Groups["key"].Value, l => l.Groups["value"].Value);
                if (!labels.TryGetValue("le", out var le) || !labels.TryGetValue("http_request_method", out var method)) continue;
                var bound = le == "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture);
                var key = ($"{method} {labels.GetValueOrDefault("http_route", "unmatched")}", bound);
                sums[key] = sums.GetValueOrDefault(key) + double.Parse(sample.Groups["count"].Value, CultureInfo.InvariantCulture);
            }
        }
        return sums;
    }

    [GeneratedRegex("^" + Histogram + """\{(?<labels>[^}]*)\} (?<count>\S+)""", RegexOptions.Multiline)]
    private static partial Regex Bucket();

    [GeneratedRegex("(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=\"(?<value>[^\"]*)\"")]
    private static partial Regex Label();
}

/// <param name="P50">Upper bound in ms of the bucket the median falls in; null beyond the largest bound (10 s).</param>
public sealed record ServerRoute(string Route, double Requests, double? P50, double? P95, double? P99);
