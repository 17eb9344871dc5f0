using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace TicketFlow.LoadTool;

/// <summary>One answer: status 0 when no HTTP response came back (connection refused or reset, timeout).</summary>
public sealed record Reply(int Status, JsonElement Body, string? Code, TimeSpan? RetryAfter)
{
    public bool Ok => Status is >= 200 and < 300;

    public string? Text(string property) => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
        ? value.GetString() : null;
}

/// <summary>The REST API as the load tool calls it: every request timed and recorded under an endpoint name.</summary>
public sealed class Api(HttpClient http, Recorder recorder)
{
    public HttpClient Http => http;

    /// <param name="clientIp">
    /// Sent as X-Forwarded-For: the AppHost's WebFronts read two loopback hops (ForwardLimit 2, its load-test
    /// configuration), so each simulated buyer has its own address; a WebFront with the default (one hop) sees the tool's.
    /// </param>
    public async Task<Reply> SendAsync(string endpoint, HttpMethod method, string path, object? body = null, string? token = null,
        string? idempotencyKey = null, string? clientIp = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = JsonContent.Create(body);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        if (clientIp is not null) request.Headers.Add("X-Forwarded-For", clientIp);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var latency = Stopwatch.GetElapsedTime(started);
            var json = bytes.Length > 0 && response.Content.Headers.ContentType?.MediaType?.Contains("json") == true
                ? JsonDocument.Parse(bytes).RootElement.Clone() : default;
            var reply = new Reply((int)response.StatusCode, json, null, response.Headers.RetryAfter?.Delta);
            if (!reply.Ok) reply = reply with { Code = reply.Text("code") ?? reply.Text("type") ?? $"({response.Content.Headers.ContentType?.MediaType ?? "no body"})" };
            recorder.Record(endpoint, latency, reply.Ok, reply.Ok ? "2xx" : $"{reply.Status} {reply.Code}");
            return reply;
        }
        catch (Exception failure) when (failure is HttpRequestException or TaskCanceledException or IOException or JsonException
                                        && !cancellationToken.IsCancellationRequested)
        {
            var kind = failure switch
            {
                TaskCanceledException => "timeout",
                HttpRequestException { HttpRequestError: var error } => error.ToString(),
                JsonException => "bad json",
                _ => failure.GetType().Name,
            };
            recorder.Record(endpoint, Stopwatch.GetElapsedTime(started), false, "transport: " + kind);
            return new Reply(0, default, "transport_" + kind, null);
        }
    }

    /// <summary>
    /// Calls again while <paramref name="retryable"/> holds, after Retry-After (if under 5 s) or a growing backoff, up to
    /// <paramref name="attempts"/> calls in all; returns the last reply.
    /// </summary>
    public static async Task<Reply> RetryAsync(Func<Task<Reply>> call, Func<Reply, bool> retryable, int attempts)
    {
        var reply = await call();
        for (var attempt = 1; attempt < attempts && retryable(reply); attempt++)
        {
            await Task.Delay(reply.RetryAfter is { } wait && wait < TimeSpan.FromSeconds(5) ? wait : TimeSpan.FromMilliseconds(250 * attempt));
            reply = await call();
        }
        return reply;
    }

    public static HttpClient CreateHttpClient(Uri baseAddress, int maxConnections) =>
        new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
}
