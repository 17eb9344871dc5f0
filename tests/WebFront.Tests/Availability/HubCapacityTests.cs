using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using TicketFlow.Testing;
using TicketFlow.WebFront.Availability;

namespace TicketFlow.WebFront.Tests.Availability;

/// <summary>
/// The availability hub's admission against a real Kestrel-served WebFront (WebSockets need a real socket): past its
/// connection limit, or its per-address cap, a new client is refused with 503 + Retry-After before any transport starts.
/// </summary>
public sealed class HubCapacityTests : IAsyncLifetime
{
    private readonly int port = LocalMachine.FreePort();
    private readonly List<HubConnection> clients = [];
    private WebFrontHost? host;

    private string Base => $"http://127.0.0.1:{port}";

    private void Start(int maxConnections, int perAddress)
    {
        host = new WebFrontHost(("urls", Base), ("Management:Port", LocalMachine.FreePort().ToString(CultureInfo.InvariantCulture)),
            ("Hub:MaxConnections", maxConnections.ToString(CultureInfo.InvariantCulture)),
            ("Hub:MaxConnectionsPerAddress", perAddress.ToString(CultureInfo.InvariantCulture)));
        host.Factory.UseKestrel();
        host.Factory.StartServer();
    }

    [Fact]
    public async Task Past_the_limit_every_transport_is_refused_with_503_and_retry_after_and_the_server_still_serves()
    {
        Start(maxConnections: 3, perAddress: 100);
        for (var i = 0; i < 3; i++) await ConnectAsync();

        foreach (var transport in new[] { HttpTransportType.WebSockets, HttpTransportType.ServerSentEvents, HttpTransportType.LongPolling })
        {
            var refused = await Assert.ThrowsAsync<HttpRequestException>(() => ConnectAsync(transport));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }
        await AssertRefusedAsync(await NegotiateAsync());
        await AssertWebSocketRefusedAsync();

        using var http = new HttpClient { BaseAddress = new Uri(Base) };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/v1/events")).StatusCode);
        Assert.All(clients, c => Assert.Equal(HubConnectionState.Connected, c.State));
    }

    [Fact]
    public async Task One_address_is_capped_while_another_still_gets_in()
    {
        Start(maxConnections: 100, perAddress: 2);
        await ConnectAsync();
        await ConnectAsync();

        await AssertRefusedAsync(await NegotiateAsync());
        await AssertWebSocketRefusedAsync();
        // Another client behind the trusted loopback proxy (X-Forwarded-For is believed from loopback).
        await ConnectAsync(forwardedFor: "203.0.113.7");
    }

    [Fact]
    public async Task A_slot_is_freed_when_a_client_disconnects()
    {
        Start(maxConnections: 2, perAddress: 100);
        await ConnectAsync();
        var leaving = await ConnectAsync();
        await AssertRefusedAsync(await NegotiateAsync());

        await leaving.DisposeAsync();
        clients.Remove(leaving);
        var deadline = Stopwatch.StartNew();
        while ((await NegotiateAsync()).StatusCode != HttpStatusCode.OK)
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "The departed client's slot was not freed within 10 s.");
        await ConnectAsync(HttpTransportType.WebSockets, skipNegotiation: true);
    }

    [Fact]
    public async Task Negotiate_closes_its_http_connection_so_a_client_holds_one_socket()
    {
        Start(maxConnections: 3, perAddress: 100);
        using var negotiated = await NegotiateAsync();
        Assert.Equal(HttpStatusCode.OK, negotiated.StatusCode);
        Assert.True(negotiated.Headers.ConnectionClose, "negotiate should answer Connection: close");
    }

    [Fact]
    public void The_default_limit_leaves_a_fifth_of_the_descriptors_and_fits_memory()
    {
        Assert.Equal(16_000, HubAdmissionOptions.DefaultMaxConnections(20_000, 64L << 30));
        Assert.Equal(512, HubAdmissionOptions.DefaultMaxConnections(1_024, 64L << 30));
        Assert.Equal(4_096, HubAdmissionOptions.DefaultMaxConnections(1_048_576, 512L << 20));
        Assert.Equal(10_000, HubAdmissionOptions.DefaultMaxConnections(null, 64L << 30));
    }

    [Fact]
    public void The_descriptor_limit_is_read_from_proc_limits()
    {
        var file = Path.GetTempFileName();
        File.WriteAllLines(file, ["Limit                     Soft Limit           Hard Limit           Units", "Max open files            20000                20000                files"]);
        Assert.Equal(20_000, DescriptorLimit.Read(file));
        File.Delete(file);
        if (OperatingSystem.IsLinux()) Assert.NotNull(DescriptorLimit.Read());
    }

    /// <summary>A client that has subscribed: its OnConnected ran before the hub answered, so the server counts it.</summary>
    private async Task<HubConnection> ConnectAsync(HttpTransportType transport = HttpTransportType.WebSockets, bool skipNegotiation = false, string? forwardedFor = null)
    {
        var connection = new HubConnectionBuilder().WithUrl($"{Base}/hubs/availability", transport, options =>
        {
            options.SkipNegotiation = skipNegotiation;
            if (forwardedFor is not null) options.Headers["X-Forwarded-For"] = forwardedFor;
        }).Build();
        try
        {
            await connection.StartAsync();
            await connection.InvokeAsync<JsonElement?>("Subscribe", "evt_none");
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        clients.Add(connection);
        return connection;
    }

    private async Task<HttpResponseMessage> NegotiateAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(Base) };
        return await http.PostAsync("/hubs/availability/negotiate?negotiateVersion=1", null);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(10), $"Retry-After: {response.Headers.RetryAfter}");
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(ProblemCodes.TooManyConnections, problem.RootElement.GetProperty("code").GetString());
    }

    /// <summary>A WebSocket that skips negotiation is refused at its upgrade request.</summary>
    private async Task AssertWebSocketRefusedAsync()
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/hubs/availability"), CancellationToken.None));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, socket.HttpStatusCode);
        Assert.True(socket.HttpResponseHeaders?.ContainsKey("Retry-After"), "no Retry-After on the refused upgrade");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var client in clients) await client.DisposeAsync();
        if (host is not null) await host.DisposeAsync();
    }
}
