using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace TicketFlow.WebFront.Tests;

/// <summary>Who may call what: anonymous, a signed-in user, an admin — against every user-only and admin endpoint.</summary>
public sealed class AuthorizationTests : IAsyncLifetime
{
    private WebFrontHost host = null!;

    public static TheoryData<string, string> UserOnly => new() { { "GET", "/api/v1/me" } };

    public static TheoryData<string, string> AdminOnly => new() { { "GET", "/api/v1/admin/cluster" }, { "GET", "/api/v1/admin/events/evt_demo_001/stats" } };

    public Task InitializeAsync()
    {
        host = new WebFrontHost(("TICKETFLOW_ADMIN_EMAIL", "root@ticketflow.test"), ("TICKETFLOW_ADMIN_PASSWORD", "admin-password-1"), ("Demo:Seed", "true"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    private async Task<HttpStatusCode> Call(string method, string path, string? token)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await host.CreateClient(cookies: false).SendAsync(request);
        if (!response.IsSuccessStatusCode) // every refusal is a problem document, 401 and 403 included
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return response.StatusCode;
    }

    [Theory]
    [MemberData(nameof(UserOnly))]
    public async Task User_endpoints_need_a_signed_in_user(string method, string path)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await Call(method, path, token: null));
        Assert.Equal(HttpStatusCode.OK, await Call(method, path, await host.TokenAsync("user@example.com", "user-password-1", register: true)));
        Assert.Equal(HttpStatusCode.OK, await Call(method, path, await host.TokenAsync("root@ticketflow.test", "admin-password-1", register: false)));
    }

    [Theory]
    [MemberData(nameof(AdminOnly))]
    public async Task Admin_endpoints_need_the_admin_role(string method, string path)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await Call(method, path, token: null));
        Assert.Equal(HttpStatusCode.Forbidden, await Call(method, path, await host.TokenAsync("user@example.com", "user-password-1", register: true)));
        Assert.Equal(HttpStatusCode.OK, await Call(method, path, await host.TokenAsync("root@ticketflow.test", "admin-password-1", register: false)));
    }

    [Fact]
    public async Task The_cluster_view_shows_the_embedded_silo_and_its_grain_calls()
    {
        var token = await host.TokenAsync("root@ticketflow.test", "admin-password-1", register: false);
        var client = host.CreateClient(cookies: false);
        (await client.GetAsync("/health/ready")).Dispose(); // one grain call through the embedded silo
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/admin/cluster") { Headers = { Authorization = new("Bearer", token) } };
        using var response = await client.SendAsync(request);
        var silo = Assert.Single(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("silos").EnumerateArray());
        Assert.Equal("Active", silo.GetProperty("status").GetString());
        Assert.Contains(silo.GetProperty("methods").EnumerateArray(), m => m.GetProperty("method").GetString() == "Ping" && m.GetProperty("calls").GetInt64() >= 1);
    }
}
