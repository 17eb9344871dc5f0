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
}
