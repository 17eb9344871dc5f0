using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using TicketFlow.Runtime.Invocation;
using TicketFlow.Runtime.Membership;
using TicketFlow.Runtime.Notifications;
using TicketFlow.Runtime.Statistics;

namespace TicketFlow.Runtime.Transport;

/// <summary>HTTP/2 (cleartext, prior knowledge) connections from this process to silos.</summary>
internal sealed class SiloConnector : IDisposable
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");
    private readonly HttpClient http;
    private readonly GrainTypeRegistry registry;
    private readonly JsonSerializerOptions json;

    public SiloConnector(GrainTypeRegistry registry, JsonSerializerOptions json, TimeSpan connectTimeout)
    {
        this.registry = registry;
        this.json = json;
        http = new HttpClient(new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = connectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            KeepAlivePingDelay = TimeSpan.FromSeconds(10),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
        })
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    // Silos speak HTTP/2 only (cleartext, prior knowledge); a hand-made request message defaults to HTTP/1.1.
    private static HttpRequestMessage Request(HttpMethod method, SiloAddress silo, string path) =>
        new(method, new Uri($"http://{silo.Endpoint}{path}")) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };

    /// <exception cref="NotDeliveredException">The silo was not reached or refused the call before running it.</exception>
    public async Task<object?> SendAsync(SiloAddress silo, GrainCall call, int hops, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var body = WireFormat.WriteCall(call, call.Method.Interface, hops, timeout, json);
        using var request = Request(HttpMethod.Post, silo, "/tf/call");
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = JsonType;
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (HttpRequestException error) when (error.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            throw new NotDeliveredException($"Silo {silo} is unreachable.", error);
        }
        catch (TaskCanceledException error) when (error.InnerException is TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            // ConnectTimeout: no connection, so no request was sent.
            throw new NotDeliveredException($"No connection to silo {silo} within the connect timeout.", error);
        }
        catch (HttpRequestException error)
        {
            throw new GrainCallOutcomeUnknownException($"{call} to silo {silo} broke off: {error.Message}", error);
        }
        using (response)
        {
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable) throw new NotDeliveredException($"Silo {silo} is not accepting calls.");
            var payload = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
                throw new GrainCallOutcomeUnknownException(
                    $"{call} to silo {silo} answered HTTP {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(payload)}");
            using var document = JsonDocument.Parse(payload);
            return WireFormat.ReadResponse(document.RootElement, call.Method.ResultType, json, $"{call} via {silo}");
        }
    }

    /// <summary>Reads the silo's notification stream until it ends or is cancelled.</summary>
    public async Task ReadNotificationsAsync(SiloAddress silo, Action<GrainNotification> onNotification, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, silo, "/tf/notifications");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0) continue;
            var notification = JsonSerializer.Deserialize(line, TransportJsonContext.Default.GrainNotification);
            if (notification is not null) onNotification(notification);
        }
    }

    public async Task<SiloReport?> GetReportAsync(SiloAddress silo, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, silo, "/tf/stats");
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return JsonSerializer.Deserialize(await response.Content.ReadAsStreamAsync(cancellationToken), TransportJsonContext.Default.SiloReport);
    }

    public void Dispose() => http.Dispose();
}
