using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace TicketFlow.WebFront.Tests;

public sealed class ConventionTests : IAsyncLifetime
{
    private WebFrontHost host = null!;

    public Task InitializeAsync()
    {
        host = new WebFrontHost(("RateLimits:Auth:PermitLimit", "3"), ("RateLimits:Auth:Window", "00:01:00"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task Every_response_carries_a_correlation_id_and_security_headers()
    {
        var client = host.CreateClient();
        using var generated = await client.GetAsync("/health/live");
        var id = Assert.Single(generated.Headers.GetValues("X-Correlation-Id"));
        Assert.Equal(32, id.Length);
        Assert.Equal("nosniff", Assert.Single(generated.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(generated.Headers.GetValues("X-Frame-Options")));
        Assert.Contains("default-src 'self'", Assert.Single(generated.Headers.GetValues("Content-Security-Policy")));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me") { Headers = { { "X-Correlation-Id", "checkout-42" } } };
        using var echoed = await client.SendAsync(request);
        Assert.Equal("checkout-42", Assert.Single(echoed.Headers.GetValues("X-Correlation-Id")));
        // The problem body of the 401 carries the same id, so a user's report leads to the log lines.
        Assert.Equal("checkout-42", JsonDocument.Parse(await echoed.Content.ReadAsStringAsync()).RootElement.GetProperty("traceId").GetString());

        using var hostile = new HttpRequestMessage(HttpMethod.Get, "/health/live") { Headers = { { "X-Correlation-Id", "bad id\"with spaces" } } };
        using var replaced = await client.SendAsync(hostile);
        Assert.NotEqual("bad id\"with spaces", Assert.Single(replaced.Headers.GetValues("X-Correlation-Id")));
    }

    [Fact]
    public async Task Login_attempts_beyond_the_limit_get_429_with_Retry_After()
    {
        var client = host.CreateClient();
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 4; i++)
        {
            last?.Dispose();
            last = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = "x@example.com", password = "whatever-1" });
            statuses.Add(last.StatusCode);
        }
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
        Assert.True(int.Parse(Assert.Single(last!.Headers.GetValues("Retry-After"))) > 0);
        Assert.Equal(ProblemCodes.RateLimited, JsonDocument.Parse(await last.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        last.Dispose();
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_account_endpoints()
    {
        var document = JsonDocument.Parse(await host.CreateClient().GetStringAsync("/openapi/v1.json")).RootElement;
        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/v1/auth/register", out _));
        Assert.True(paths.TryGetProperty("/api/v1/me", out _));
    }
}
