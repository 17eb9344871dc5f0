using System.Globalization;
using System.Text.RegularExpressions;

namespace TicketFlow.LoadTool;

/// <summary>
/// The WebFronts' own view of latency: their <c>tf_http_request_duration_seconds</c> histograms (at /metrics of each
/// WebFront) read before and after the run. Beside the tool's numbers it shows how much of a latency is the server and
/// how much is waiting in the client or nginx. Bucket bounds are coarse (…, 100, 250, 500 ms, 1, 2.5 s, …): a
/// percentile is reported as the bound it falls under.
/// </summary>
public sealed partial class ServerLatency(IReadOnlyList<Uri> webFronts)
{
    private Dictionary<(string Route, double Bound), double> before = [];

    public static async Task<ServerLatency?> ForClusterAsync(LocalCluster? cluster)
    {
        if (cluster is null) return null;
        try
        {
            var ports = (await cluster.MembersAsync()).Where(m => m.Name.StartsWith("webfront-", StringComparison.Ordinal))
                .Select(m => m.Port).OfType<int>().ToList();
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
        foreach (var webFront in webFronts)
        {
            string text;
            try { text = await http.GetStringAsync(new Uri(webFront, "/metrics")); }
            catch (HttpRequestException) { continue; }
            foreach (Match m in Bucket().Matches(text))
            {
                var bound = m.Groups["le"].Value == "+Inf" ? double.PositiveInfinity : double.Parse(m.Groups["le"].Value, CultureInfo.InvariantCulture);
                var key = ($"{m.Groups["method"].Value} {m.Groups["route"].Value}", bound);
                sums[key] = sums.GetValueOrDefault(key) + double.Parse(m.Groups["count"].Value, CultureInfo.InvariantCulture);
            }
        }
        return sums;
    }

    [GeneratedRegex("""^tf_http_request_duration_seconds_bucket\{route="(?<route>[^"]*)",method="(?<method>[^"]*)",status="[^"]*",le="(?<le>[^"]*)"\} (?<count>\S+)$""", RegexOptions.Multiline)]
    private static partial Regex Bucket();
}

/// <param name="P50">Upper bound in ms of the bucket the median falls in; null beyond the largest bound (10 s).</param>
public sealed record ServerRoute(string Route, double Requests, double? P50, double? P95, double? P99);
