using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace TicketFlow.WebFront.Tests;

/// <summary>Every endpoint WebFront maps, fed garbage as anonymous and as admin: never a 5xx, and no row is written.</summary>
public sealed class MalformedInputTests : IAsyncLifetime
{
    private static readonly string Huge = new('x', 200_000);

    private static readonly (string Name, Func<HttpContent?> Body)[] Bodies =
    [
        ("no body", () => null),
        ("unreadable json", () => new StringContent("{\"email\": ", Encoding.UTF8, "application/json")),
        ("wrong types", () => new StringContent("{\"email\": 5, \"password\": [], \"name\": {\"a\": 1}, \"quantity\": \"many\"}", Encoding.UTF8, "application/json")),
        ("huge strings", () => JsonContent.Create(new { email = Huge + "@example.com", password = Huge, name = Huge })),
        ("negative numbers", () => JsonContent.Create(new { quantity = -5, priceMinor = long.MinValue, capacity = -1 })),
        ("not json", () => new StringContent("<xml/>", Encoding.UTF8, "application/xml")),
    ];

    private WebFrontHost host = null!;

    public Task InitializeAsync()
    {
        host = new WebFrontHost(("TICKETFLOW_ADMIN_EMAIL", "sweep@ticketflow.test"), ("TICKETFLOW_ADMIN_PASSWORD", "admin-password-1"),
            ("RateLimits:Auth:PermitLimit", "100000"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task Garbage_to_any_endpoint_is_never_a_server_error_and_changes_nothing()
    {
        var client = host.CreateClient(cookies: false);
        var token = await host.TokenAsync("sweep@ticketflow.test", "admin-password-1");
        var usersBefore = CountUsers();

        var routes = host.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, Path: Fill(e.RoutePattern.RawText!))))
            .Distinct().ToList();
        Assert.Contains(routes, r => r.Path == "/api/v1/auth/register");

        var failures = new List<string>();
        foreach (var (method, path) in routes)
        foreach (var (name, body) in Bodies)
        foreach (var bearer in new[] { null, token })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = body() };
            request.Headers.Add("Idempotency-Key", name.Replace(' ', '-'));
            if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            using var response = await client.SendAsync(request);
            if ((int)response.StatusCode >= 500 && !(path == "/health/ready" && response.StatusCode == HttpStatusCode.ServiceUnavailable))
                failures.Add($"{method} {path} ({name}, {(bearer is null ? "anonymous" : "admin")}) -> {(int)response.StatusCode}");
        }
        Assert.Empty(failures);
        Assert.Equal(usersBefore, CountUsers());
    }

    // Route parameters get an id that exists nowhere.
    private static string Fill(string pattern) => System.Text.RegularExpressions.Regex.Replace(pattern, "{[^}]+}", "does-not-exist");

    private long CountUsers()
    {
        using var connection = new SqliteConnection($"Data Source={host.DatabasePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM tf_users";
        return (long)command.ExecuteScalar()!;
    }
}
