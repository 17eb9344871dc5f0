using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using TicketFlow.Data.Orders;

namespace TicketFlow.WebFront.Tests;

/// <summary>Every endpoint WebFront maps, fed garbage as anonymous and as admin: never a 5xx, and no row is written.</summary>
public sealed class MalformedInputTests : IAsyncLifetime
{
    private static readonly string Huge = new('x', 200_000);

    private static readonly (string Name, Func<HttpContent?> Body)[] Bodies =
    [
        ("no body", () => null),
        ("unreadable json", () => new StringContent("{\"email\": ", Encoding.UTF8, "application/json")),
        ("wrong types", () => new StringContent(
            "{\"email\": 5, \"password\": [], \"name\": {\"a\": 1}, \"quantity\": \"many\", \"toEmail\": 7, \"code\": [1]}", Encoding.UTF8, "application/json")),
        ("huge strings", () => JsonContent.Create(new { email = Huge + "@example.com", password = Huge, name = Huge, toEmail = Huge + "@example.com", code = Huge })),
        ("null fields", () => new StringContent("{\"toEmail\": null, \"code\": null}", Encoding.UTF8, "application/json")),
        ("json null", () => new StringContent("null", Encoding.UTF8, "application/json")),
        ("negative numbers", () => JsonContent.Create(new { quantity = -5, priceMinor = long.MinValue, capacity = -1 })),
        ("not json", () => new StringContent("<xml/>", Encoding.UTF8, "application/xml")),
    ];

    private WebFrontHost host = null!;

    public Task InitializeAsync()
    {
        host = new WebFrontHost(("TICKETFLOW_ADMIN_EMAIL", "sweep@ticketflow.test"), ("TICKETFLOW_ADMIN_PASSWORD", "admin-password-1"),
            ("RateLimits:Auth:PermitLimit", "100000"), ("RateLimits:Register:PerIpPermitLimit", "100000"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task Garbage_to_any_endpoint_is_never_a_server_error_and_changes_nothing()
    {
        var client = host.CreateClient(cookies: false);
        var token = await host.TokenAsync("sweep@ticketflow.test", "admin-password-1");
        // The admin owns a real order, so the sweep also hits ids that exist (and must leave them as they are).
        var orders = host.Factory.Services.GetRequiredService<IOrderBook>();
        using (var me = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } })
        {
            var adminId = JsonDocument.Parse(await (await client.SendAsync(me)).Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
            await orders.IssueAsync(new NewOrder("ord_sweep", adminId, "evt_sweep", [new OrderLine("standing", 2, 100)], "EUR", "ord_sweep", DateTimeOffset.UtcNow),
                CancellationToken.None);
        }
        var ticketsBefore = await orders.TicketsForOrderAsync("ord_sweep", CancellationToken.None);
        var existing = new Dictionary<string, string> { ["orderId"] = "ord_sweep", ["ticketId"] = ticketsBefore[0].Id };
        var usersBefore = CountRows("tf_users");

        var routes = host.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .SelectMany(m => new[] { (Method: m, Path: Fill(e.RoutePattern.RawText!, [])), (Method: m, Path: Fill(e.RoutePattern.RawText!, existing)) }))
            .Distinct().ToList();
        Assert.Contains(routes, r => r.Path == "/api/v1/auth/register");
        Assert.Contains(routes, r => r.Path == $"/api/v1/tickets/{ticketsBefore[0].Id}/transfer");
        Assert.Contains(routes, r => r.Path == "/api/v1/tickets/validate");

        var failures = new List<string>();
        foreach (var (method, path) in routes)
        foreach (var (name, body) in Bodies)
        foreach (var bearer in new[] { null, token })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = body() };
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N")); // a fresh key, so every request reaches its endpoint
            if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            using var response = await client.SendAsync(request);
            if ((int)response.StatusCode >= 500 && !(path == "/health/ready" && response.StatusCode == HttpStatusCode.ServiceUnavailable))
                failures.Add($"{method} {path} ({name}, {(bearer is null ? "anonymous" : "admin")}) -> {(int)response.StatusCode}");
        }
        Assert.Empty(failures);
        Assert.Equal(usersBefore, CountRows("tf_users"));
        Assert.Equal(1, CountRows("tf_orders"));
        Assert.Equal(ticketsBefore, await orders.TicketsForOrderAsync("ord_sweep", CancellationToken.None));
        Assert.Equal(OrderStates.Paid, (await orders.GetAsync("ord_sweep", CancellationToken.None))!.State);
    }

    // Route parameters get an id that exists nowhere, or one of the ids given.
    private static string Fill(string pattern, Dictionary<string, string> ids) => System.Text.RegularExpressions.Regex.Replace(pattern, "{([^}]+)}",
        match => ids.GetValueOrDefault(match.Groups[1].Value, "does-not-exist"));

    private long CountRows(string table)
    {
        using var connection = new SqliteConnection($"Data Source={host.DatabasePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM {table}";
        return (long)command.ExecuteScalar()!;
    }
}
