using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TicketFlow.Runtime.Hosting;
using TicketFlow.Runtime.Statistics;

namespace TicketFlow.Runtime.Transport;

/// <summary>The silo's HTTP/2 surface: grain calls, the notification stream, statistics and Prometheus metrics.</summary>
public static class SiloEndpoints
{
    public static IEndpointRouteBuilder MapSiloEndpoints(this IEndpointRouteBuilder endpoints, SiloRuntime silo)
    {
        endpoints.MapPost("/tf/call", context => HandleCallAsync(context, silo));
        endpoints.MapGet("/tf/notifications", context => StreamNotificationsAsync(context, silo));
        endpoints.MapGet("/tf/stats", () => Results.Json(silo.Report(), TransportJsonContext.Default.SiloReport));
        endpoints.MapGet("/metrics", (PrometheusExporter exporter) => Results.Text(exporter.Render(), "text/plain; version=0.0.4"));
        return endpoints;
    }

    private static async Task HandleCallAsync(HttpContext http, SiloRuntime silo)
    {
        if (silo.IsTerminated)
        {
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }
        Invocation.GrainCall call;
        int hops;
        TimeSpan timeout;
        try
        {
            using var document = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            (call, hops, timeout) = WireFormat.ReadCall(document.RootElement, silo.Registry, silo.Json);
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException or ArgumentException or KeyNotFoundException)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            await http.Response.WriteAsync(error.Message);
            return;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        deadline.CancelAfter(timeout);
        byte[] body;
        try
        {
            var result = await silo.RouteAsync(call, hops, deadline.Token).WaitAsync(deadline.Token);
            body = WireFormat.WriteResult(result, call.Method.ResultType, silo.Json);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            body = WireFormat.WriteError(ErrorKind.Timeout, new GrainCallTimeoutException($"{call} got no response within {timeout.TotalSeconds:0.###} s on {silo.Address}."));
        }
        catch (Exception error)
        {
            body = WireFormat.WriteError(WireFormat.KindOf(error), error);
        }
        http.Response.ContentType = "application/json";
        await http.Response.Body.WriteAsync(body, http.RequestAborted);
    }

    private static async Task StreamNotificationsAsync(HttpContext http, SiloRuntime silo)
    {
        var reader = silo.Notifications.OpenStream(out var registration);
        using (registration)
        {
            http.Response.ContentType = "application/x-ndjson";
            await http.Response.Body.FlushAsync(http.RequestAborted);
            try
            {
                await foreach (var notification in reader.ReadAllAsync(http.RequestAborted))
                {
                    await JsonSerializer.SerializeAsync(http.Response.Body, notification, TransportJsonContext.Default.GrainNotification, http.RequestAborted);
                    await http.Response.Body.WriteAsync("\n"u8.ToArray(), http.RequestAborted);
                    if (reader.Count == 0) await http.Response.Body.FlushAsync(http.RequestAborted);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
