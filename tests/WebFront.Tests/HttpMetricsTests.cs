using System.Net;

namespace TicketFlow.WebFront.Tests;

/// <summary>Runs after every other test of this assembly, alone (see <see cref="HttpMetricsTests"/>).</summary>
[CollectionDefinition(nameof(HttpMetricsCollection), DisableParallelization = true)]
public sealed class HttpMetricsCollection;

/// <summary>
/// ASP.NET Core's request metrics on the management port. Each host's meter is its own, but every host's OpenTelemetry
/// listener subscribes to that meter's name in the whole process: with other WebFront hosts alive beside it, a host's
/// exporter counted their requests too (2 for one seen in CI), and once the host whose instrument it had registered
/// first was disposed it exported no request series at all (seen in CI: 10 s without one). Production runs one host per
/// process, so this test does too: its collection runs alone, after the others.
/// </summary>
[Collection(nameof(HttpMetricsCollection))]
public sealed class HttpMetricsTests
{
    [Fact]
    public async Task Metrics_count_requests_per_route_and_status_on_the_management_port_only()
    {
        await using var host = new WebFrontHost();
        var client = host.CreateClient();
        static double Count(string text, string route, string status) =>
            PrometheusText.Value(text, "http_server_request_duration_seconds_count", ("http_route", route), ("http_response_status_code", status)) ?? 0;
        var before = await host.MetricsAsync();
        for (var i = 0; i < 3; i++) (await client.GetAsync("/health/live")).Dispose();
        (await client.GetAsync("/api/v1/me")).Dispose();

        // The exporter serves a cached scrape for a moment: read again until this test's requests show (or time out).
        var text = await Testing.Eventually.Get(() => host.MetricsAsync(),
            t => Count(t, "/health/live", "200") - Count(before, "/health/live", "200") >= 3 && Count(t, "/api/v1/me", "401") - Count(before, "/api/v1/me", "401") >= 1,
            TimeSpan.FromSeconds(10), "the management port's /metrics counts this test's requests per route and status");
        using var onPublicPort = await client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, onPublicPort.StatusCode);
        // Alone in the process, the counts are exactly this test's requests.
        Assert.Equal((3.0, 1.0), (Count(text, "/health/live", "200") - Count(before, "/health/live", "200"), Count(text, "/api/v1/me", "401") - Count(before, "/api/v1/me", "401")));
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", text);
    }

    /// <summary>
    /// Issue 23: a method label taken raw from the request let 50 odd methods make 850 new series (every histogram
    /// bucket of every method). ASP.NET Core's instrumentation names the known methods and counts every other one as
    /// <c>_OTHER</c>: the odd requests add at most a few series (their routes and statuses), never one per method.
    /// </summary>
    [Fact]
    public async Task Requests_with_odd_methods_add_no_series_per_method()
    {
        await using var host = new WebFrontHost();
        var client = host.CreateClient();
        const string Count = "http_server_request_duration_seconds_count";
        static double Other(string text) => PrometheusText.Samples(text, Count).Where(s => s.Labels.GetValueOrDefault("http_request_method") == "_OTHER").Sum(s => s.Value);
        static HashSet<string> Series(string text) =>
            [.. PrometheusText.Samples(text, Count).Select(s => string.Join(',', s.Labels.OrderBy(l => l.Key).Select(l => $"{l.Key}={l.Value}")))];
        var before = await host.MetricsAsync();
        string[] methods = [.. Enumerable.Range(1, 46).Select(i => $"XYZ{i}"), "PROPFIND", "MKCOL", "BREW", "LOCK"];
        foreach (var (method, i) in methods.Select((m, i) => (m, i)))
            (await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), i % 2 == 0 ? "/api/v1/events" : "/no-such-page"))).Dispose();

        var text = await Testing.Eventually.Get(() => host.MetricsAsync(), t => Other(t) - Other(before) >= methods.Length,
            TimeSpan.FromSeconds(10), "the management port's /metrics counts this test's odd-method requests as _OTHER");

        // Every method label is one of a fixed set; the 50 methods made no series of their own.
        string[] known = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "CONNECT", "TRACE", "QUERY", "_OTHER"];
        var labels = PrometheusText.Samples(text, Count).Select(s => s.Labels.GetValueOrDefault("http_request_method") ?? "(none)").Distinct().Order().ToList();
        Assert.True(labels.All(known.Contains), $"method labels: {string.Join(", ", labels)}");
        var added = Series(text).Except(Series(before)).Order().ToList();
        // Two paths, one or two statuses each, plus this test's own scrapes (GET /metrics): a handful, not 50.
        Assert.True(added.Count <= 6, $"{added.Count} new series: {string.Join("; ", added)}");
    }
}
