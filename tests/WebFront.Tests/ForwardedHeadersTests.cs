using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace TicketFlow.WebFront.Tests;

/// <summary>
/// The per-IP auth limit behind a proxy: the client address comes from X-Forwarded-For, but only through trusted hops.
/// TestServer gives requests no peer address (and the forwarded-headers middleware then believes the first entry), so
/// these tests set the TCP peer explicitly with a test-only header, in a startup filter that runs before WebFront's pipeline.
/// </summary>
public sealed class ForwardedHeadersTests : IAsyncLifetime
{
    private const string PeerHeader = "X-Test-Peer";
    private const string Nginx = "127.0.0.1"; // the load balancer on loopback, as in deploy/AppHost
    private WebFrontHost host = null!;

    public Task InitializeAsync()
    {
        host = new WebFrontHost(("RateLimits:Auth:PermitLimit", "3"), ("RateLimits:Auth:Window", "00:10:00"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    /// <summary>A login attempt (wrong password: 401 while under the limit, 429 beyond) arriving from <paramref name="peer"/>.</summary>
    private static async Task<HttpStatusCode> LoginAsync(WebApplicationFactory<Program> web, string peer, string? forwardedFor)
    {
        var client = web.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login")
        {
            Content = JsonContent.Create(new { email = "nobody@example.com", password = "wrong-password-1" }),
        };
        request.Headers.Add(PeerHeader, peer);
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static WebApplicationFactory<Program> WithPeers(WebApplicationFactory<Program> web, params (string Key, string Value)[] settings) =>
        web.WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in settings) builder.UseSetting(key, value);
            builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, PeerAddressFromHeader>());
        });

    private static async Task<HttpStatusCode[]> AttemptsAsync(WebApplicationFactory<Program> web, string peer, params string?[] forwardedFor)
    {
        var statuses = new List<HttpStatusCode>();
        foreach (var value in forwardedFor) statuses.Add(await LoginAsync(web, peer, value));
        return [.. statuses];
    }

    private static readonly HttpStatusCode[] ThreeThenLimited =
        [HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests];

    [Fact]
    public async Task Behind_the_loopback_proxy_each_forwarded_client_has_its_own_auth_budget()
    {
        var web = WithPeers(host.Factory);
        // A loopback load generator naming a simulated client, through nginx, which appends the generator's address.
        Assert.Equal(ThreeThenLimited, await AttemptsAsync(web, Nginx, "198.51.100.1, 127.0.0.1", "198.51.100.1, 127.0.0.1", "198.51.100.1, 127.0.0.1", "198.51.100.1, 127.0.0.1"));
        // Another client is not limited by the first one's attempts; a real client through nginx is one entry.
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(web, Nginx, "198.51.100.2, 127.0.0.1"));
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(web, Nginx, "203.0.113.20"));
    }

    [Fact]
    public async Task A_remote_client_cannot_pick_its_budget_with_a_forged_X_Forwarded_For()
    {
        var web = WithPeers(host.Factory);
        // Through nginx: nginx appends the real address, which is not a trusted hop, so the forged entries before it are ignored.
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized],
            await AttemptsAsync(web, Nginx, "198.51.100.7, 203.0.113.9", "198.51.100.8, 203.0.113.9", "127.0.0.1, 203.0.113.9"));
        // Straight to WebFront: the peer itself is not a trusted proxy, so nothing it forwards is believed.
        Assert.Equal(HttpStatusCode.TooManyRequests, await LoginAsync(web, "203.0.113.9", "198.51.100.9"));
    }

    [Fact]
    public async Task Configured_proxies_replace_the_loopback_default()
    {
        var web = WithPeers(host.Factory, ("ForwardedHeaders:KnownProxies:0", "10.0.0.5"));
        // A proxy on 10.0.0.5 is believed...
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(web, "10.0.0.5", "198.51.100.30"));
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(web, "10.0.0.5", "198.51.100.31"));
        // ...loopback no longer is: every client it names counts as the loopback peer itself.
        Assert.Equal(ThreeThenLimited, await AttemptsAsync(web, Nginx, "198.51.100.40", "198.51.100.41", "198.51.100.42", "198.51.100.43"));
    }

    [Fact]
    public void By_default_only_loopback_proxies_are_trusted_for_two_hops_of_address_and_scheme()
    {
        var options = host.Factory.Services.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value;
        Assert.Equal(ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto, options.ForwardedHeaders);
        Assert.Equal(2, options.ForwardLimit);
        Assert.Equal([IPAddress.IPv6Loopback], options.KnownProxies);
        Assert.Equal([System.Net.IPNetwork.Parse("127.0.0.0/8")], options.KnownIPNetworks);
    }

    /// <summary>Plays the TCP layer: the connection's peer address is what the test says it is.</summary>
    private sealed class PeerAddressFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((http, following) =>
            {
                http.Connection.RemoteIpAddress = IPAddress.Parse(http.Request.Headers[PeerHeader].ToString());
                http.Request.Headers.Remove(PeerHeader);
                return following(http);
            });
            next(app);
        };
    }
}
