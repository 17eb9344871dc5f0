using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace TicketFlow.WebFront.Conventions;

/// <summary>
/// Request count and latency per route, method and status, as System.Diagnostics.Metrics instruments. The meter comes
/// from the host's <see cref="IMeterFactory"/>, so it belongs to this host: two hosts in one process (tests) keep their
/// own counts.
/// </summary>
public sealed class HttpMetrics : IDisposable
{
    public const string MeterName = "TicketFlow.WebFront";

    private readonly Meter meter;

    public HttpMetrics(IMeterFactory meters)
    {
        meter = meters.Create(MeterName);
        Requests = meter.CreateCounter<long>("tf_http_requests_total", description: "HTTP requests handled");
        Duration = meter.CreateHistogram<double>("tf_http_request_duration_seconds", unit: "s", description: "HTTP request latency");
    }

    public Counter<long> Requests { get; }

    public Histogram<double> Duration { get; }

    public void Dispose() => meter.Dispose();
}

/// <summary>Records every request in <see cref="HttpMetrics"/>, labelled by route template (not raw path: ids must not explode the label set).</summary>
public sealed class HttpMetricsMiddleware(RequestDelegate next, HttpMetrics metrics)
{
    public async Task InvokeAsync(HttpContext http)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(http);
        }
        finally
        {
            var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
            var tags = new TagList { { "route", route }, { "method", http.Request.Method }, { "status", http.Response.StatusCode.ToString() } };
            metrics.Requests.Add(1, tags);
            metrics.Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        }
    }
}
