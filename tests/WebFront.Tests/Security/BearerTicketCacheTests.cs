using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TicketFlow.WebFront.Accounts;

namespace TicketFlow.WebFront.Tests.Security;

/// <summary>
/// A bearer token is decrypted once per <see cref="AccountSessionOptions.TokenCacheLifetime"/>, not once per request,
/// by a real Data Protection protector; what it decrypted to is never shared between requests, nothing unreadable is
/// remembered, and the lifetime cannot exceed the 30 s in which an ended session must stop working.
/// </summary>
public sealed class BearerTicketCacheTests
{
    private readonly FakeTimeProvider time = new();
    private readonly CountingProtector protector = new();

    private BearerTicketCache Cache(TimeSpan lifetime) =>
        new(Options.Create(new AccountSessionOptions { TokenCacheLifetime = lifetime }), time);

    private string Token(string userId) => protector.Protect(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, userId), new Claim("tf_stamp", "stamp-1")], "test")), "BearerToken"));

    [Fact]
    public void A_token_is_decrypted_once_per_lifetime_and_again_after_it()
    {
        using var cache = Cache(TimeSpan.FromSeconds(10));
        var token = Token("ada");

        var first = cache.Unprotect(token, protector);
        time.Advance(TimeSpan.FromSeconds(9.9));
        var second = cache.Unprotect(token, protector);
        Assert.Equal(1, protector.Unprotects);
        Assert.Equal("ada", second!.Principal.FindFirstValue(ClaimTypes.NameIdentifier));

        time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal("ada", cache.Unprotect(token, protector)!.Principal.FindFirstValue(ClaimTypes.NameIdentifier));
        Assert.Equal(2, protector.Unprotects);
        Assert.Equal("ada", first!.Principal.FindFirstValue(ClaimTypes.NameIdentifier));
    }

    [Fact]
    public void Each_request_gets_its_own_copy_of_the_ticket()
    {
        using var cache = Cache(TimeSpan.FromSeconds(10));
        var token = Token("ada");

        var first = cache.Unprotect(token, protector)!;
        ((ClaimsIdentity)first.Principal.Identity!).AddClaim(new Claim(ClaimTypes.Role, "admin"));
        first.Properties.Items["changed"] = "yes";
        var second = cache.Unprotect(token, protector)!;

        Assert.False(second.Principal.IsInRole("admin"));
        Assert.False(second.Properties.Items.ContainsKey("changed"));
        Assert.Equal(1, protector.Unprotects);
    }

    [Fact]
    public void Tokens_are_told_apart_and_an_unreadable_one_is_never_remembered()
    {
        using var cache = Cache(TimeSpan.FromSeconds(10));
        var (ada, bob) = (Token("ada"), Token("bob"));

        Assert.Equal("ada", cache.Unprotect(ada, protector)!.Principal.FindFirstValue(ClaimTypes.NameIdentifier));
        Assert.Equal("bob", cache.Unprotect(bob, protector)!.Principal.FindFirstValue(ClaimTypes.NameIdentifier));
        var forged = ada[..^4] + (ada.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        Assert.Null(cache.Unprotect(forged, protector));
        Assert.Null(cache.Unprotect(forged, protector));
        Assert.Equal(4, protector.Unprotects);
    }

    [Fact]
    public void A_zero_lifetime_decrypts_every_time()
    {
        using var cache = Cache(TimeSpan.Zero);
        var token = Token("ada");

        for (var i = 0; i < 3; i++) Assert.NotNull(cache.Unprotect(token, protector));
        Assert.Equal(3, protector.Unprotects);
    }

    [Theory]
    [InlineData("00:00:31", "00:00:10")]
    [InlineData("00:00:10", "00:01:00")]
    [InlineData("-00:00:01", "00:00:10")]
    public async Task A_WebFront_refuses_to_start_with_a_cache_that_outlives_the_30_s_promise(string tokenCache, string stampCache)
    {
        await using var host = new WebFrontHost(("Accounts:Sessions:TokenCacheLifetime", tokenCache), ("Accounts:Sessions:StampCacheLifetime", stampCache));

        var error = Assert.Throws<OptionsValidationException>(() => host.CreateClient());
        Assert.Contains("within 30 s", error.Message);
    }

    /// <summary>The bearer scheme's kind of protector, over an in-memory key, counting what it is asked to read.</summary>
    private sealed class CountingProtector : ISecureDataFormat<AuthenticationTicket>
    {
        private readonly TicketDataFormat inner = new(new EphemeralDataProtectionProvider().CreateProtector("tests"));

        public int Unprotects { get; private set; }

        public string Protect(AuthenticationTicket data) => inner.Protect(data);

        public string Protect(AuthenticationTicket data, string? purpose) => inner.Protect(data, purpose);

        public AuthenticationTicket? Unprotect(string? protectedText)
        {
            Unprotects++;
            return inner.Unprotect(protectedText);
        }

        public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
        {
            Unprotects++;
            return inner.Unprotect(protectedText, purpose);
        }
    }
}
