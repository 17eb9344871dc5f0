using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using TicketFlow.Testing;

namespace TicketFlow.WebFront.Tests;

/// <summary>Who may call what: anonymous, a signed-in user, an admin — against every user-only and admin endpoint.</summary>
public sealed class AuthorizationTests(AuthorizationTests.Site site) : IClassFixture<AuthorizationTests.Site>
{
    /// <summary>The demo catalog, its admin, and logins and sign-ups of every test from one address.</summary>
    public sealed class Site() : SharedWebFront(("TICKETFLOW_ADMIN_EMAIL", "root@ticketflow.test"), ("TICKETFLOW_ADMIN_PASSWORD", "admin-password-1"),
        ("Demo:Seed", "true"), ("RateLimits:Auth:PermitLimit", "100000"), ("RateLimits:Register:PerIpPermitLimit", "100000"));

    private readonly WebFrontHost host = site.Host;

    public static TheoryData<string, string, string?> UserOnly => new()
    {
        { "GET", "/api/v1/me", null },
        { "GET", "/api/v1/me/orders", null },
        { "GET", "/api/v1/me/tickets", null },
    };

    /// <summary>A user's own things: anyone else, admins included unless said otherwise, is told they do not exist.</summary>
    public static TheoryData<string, string, string?> OwnOnly => new()
    {
        { "GET", "/api/v1/orders/ord_someone_elses", null },
        { "GET", "/api/v1/tickets/tkt_someone_elses/qr", null },
        { "POST", "/api/v1/tickets/tkt_someone_elses/transfer", """{"toEmail": "root@ticketflow.test"}""" },
    };

    public static TheoryData<string, string, string?> AdminOnly => new()
    {
        { "GET", "/api/v1/admin/cluster", null },
        { "GET", "/api/v1/admin/events/evt_demo_001/stats", null },
        { "POST", "/api/v1/tickets/validate", """{"code": "tkt_x.1.not-a-signature"}""" },
        { "GET", "/dashboard/", null }, // the Orleans Dashboard's page, and its data (a grain call into the embedded silo)
        { "GET", "/dashboard/DashboardCounters", null },
        { "GET", "/dashboard/ClusterStats", null },
    };

    private async Task<HttpStatusCode> Call(string method, string path, string? token, string? body = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = body is null ? null : new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
            Headers = { { "Idempotency-Key", Guid.NewGuid().ToString("N") } },
        };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await host.CreateClient(cookies: false).SendAsync(request);
        if (!response.IsSuccessStatusCode) // every refusal is a problem document, 401 and 403 included
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return response.StatusCode;
    }

    [Theory]
    [MemberData(nameof(UserOnly))]
    public async Task User_endpoints_need_a_signed_in_user(string method, string path, string? body)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await Call(method, path, token: null, body));
        Assert.Equal(HttpStatusCode.OK, await Call(method, path, await host.TokenAsync("user@example.com", "user-quartz-lantern-1", register: true), body));
        Assert.Equal(HttpStatusCode.OK, await Call(method, path, await host.TokenAsync("root@ticketflow.test", "admin-password-1", register: false), body));
    }

    [Theory]
    [MemberData(nameof(OwnOnly))]
    public async Task Endpoints_for_ones_own_orders_and_tickets_need_a_signed_in_user_and_hide_everyone_elses(string method, string path, string? body)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await Call(method, path, token: null, body));
        Assert.Equal(HttpStatusCode.NotFound, await Call(method, path, await host.TokenAsync("user@example.com", "user-quartz-lantern-1", register: true), body));
        Assert.Equal(HttpStatusCode.NotFound, await Call(method, path, await host.TokenAsync("root@ticketflow.test", "admin-password-1", register: false), body));
    }

    [Theory]
    [MemberData(nameof(AdminOnly))]
    public async Task Admin_endpoints_need_the_admin_role(string method, string path, string? body)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await Call(method, path, token: null, body));
        Assert.Equal(HttpStatusCode.Forbidden, await Call(method, path, await host.TokenAsync("user@example.com", "user-quartz-lantern-1", register: true), body));
        Assert.Equal(HttpStatusCode.OK, await Call(method, path, await host.TokenAsync("root@ticketflow.test", "admin-password-1", register: false), body));
    }

    [Fact]
    public async Task The_dashboard_shows_a_silo_by_its_address_and_no_silo_by_anything_else()
    {
        var token = await host.TokenAsync("root@ticketflow.test", "admin-password-1", register: false);
        var client = host.CreateClient(cookies: false);
        async Task<HttpResponseMessage> GetAsync(string path)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = new("Bearer", token) } };
            return await client.SendAsync(request);
        }
        // The silo appears in the counters once the dashboard has collected them (every second).
        var hosts = await Eventually.Get(async () =>
        {
            using var counters = await GetAsync("/dashboard/DashboardCounters");
            return JsonDocument.Parse(await counters.Content.ReadAsStringAsync()).RootElement.GetProperty("hosts").Clone();
        }, h => h.GetArrayLength() == 1, TimeSpan.FromSeconds(30), "the dashboard lists the embedded silo");
        using var site = await GetAsync("/api/v1/admin/cluster"); // the site's own pages and API
        var address = hosts[0].GetProperty("siloAddress").GetString()!;

        using var known = await GetAsync($"/dashboard/HistoricalStats/{Uri.EscapeDataString(address)}");
        using var unknown = await GetAsync("/dashboard/HistoricalStats/not-a-silo");

        using var page = await GetAsync("/dashboard/");
        // Its bundle needs inline styles and a data: icon font (blocked in chromium under the site's policy); the rest keeps it.
        Assert.Contains("font-src 'self' data:", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("default-src 'self'; frame-ancestors 'none'; base-uri 'self'", site.Headers.GetValues("Content-Security-Policy").Single());

        Assert.Equal(HttpStatusCode.OK, known.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_cluster_view_shows_the_embedded_silo_and_its_activations()
    {
        var token = await host.TokenAsync("root@ticketflow.test", "admin-password-1", register: false);
        var client = host.CreateClient(cookies: false);
        (await client.GetAsync("/health/ready")).Dispose(); // one grain call through the embedded silo
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/admin/cluster") { Headers = { Authorization = new("Bearer", token) } };
        using var response = await client.SendAsync(request);
        var silo = Assert.Single(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("silos").EnumerateArray());
        Assert.Equal("Active", silo.GetProperty("status").GetString());
        Assert.True(silo.GetProperty("activations").GetInt32() >= 1);
        Assert.True(silo.GetProperty("activationsByType").TryGetProperty("TicketFlow.Grains.Diagnostics.PingGrain", out _), silo.ToString()); // the readiness check's grain
    }
}
