using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace TicketFlow.WebFront.Tests.Security;

/// <summary>An authentication scheme is case-insensitive (RFC 9110 §11.1): <c>bearer</c> is <c>Bearer</c>.</summary>
public sealed class BearerSchemeTests : IAsyncLifetime
{
    private readonly WebFrontHost host = new();
    private string token = null!;

    public async Task InitializeAsync() => token = await host.TokenAsync("scheme@example.com", "scheme-quartz-lantern-1", register: true);

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Theory]
    [InlineData("Bearer")]
    [InlineData("bearer")]
    [InlineData("BEARER")]
    [InlineData("bEaReR")]
    public async Task A_bearer_token_is_accepted_whatever_the_case_of_its_scheme(string scheme)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me") { Headers = { Authorization = new AuthenticationHeaderValue(scheme, token) } };
        using var me = await host.CreateClient(cookies: false).SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal("scheme@example.com", JsonDocument.Parse(await me.Content.ReadAsStringAsync()).RootElement.GetProperty("email").GetString());
    }

    [Fact]
    public async Task A_forged_token_is_refused_whatever_the_case_of_its_scheme()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me") { Headers = { Authorization = new AuthenticationHeaderValue("bearer", "not-a-token") } };
        using var me = await host.CreateClient(cookies: false).SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }
}
