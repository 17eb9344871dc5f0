using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TicketFlow.WebFront.Accounts;

namespace TicketFlow.WebFront.Tests.Security;

/// <summary>
/// Guessable passwords are refused at sign-up with the reason; failed sign-ins slow further attempts per account and per
/// address with doubling waits, but never lock the owner out of an address they signed in from before. The throttle runs
/// on a clock the test moves, and each request names its client address (TestServer has none) in a test-only header.
/// </summary>
public sealed class PasswordAndLoginTests : IAsyncLifetime
{
    private const string PeerHeader = PeerAddressFromHeader.Header;
    private const string Strong = "correct-horse-battery-9";
    private const string Home = "203.0.113.10";
    private const string Attacker = "198.51.100.66";
    private readonly ManualTime clock = new();
    private readonly WebFrontHost host = new(("RateLimits:Auth:PermitLimit", "100000"), ("RateLimits:Register:PerIpPermitLimit", "100000"), ("Accounts:LoginThrottle:AddressFreeFailures", "8"));
    private WebApplicationFactory<Program> web = null!;

    public Task InitializeAsync()
    {
        web = host.Factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<IStartupFilter, PeerAddressFromHeader>();
            services.AddSingleton(provider => new LoginThrottle(provider.GetRequiredService<IOptions<LoginThrottleOptions>>(), clock));
        }));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Theory]
    [InlineData("password12", "ada@example.com", "Ada", "commonly used password")]
    [InlineData("Password12!", "ada@example.com", "Ada", "commonly used password")]
    [InlineData("aaaaaaaaa1", "ada@example.com", "Ada", "Repeats")]
    [InlineData("zorbulon2024", "zorbulon@example.com", "Z. Quux", "your name or email")] // strong for anyone else
    [InlineData("quux-zorbulon-7", "q@example.com", "Quux Zorbulon", "your name or email")]
    public async Task A_guessable_password_is_refused_with_the_reason_and_creates_nothing(string password, string email, string name, string reason)
    {
        using var response = await Send(Home, "/api/v1/auth/register", new { email, password, name });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await Json(response);
        Assert.Equal(ProblemCodes.Validation, problem.GetProperty("code").GetString());
        var message = problem.GetProperty("errors").GetProperty("password")[0].GetString();
        Assert.Contains(reason, message);
        Assert.Contains("Add another word or two", message);
        using var login = await Login(Home, email, password);
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
    }

    [Theory]
    [InlineData(Strong, "ada@example.com", "Ada")]
    [InlineData("zorbulon2024", "someone@example.com", "Someone")] // the same password, not built from this user's name
    public async Task A_strong_password_is_accepted(string password, string email, string name)
    {
        using var response = await Send(Home, "/api/v1/auth/register", new { email, password, name });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Repeated_failures_on_one_account_from_one_address_wait_longer_and_longer()
    {
        await Register("grace@example.com");
        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await Login(Attacker, "grace@example.com", "not-her-password-1")).StatusCode);

        foreach (var seconds in new[] { 1, 2, 4, 8 })
        {
            using (var slowed = await Login(Attacker, "grace@example.com", "not-her-password-1"))
                await AssertSlowed(slowed, seconds);
            // Not even the right password is checked while the wait lasts (else waiting would tell a guess was right).
            using (var right = await Login(Attacker, "grace@example.com", Strong)) await AssertSlowed(right, seconds);
            clock.Advance(TimeSpan.FromSeconds(seconds));
            Assert.Equal(HttpStatusCode.Unauthorized, (await Login(Attacker, "grace@example.com", "not-her-password-1")).StatusCode);
        }
        using (var fifth = await Login(Attacker, "grace@example.com", "x")) await AssertSlowed(fifth, 16);
        // Never a lock: after the wait, the right password works.
        clock.Advance(TimeSpan.FromSeconds(16));
        Assert.Equal(HttpStatusCode.OK, (await Login(Attacker, "grace@example.com", Strong)).StatusCode);
    }

    [Fact]
    public async Task The_owner_signs_in_from_their_usual_address_while_an_attacker_elsewhere_is_slowed()
    {
        await Register("owner@example.com");
        Assert.Equal(HttpStatusCode.OK, (await Login(Home, "owner@example.com", Strong)).StatusCode);

        for (var i = 0; i < 5; i++) await Login(Attacker, "owner@example.com", $"guess-number-{i}");
        using (var slowed = await Login(Attacker, "owner@example.com", "guess-number-6")) await AssertSlowed(slowed, 1);

        using (var owner = await Login(Home, "owner@example.com", Strong)) Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
        // The owner's success gives the attacker no fresh tries, and a new address is slowed by the account's counter.
        using (var still = await Login(Attacker, "owner@example.com", "guess-number-7")) await AssertSlowed(still, 1);
        using (var elsewhere = await Login("192.0.2.44", "owner@example.com", Strong)) await AssertSlowed(elsewhere, 1);
    }

    [Fact]
    public async Task One_address_failing_on_many_accounts_is_slowed_by_its_own_counter()
    {
        for (var i = 0; i < 8; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await Login(Attacker, $"victim{i}@example.com", "password-guess-1")).StatusCode);
        using (var slowed = await Login(Attacker, "victim99@example.com", "password-guess-1")) await AssertSlowed(slowed, 1);
        // Another address is not slowed by it.
        Assert.Equal(HttpStatusCode.Unauthorized, (await Login(Home, "victim99@example.com", "password-guess-1")).StatusCode);
    }

    private static async Task AssertSlowed(HttpResponseMessage response, int seconds)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(ProblemCodes.TooManyAttempts, (await Json(response)).GetProperty("code").GetString());
        Assert.Equal(TimeSpan.FromSeconds(seconds), response.Headers.RetryAfter?.Delta);
    }

    private async Task Register(string email)
    {
        using var response = await Send(Home, "/api/v1/auth/register", new { email, password = Strong, name = "Someone" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private Task<HttpResponseMessage> Login(string peer, string email, string password) =>
        Send(peer, "/api/v1/auth/login", new { email, password });

    private Task<HttpResponseMessage> Send(string peer, string path, object body)
    {
        var client = web.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body), Headers = { { PeerHeader, peer } } };
        return client.SendAsync(request);
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset now = DateTimeOffset.UtcNow;
        public override DateTimeOffset GetUtcNow() => now;
        public void Advance(TimeSpan by) => now += by;
    }
}
