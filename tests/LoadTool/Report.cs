using System.Globalization;
using System.Text;
using System.Text.Json;

namespace TicketFlow.LoadTool;

/// <summary>The end of a run: the table on stdout, results.json and chart.svg (throughput and p95 per second) in the output folder.</summary>
public static class Report
{
    public static void PrintTable(ScenarioResult result, Recorder recorder, IReadOnlyList<ServerRoute> server, TextWriter output)
    {
        var seconds = Math.Max(recorder.Elapsed.TotalSeconds, 0.001);
        output.WriteLine();
        output.WriteLine($"Scenario {result.Scenario}: {string.Join(", ", result.Parameters.Select(p => $"{p.Key} {p.Value}"))}");
        output.WriteLine($"{seconds:0.0} s measured, {recorder.TotalRequests:N0} requests, {Environment.ProcessorCount} cores");
        output.WriteLine();
        output.WriteLine($"| {"endpoint",-40} | {"requests",9} | {"req/s",8} | {"p50 ms",8} | {"p95 ms",8} | {"p99 ms",8} | {"max ms",8} | {"not 2xx",7} |");
        output.WriteLine($"|{new string('-', 42)}|{new string('-', 11)}|{new string('-', 10)}|{new string('-', 10)}|{new string('-', 10)}|{new string('-', 10)}|{new string('-', 10)}|{new string('-', 9)}|");
        foreach (var (endpoint, stats) in recorder.Endpoints)
        {
            var h = stats.Latency;
            output.WriteLine($"| {endpoint,-40} | {h.Count,9:N0} | {h.Count / seconds,8:N0} | {h.PercentileMs(0.5),8:0.0} | {h.PercentileMs(0.95),8:0.0} | {h.PercentileMs(0.99),8:0.0} | {h.MaxMs,8:0.0} | {h.Count - stats.Successes,7:N0} |");
        }
        if (server.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("Server side: the WebFronts' own request histograms over the run (all WebFronts; a percentile is the bucket bound it falls under):");
            output.WriteLine($"| {"route",-48} | {"requests",9} | {"p50 ≤ ms",9} | {"p95 ≤ ms",9} | {"p99 ≤ ms",9} |");
            output.WriteLine($"|{new string('-', 50)}|{new string('-', 11)}|{new string('-', 11)}|{new string('-', 11)}|{new string('-', 11)}|");
            foreach (var route in server)
                output.WriteLine($"| {route.Route,-48} | {route.Requests,9:N0} | {Bound(route.P50),9} | {Bound(route.P95),9} | {Bound(route.P99),9} |");
        }
        var failures = recorder.Endpoints.SelectMany(e => e.Stats.Outcomes.Where(o => o.Key != "2xx").Select(o => (e.Endpoint, Outcome: o.Key, Count: o.Value)))
            .OrderByDescending(f => f.Count).ToList();
        if (failures.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("Responses other than 2xx, by status and code (409 sold_out and 402 payment_declined are answers, not faults):");
            foreach (var (endpoint, outcome, count) in failures) output.WriteLine($"  {count,9:N0}  {outcome,-36} {endpoint}");
        }
        output.WriteLine();
        foreach (var (name, value, unit) in result.Figures)
            output.WriteLine($"  {name,-48} {(double.IsNaN(value) ? "-" : value.ToString(value == Math.Floor(value) && Math.Abs(value) < 1e12 ? "N0" : "N2", CultureInfo.InvariantCulture)),12} {unit}");
        if (result.Violations.Count > 0)
        {
            output.WriteLine();
            output.WriteLine($"Client-side checks FAILED ({result.Violations.Count}):");
            foreach (var violation in result.Violations.Take(10)) output.WriteLine("  " + violation);
        }
    }

    public static void WriteFiles(string folder, ScenarioResult result, Recorder recorder, IReadOnlyList<ServerRoute> server, IReadOnlyList<string> chaosEvents,
        IReadOnlyList<Auditor.Check>? audit)
    {
        Directory.CreateDirectory(folder);
        var seconds = Math.Max(recorder.Elapsed.TotalSeconds, 0.001);
        var timeline = recorder.Timeline.ToList();
        var json = new
        {
            scenario = result.Scenario,
            parameters = result.Parameters,
            finishedAt = DateTimeOffset.UtcNow,
            cores = Environment.ProcessorCount,
            seconds,
            endpoints = recorder.Endpoints.Select(e => new
            {
                endpoint = e.Endpoint, requests = e.Stats.Latency.Count, perSecond = e.Stats.Latency.Count / seconds,
                p50Ms = e.Stats.Latency.PercentileMs(0.5), p95Ms = e.Stats.Latency.PercentileMs(0.95), p99Ms = e.Stats.Latency.PercentileMs(0.99), maxMs = e.Stats.Latency.MaxMs,
                outcomes = e.Stats.Outcomes.OrderByDescending(o => o.Value).ToDictionary(),
            }),
            server = server.Select(r => new { route = r.Route, requests = r.Requests, p50MsAtMost = r.P50, p95MsAtMost = r.P95, p99MsAtMost = r.P99 }),
            figures = result.Figures.Select(f => new { name = f.Name, value = double.IsNaN(f.Value) ? (double?)null : f.Value, unit = f.Unit }),
            violations = result.Violations,
            chaos = chaosEvents,
            audit = audit?.Select(c => new { name = c.Name, passed = c.Passed, detail = c.Detail, examples = c.Examples }),
            timeline = timeline.Select(t => new
            {
                second = t.Second, requests = t.Stats.Requests, failures = t.Stats.Failures,
                p95Ms = t.Stats.Latency.PercentileMs(0.95), holdP95Ms = t.Stats.HoldLatency.Count == 0 ? (double?)null : t.Stats.HoldLatency.PercentileMs(0.95),
            }),
        };
        File.WriteAllText(Path.Combine(folder, "results.json"), JsonSerializer.Serialize(json, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
        File.WriteAllText(Path.Combine(folder, "chart.svg"), Chart(result, timeline, chaosEvents));
    }

    /// <summary>Requests per second (left axis) and p95 per second, all requests and holds (right axis); chaos events as markers.</summary>
    private static string Chart(ScenarioResult result, List<(int Second, Recorder.Second Stats)> timeline, IReadOnlyList<string> chaosEvents)
    {
        const int width = 960, height = 400, left = 70, right = 70, top = 40, bottom = 50;
        var plotWidth = width - left - right;
        var plotHeight = height - top - bottom;
        var lastSecond = Math.Max(1, timeline.Count == 0 ? 1 : timeline[^1].Second + 1);
        var maxRate = Nice(timeline.Count == 0 ? 1 : timeline.Max(t => t.Stats.Requests));
        var maxLatency = Nice(timeline.Count == 0 ? 1 : timeline.Max(t => Math.Max(t.Stats.Latency.PercentileMs(0.95), t.Stats.HoldLatency.PercentileMs(0.95))));
        string X(double second) => (left + second / lastSecond * plotWidth).ToString("0.0", CultureInfo.InvariantCulture);
        string Y(double value, double max) => (top + plotHeight - value / max * plotHeight).ToString("0.0", CultureInfo.InvariantCulture);
        string Line(IEnumerable<(int Second, double Value)> points, double max) => string.Join(' ', points.Select(p => $"{X(p.Second + 0.5)},{Y(p.Value, max)}"));

        var svg = new StringBuilder();
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">""");
        svg.AppendLine("""<rect width="100%" height="100%" fill="white"/>""");
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{left}" y="22" font-size="15">TicketFlow load tool: {Escape(result.Scenario)}, {Escape(string.Join(", ", result.Parameters.Where(p => p.Key != "event").Select(p => $"{p.Key} {p.Value}")))}</text>""");
        for (var i = 0; i <= 4; i++)
        {
            var y = top + plotHeight * i / 4.0;
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<line x1="{left}" x2="{width - right}" y1="{y:0.0}" y2="{y:0.0}" stroke="#ddd"/>""");
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{left - 6}" y="{y + 4:0.0}" text-anchor="end" fill="#1f77b4">{maxRate * (4 - i) / 4:0}</text>""");
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{width - right + 6}" y="{y + 4:0.0}" fill="#d62728">{maxLatency * (4 - i) / 4:0.#}</text>""");
        }
        for (var i = 0; i <= 10; i++)
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{X(lastSecond * i / 10.0)}" y="{height - bottom + 18}" text-anchor="middle">{lastSecond * i / 10.0:0}</text>""");
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{left + plotWidth / 2}" y="{height - 10}" text-anchor="middle">seconds</text>""");
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="16" y="{top + plotHeight / 2}" transform="rotate(-90 16 {top + plotHeight / 2})" text-anchor="middle" fill="#1f77b4">requests / s</text>""");
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{width - 14}" y="{top + plotHeight / 2}" transform="rotate(90 {width - 14} {top + plotHeight / 2})" text-anchor="middle" fill="#d62728">p95 latency, ms</text>""");
        foreach (var line in chaosEvents)
        {
            if (!double.TryParse(line.TrimStart().Split('s')[0], CultureInfo.InvariantCulture, out var at)) continue;
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<line x1="{X(at)}" x2="{X(at)}" y1="{top}" y2="{top + plotHeight}" stroke="#999" stroke-dasharray="3,3"><title>{Escape(line.Trim())}</title></line>""");
        }
        svg.AppendLine($"""<polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="{Line(timeline.Select(t => (t.Second, (double)t.Stats.Requests)), maxRate)}"/>""");
        svg.AppendLine($"""<polyline fill="none" stroke="#d62728" stroke-width="1.5" points="{Line(timeline.Select(t => (t.Second, t.Stats.Latency.PercentileMs(0.95))), maxLatency)}"/>""");
        var holds = timeline.Where(t => t.Stats.HoldLatency.Count > 0).Select(t => (t.Second, t.Stats.HoldLatency.PercentileMs(0.95))).ToList();
        if (holds.Count > 0) svg.AppendLine($"""<polyline fill="none" stroke="#ff7f0e" stroke-width="1.5" stroke-dasharray="5,3" points="{Line(holds, maxLatency)}"/>""");
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{left + 10}" y="{top + 16}" fill="#1f77b4">— requests/s</text><text x="{left + 120}" y="{top + 16}" fill="#d62728">— p95, all requests</text><text x="{left + 270}" y="{top + 16}" fill="#ff7f0e">- - p95, POST /holds</text><text x="{left + 420}" y="{top + 16}" fill="#999">┆ chaos event</text>""");
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static string Bound(double? ms) => ms?.ToString("0.#", CultureInfo.InvariantCulture) ?? "> 10000";

    private static double Nice(double max)
    {
        if (max <= 0) return 1;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(max)));
        return new[] { 1, 2, 2.5, 5, 10 }.Select(f => f * magnitude).First(v => v >= max);
    }

    private static string Escape(string text) => System.Security.SecurityElement.Escape(text);
}
