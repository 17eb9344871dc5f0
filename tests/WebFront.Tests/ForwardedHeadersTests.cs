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
    private const string PeerHeader = PeerAddressFromHeader.Header;
    private const string Nginx = "127.0.0.1"; // the load balancer on loopback, as in deploy/AppHost
    private WebFrontHost host = null!;

    public Task InitializeAsync()
    {
        // The auth rate limit alone: every attempt here fails on one account, which the login throttle would slow too.
        host = new WebFrontHost(("RateLimits:Auth:PermitLimit", "3"), ("RateLimits:Auth:Window", "00:10:00"),
            ("Accounts:LoginThrottle:AccountFreeFailures", "1000"), ("Accounts:LoginThrottle:AddressFreeFailures", "1000"));
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
    public async Task Behind_the_loopback_proxy_each_client_has_its_own_auth_budget()
    {
        var web = WithPeers(host.Factory);
        // Real clients through nginx: one entry each, the address nginx saw.
        Assert.Equal(ThreeThenLimited, await AttemptsAsync(web, Nginx, "198.51.100.1", "198.51.100.1", "198.51.100.1", "198.51.100.1"));
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(web, Nginx, "198.51.100.2"));
    }

    [Fact]
    public async Task A_client_behind_the_proxy_cannot_pick_its_budget_by_adding_an_entry()
    {
        var web = WithPeers(host.Factory);
        // A client on the proxy's own machine (loopback, a trusted address) names another client before the entry nginx
        // appends: with ForwardLimit 1 only nginx's entry is read, so every attempt counts as the same 127.0.0.1.
        Assert.Equal(ThreeThenLimited,
            await AttemptsAsync(web, Nginx, "198.51.100.3, 127.0.0.1", "198.51.100.4, 127.0.0.1", "198.51.100.5, 127.0.0.1", "198.51.100.6, 127.0.0.1"));
    }

    [Fact]
    public async Task With_ForwardLimit_2_a_loopback_load_generator_names_a_client_per_request()
    {
        // deploy/AppHost's local cluster (load-test configuration): the load tool on loopback, behind the loopback nginx.
        var web = WithPeers(host.Factory, ("ForwardedHeaders:ForwardLimit", "2"));
        Assert.Equal(ThreeThenLimited, await AttemptsAsync(web, Nginx, "198.51.100.11, 127.0.0.1", "198.51.100.11, 127.0.0.1", "198.51.100.11, 127.0.0.1", "198.51.100.11, 127.0.0.1"));
        // Another simulated client is not limited by the first one's attempts.
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(web, Nginx, "198.51.100.12, 127.0.0.1"));
        // A remote client still cannot: the entry nginx appends is its real address, which is not a trusted hop.
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized],
            await AttemptsAsync(web, Nginx, "198.51.100.13, 203.0.113.9", "198.51.100.14, 203.0.113.9", "127.0.0.1, 203.0.113.9"));
    }

    [Fact]
    public async Task A_remote_client_cannot_pick_its_budget_with_a_forged_X_Forwarded_For()
    {
        var web = WithPeers(host.Factory);
        // Through nginx: only the entry nginx appends (the real address) is read; the forged entries before it are not.
        Assert.Equal(ThreeThenLimited,
            await AttemptsAsync(web, Nginx, "198.51.100.7, 203.0.113.9", "198.51.100.8, 203.0.113.9", "127.0.0.1, 203.0.113.9", "198.51.100.10, 203.0.113.9"));
        // Straight to WebFront: the peer itself is not a trusted proxy, so nothing it forwards is believed.
        Assert.Equal(ThreeThenLimited, await AttemptsAsync(web, "203.0.113.8", "198.51.100.20", "198.51.100.21", "198.51.100.22", "198.51.100.23"));
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
    public void By_default_only_loopback_proxies_are_trusted_for_one_hop_of_address_and_scheme()
    {
        var options = host.Factory.Services.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value;
        Assert.Equal(ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto, options.ForwardedHeaders);
        Assert.Equal(1, options.ForwardLimit);
        Assert.Equal([IPAddress.IPv6Loopback], options.KnownProxies);
        Assert.Equal([System.Net.IPNetwork.Parse("127.0.0.0/8")], options.KnownIPNetworks);
    }
}
