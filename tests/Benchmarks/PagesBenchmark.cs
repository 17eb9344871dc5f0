using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace TicketFlow.Benchmarks;

/// <summary>
/// The web UI's cached pages under <c>wrk</c>: the event page and the browse page of a real WebFront process (embedded,
/// demo catalog), half the connections with a signed-in fan's session cookie and half anonymous (two wrk processes at
/// once), and the waiting room's status endpoint as the queue page polls it. Prints req/s, latency percentiles, errors
/// and the CPU per request of the WebFront and of wrk, each from the process's own counters.
/// </summary>
public static class PagesBenchmark
{
    public sealed record Row(string Name, int Connections, double RequestsPerSecond, double P50Ms, double P95Ms, double P99Ms, long Errors,
        double WebFrontCpuUsPerRequest, double WrkCpuUsPerRequest, string Note);

    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);

    public static async Task<IReadOnlyList<Row>> RunAsync(TimeSpan duration, int[] connectionCounts)
    {
        if (!File.Exists("/usr/bin/wrk")) throw new InvalidOperationException("wrk is missing: apt-get install -y wrk");
        await using var webFront = await WebFrontProcess.StartAsync();
        var http = webFront.Http;
        var cookie = await SignInAsync(http, "bench-fan@example.com");
        var script = Path.Combine(webFront.Folder, "report.lua");
        await File.WriteAllTextAsync(script, ReportScript);

        var rows = new List<Row>();
        foreach (var connections in connectionCounts)
        {
            rows.Add(await RunPairAsync(webFront, script, "event page GET /events/{id}", "/events/evt_demo_002", connections, duration, cookie));
            rows.Add(await RunPairAsync(webFront, script, "browse page GET /?q=tour", "/?q=tour", connections, duration, cookie));
        }

        // The queue page's poll: fans with tickets in a high-demand event's room (each poll as its own fan).
        var room = await FillWaitingRoomAsync(http, "evt_demo_001", fans: 200);
        await File.WriteAllTextAsync(Path.Combine(webFront.Folder, "status.lua"), StatusScript(room));
        foreach (var connections in connectionCounts)
        {
            var (result, webFrontCpu, wrkCpu) = await MeasureAsync(webFront, duration, seconds =>
                [Wrk(Path.Combine(webFront.Folder, "status.lua"), $"{webFront.BaseUrl}/api/v1/events/evt_demo_001/waiting-room/status?ticket=1", connections, seconds, null)]);
            using var sample = await http.SendAsync(StatusRequest(room[0]));
            var pollAfter = JsonDocument.Parse(await sample.Content.ReadAsStringAsync()).RootElement.GetProperty("pollAfterMs").GetInt32();
            rows.Add(ToRow("waiting-room status poll", connections, result, webFrontCpu, wrkCpu, $"pollAfterMs asked right after: {pollAfter}"));
        }
        return rows;
    }

    private static async Task<Row> RunPairAsync(WebFrontProcess webFront, string script, string name, string path, int connections, TimeSpan duration,
        string cookie)
    {
        // Warm the cache (and check both answers are the same page).
        var anonymous = await webFront.Http.GetStringAsync(path);
        using var signedInRequest = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "Cookie", cookie } } };
        using var signedIn = await webFront.Http.SendAsync(signedInRequest);
        var same = anonymous == await signedIn.Content.ReadAsStringAsync() ? "same bytes signed in and anonymous" : "DIFFERENT bytes for a signed-in fan";
        var url = webFront.BaseUrl + path;
        var (result, webFrontCpu, wrkCpu) = await MeasureAsync(webFront, duration, seconds =>
            [Wrk(script, url, Math.Max(1, connections / 2), seconds, null), Wrk(script, url, Math.Max(1, connections - connections / 2), seconds, cookie)]);
        return ToRow(name, connections, result, webFrontCpu, wrkCpu, $"half with a session cookie; {same}");
    }

    private static Row ToRow(string name, int connections, WrkResult r, TimeSpan webFrontCpu, TimeSpan wrkCpu, string note) =>
        new(name, connections, r.Requests / r.Seconds, r.P50Ms, r.P95Ms, r.P99Ms, r.Errors,
            webFrontCpu.TotalMicroseconds / Math.Max(1, r.Requests), wrkCpu.TotalMicroseconds / Math.Max(1, r.Requests), note);

    internal sealed record WrkResult(long Requests, double Seconds, double P50Ms, double P95Ms, double P99Ms, long Errors);

    /// <summary>
    /// Runs the wrk processes at once for <see cref="WarmUp"/> (unmeasured: the JIT's tiers, the cache's first entry), then
    /// again for <paramref name="duration"/>; sums their requests and takes the worst of their percentiles.
    /// </summary>
    internal static async Task<(WrkResult Result, TimeSpan WebFrontCpu, TimeSpan WrkCpu)> MeasureAsync(WebFrontProcess webFront, TimeSpan duration,
        Func<TimeSpan, ProcessStartInfo[]> runs)
    {
        await Task.WhenAll(runs(WarmUp).Select(Process.Start).Select(async p => { await p!.StandardOutput.ReadToEndAsync(); await p.WaitForExitAsync(); }));
        var before = webFront.CpuTime();
        var started = runs(duration).Select(Process.Start).ToList();
        var outputs = await Task.WhenAll(started.Select(p => p!.StandardOutput.ReadToEndAsync()));
        foreach (var p in started) await p!.WaitForExitAsync();
        var webFrontCpu = webFront.CpuTime() - before;
        var parsed = outputs.Select(Parse).ToList();
        // `times` (bash) printed wrk's own user and system CPU.
        var wrkCpu = TimeSpan.FromSeconds(parsed.Sum(p => p.CpuSeconds));
        return (new WrkResult(parsed.Sum(p => p.Result.Requests), parsed.Max(p => p.Result.Seconds), parsed.Max(p => p.Result.P50Ms),
            parsed.Max(p => p.Result.P95Ms), parsed.Max(p => p.Result.P99Ms), parsed.Sum(p => p.Result.Errors)), webFrontCpu, wrkCpu);
    }

    /// <summary>wrk with one thread, run by bash so that <c>times</c> prints its CPU afterwards.</summary>
    internal static ProcessStartInfo Wrk(string script, string url, int connections, TimeSpan duration, string? cookie, string? extraHeader = null)
    {
        var header = (cookie is null ? "" : $"-H 'Cookie: {cookie}'") + (extraHeader is null ? "" : $" -H '{extraHeader}'");
        return new ProcessStartInfo("bash", ["-c", $"wrk -t1 -c{connections} -d{(int)duration.TotalSeconds}s --timeout 5s -s '{script}' {header} '{url}'; times"])
        {
            RedirectStandardOutput = true,
        };
    }

    private static (WrkResult Result, double CpuSeconds) Parse(string output)
    {
        var line = output.Split('\n').First(l => l.StartsWith("RESULT ", StringComparison.Ordinal)).Split(' ');
        double D(int i) => double.Parse(line[i], CultureInfo.InvariantCulture);
        // The last line of `times`: children's user and system time, e.g. "0m1.234s 0m0.567s".
        var times = output.TrimEnd().Split('\n')[^1].Split(' ');
        var cpu = times.Sum(t => { var m = t.Split('m'); return double.Parse(m[0], CultureInfo.InvariantCulture) * 60 + double.Parse(m[1].TrimEnd('s'), CultureInfo.InvariantCulture); });
        return (new WrkResult((long)D(1), D(2), D(3) / 1000, D(4) / 1000, D(5) / 1000, (long)D(6)), cpu);
    }

    internal const string ReportScript = """
        done = function(summary, latency, requests)
          local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout
          io.write(string.format("RESULT %d %.3f %.0f %.0f %.0f %d\n", summary.requests, summary.duration / 1e6,
            latency:percentile(50), latency:percentile(95), latency:percentile(99), errors))
        end
        """;

    /// <summary>Each request polls as the next of the room's fans (bearer token and ticket).</summary>
    private static string StatusScript(IReadOnlyList<(string Token, long Ticket)> fans) =>
        "local fans = {" + string.Join(",", fans.Select(f => $"{{\"{f.Token}\",{f.Ticket}}}")) + "}\n" + """
        local i = 0
        request = function()
          i = i % #fans + 1
          local fan = fans[i]
          return wrk.format("GET", "/api/v1/events/evt_demo_001/waiting-room/status?ticket=" .. fan[2], { ["Authorization"] = "Bearer " .. fan[1] })
        end
        """ + "\n" + ReportScript;

    private static HttpRequestMessage StatusRequest((string Token, long Ticket) fan) =>
        new(HttpMethod.Get, $"/api/v1/events/evt_demo_001/waiting-room/status?ticket={fan.Ticket}") { Headers = { { "Authorization", "Bearer " + fan.Token } } };

    private static async Task<IReadOnlyList<(string Token, long Ticket)>> FillWaitingRoomAsync(HttpClient http, string eventId, int fans)
    {
        var result = new List<(string, long)>();
        for (var i = 0; i < fans; i++)
        {
            var token = await TokenAsync(http, $"queue-fan-{i}@example.com");
            using var join = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/events/{eventId}/waiting-room/join") { Headers = { { "Authorization", "Bearer " + token } } };
            using var joined = await http.SendAsync(join);
            joined.EnsureSuccessStatusCode();
            result.Add((token, JsonDocument.Parse(await joined.Content.ReadAsStringAsync()).RootElement.GetProperty("ticket").GetInt64()));
        }
        return result;
    }

    private static async Task<string> TokenAsync(HttpClient http, string email)
    {
        (await http.PostAsJsonAsync("/api/v1/auth/register", new { email, password = "benchmark-quartz-lantern-1", name = "Bench" })).Dispose();
        using var login = await http.PostAsJsonAsync("/api/v1/auth/login", new { email, password = "benchmark-quartz-lantern-1" });
        login.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await login.Content.ReadAsStringAsync()).RootElement.GetProperty("accessToken").GetString()!;
    }

    /// <summary>Registers and signs in; returns the session cookie as a Cookie header value.</summary>
    private static async Task<string> SignInAsync(HttpClient http, string email)
    {
        (await http.PostAsJsonAsync("/api/v1/auth/register", new { email, password = "benchmark-quartz-lantern-1", name = "Bench" })).Dispose();
        using var login = await http.PostAsJsonAsync("/api/v1/auth/login", new { email, password = "benchmark-quartz-lantern-1" });
        if (login.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"sign-in answered {(int)login.StatusCode}");
        return login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("tf_session=", StringComparison.Ordinal)).Split(';')[0];
    }
}
