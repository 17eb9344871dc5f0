using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using TicketFlow.WebFront.Accounts;

namespace TicketFlow.WebFront.Tests.Security;

/// <summary>
/// Registration says when an email is taken, so attempts are limited per client address and per email at once
/// (<c>RateLimits:Register</c>): many emails from one address, or one email from many addresses, end in 429. The TCP peer
/// is set per request by a test-only header (as in <see cref="ForwardedHeadersTests"/>).
/// </summary>
public sealed class RegistrationRateLimitTests : IAsyncLifetime
{
    private const string PeerHeader = PeerAddressFromHeader.Header;
    private const string Password = "correct-horse-battery-9";
    private WebFrontHost host = null!;
    private WebApplicationFactory<Program> web = null!;

    public Task InitializeAsync()
    {
        host = new WebFrontHost(("RateLimits:Auth:PermitLimit", "1000"), ("RateLimits:Register:PerIpPermitLimit", "3"),
            ("RateLimits:Register:PerEmailPermitLimit", "2"), ("RateLimits:Register:Window", "00:10:00"));
        web = host.Factory.WithWebHostBuilder(builder => builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, PeerAddressFromHeader>()));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await web.DisposeAsync();
        await host.DisposeAsync();
    }

    private async Task<HttpResponseMessage> RegisterAsync(string peer, string email)
    {
        var client = web.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/register")
        {
            Content = JsonContent.Create(new { email, password = Password, name = "Someone" }),
            Headers = { { PeerHeader, peer } },
        };
        return await client.SendAsync(request);
    }

    private static string NewEmail() => $"fan-{Guid.NewGuid():N}@example.com";

    private static async Task AssertLimited(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(ProblemCodes.RateLimited, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        Assert.InRange(int.Parse(response.Headers.GetValues("Retry-After").Single()), 1, 600);
    }

    [Fact]
    public async Task Registrations_from_one_address_are_limited_and_another_address_is_not_held_back()
    {
        for (var i = 0; i < 3; i++)
            using (var created = await RegisterAsync("203.0.113.7", NewEmail())) Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var email = NewEmail();
        using (var limited = await RegisterAsync("203.0.113.7", email)) await AssertLimited(limited);
        using (var elsewhere = await RegisterAsync("198.51.100.8", email)) Assert.Equal(HttpStatusCode.Created, elsewhere.StatusCode);
    }

    [Fact]
    public async Task Attempts_for_one_email_are_limited_across_addresses()
    {
        var email = NewEmail();
        using (var created = await RegisterAsync("203.0.113.1", email)) Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using (var taken = await RegisterAsync("203.0.113.2", email)) Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);

        using (var probe = await RegisterAsync("203.0.113.3", email)) await AssertLimited(probe); // a third address learns nothing
        using (var upper = await RegisterAsync("203.0.113.4", email.ToUpperInvariant())) await AssertLimited(upper); // counted as accounts compare emails
        using (var other = await RegisterAsync("203.0.113.3", NewEmail())) Assert.Equal(HttpStatusCode.Created, other.StatusCode);
    }

    [Fact]
    public void The_documented_defaults_hold()
    {
        var (register, transfer) = (new RegisterRateLimitOptions(), new TicketFlow.WebFront.Conventions.TransferRateLimitOptions());
        Assert.Equal((20, 5, TimeSpan.FromHours(1)), (register.PerIpPermitLimit, register.PerEmailPermitLimit, register.Window));
        Assert.Equal((20, TimeSpan.FromMinutes(10)), (transfer.PermitLimit, transfer.Window));
        Assert.Equal(TimeSpan.FromDays(7), new TicketFlow.Data.Transfers.TransferOptions().OfferLifetime);
    }
}
