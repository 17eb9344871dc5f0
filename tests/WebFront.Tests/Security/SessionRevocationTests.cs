using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace TicketFlow.WebFront.Tests.Security;

/// <summary>
/// Sessions can be ended: signing out everywhere, a new password and new roles change the user's security stamp, and
/// every cookie and access token of the user stops working on every WebFront within 30 s (each WebFront trusts a stamp
/// it read for at most <c>Accounts:Sessions:StampCacheLifetime</c>). Refresh tokens rotate, and a reused one revokes
/// its whole family. Two cluster-mode WebFronts share one PostgreSQL database, as in production.
/// </summary>
public sealed class SessionRevocationTests
{
    private const string Password = "correct-horse-42";
    private const string NewPassword = "plum-ferry-lantern-88";
    private static readonly TimeSpan Promise = TimeSpan.FromSeconds(30);
    private static readonly (string, string) ShortCache = ("Accounts:Sessions:StampCacheLifetime", "00:00:01");

    private sealed record Session(string Token, string RefreshToken, string Cookie);

    private static HttpClient Client(WebApplicationFactory<Program> web) => web.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });

    private static async Task<JsonElement> Json(HttpResponseMessage response) => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static async Task<Session> LoginAsync(WebApplicationFactory<Program> web, string email, string password = Password)
    {
        using var login = await Client(web).PostAsJsonAsync("/api/v1/auth/login", new { email, password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var body = await Json(login);
        var cookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("tf_session=", StringComparison.Ordinal)).Split(';')[0];
        return new Session(body.GetProperty("accessToken").GetString()!, body.GetProperty("refreshToken").GetString()!, cookie);
    }

    private static async Task<HttpStatusCode> StatusAsync(WebApplicationFactory<Program> web, HttpMethod method, string path, string? token = null, string? cookie = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (cookie is not null) request.Headers.Add("Cookie", cookie);
        using var response = await Client(web).SendAsync(request);
        return response.StatusCode;
    }

    private static Task<HttpStatusCode> MeAsync(WebApplicationFactory<Program> web, string? token = null, string? cookie = null) =>
        StatusAsync(web, HttpMethod.Get, "/api/v1/me", token, cookie);

    private static async Task<HttpResponseMessage> PostAsync(WebApplicationFactory<Program> web, string path, object? body, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await Client(web).SendAsync(request);
    }

    private static Task<HttpResponseMessage> RefreshAsync(WebApplicationFactory<Program> web, string refreshToken) =>
        Client(web).PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken });

    /// <summary>Polls until <paramref name="ended"/> holds, and returns how long that took; fails at the 30 s promise.</summary>
    private static async Task<TimeSpan> WithinPromiseAsync(Func<Task<bool>> ended, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await ended())
        {
            Assert.True(clock.Elapsed < Promise, $"{what} still worked {Promise.TotalSeconds:0} s after the session was ended");
            await Task.Delay(200);
        }
        return clock.Elapsed;
    }

    [Fact]
    public void By_default_access_tokens_live_minutes_and_a_revocation_is_seen_well_within_30_s()
    {
        var defaults = new Accounts.AccountSessionOptions();
        Assert.Equal(TimeSpan.FromMinutes(10), defaults.AccessTokenLifetime);
        Assert.Equal(TimeSpan.FromDays(14), defaults.RefreshTokenLifetime);
        Assert.Equal(TimeSpan.FromSeconds(10), defaults.StampCacheLifetime);
    }

    [Fact]
    public async Task Sign_out_everywhere_on_one_WebFront_ends_a_copied_cookie_and_a_bearer_token_on_another_within_30_s_with_default_settings()
    {
        await using var database = await FreshDatabase.CreateAsync();
        await using var first = SharedKeyRingTests.ClusterWebFront(database);
        await using var second = SharedKeyRingTests.ClusterWebFront(database);
        await SharedKeyRingTests.RegisterAndLoginAsync(first, "ada@example.com");
        var session = await LoginAsync(first, "ada@example.com");
        var other = await LoginAsync(second, "ada@example.com");
        // The second WebFront has read (and cached) the user's stamp before the sign-out.
        Assert.Equal(HttpStatusCode.OK, await MeAsync(second, cookie: session.Cookie));
        Assert.Equal(HttpStatusCode.OK, await MeAsync(second, token: session.Token));

        using (var everywhere = await PostAsync(first, "/api/v1/auth/logout-all", null, other.Token))
            Assert.Equal(HttpStatusCode.NoContent, everywhere.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(first, token: session.Token)); // where it happened: at once
        var took = await WithinPromiseAsync(async () =>
            await MeAsync(second, cookie: session.Cookie) == HttpStatusCode.Unauthorized && await MeAsync(second, token: session.Token) == HttpStatusCode.Unauthorized,
            "the copied cookie or the bearer token on the other WebFront");
        Assert.True(took <= TimeSpan.FromSeconds(15), $"took {took.TotalSeconds:0.0} s: the default stamp cache lifetime is 10 s");
        using var refresh = await RefreshAsync(second, session.RefreshToken);
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
        Assert.Equal(ProblemCodes.InvalidRefreshToken, (await Json(refresh)).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, await MeAsync(second, token: (await LoginAsync(second, "ada@example.com")).Token)); // signing in again works
    }

    [Fact]
    public async Task A_bearer_token_decrypted_from_the_cache_ends_with_its_stamp_not_with_the_cache()
    {
        // The token cache at its 30 s maximum, the stamp cache at 1 s: the token must stop working after about 1 s.
        await using var database = await FreshDatabase.CreateAsync();
        await using var first = SharedKeyRingTests.ClusterWebFront(database, ShortCache);
        await using var second = SharedKeyRingTests.ClusterWebFront(database, ShortCache, ("Accounts:Sessions:TokenCacheLifetime", "00:00:30"));
        await SharedKeyRingTests.RegisterAndLoginAsync(first, "ada@example.com");
        var session = await LoginAsync(first, "ada@example.com");
        var other = await LoginAsync(first, "ada@example.com");
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, await MeAsync(second, token: session.Token)); // decrypted once, then cached

        using (var everywhere = await PostAsync(first, "/api/v1/auth/logout-all", null, other.Token))
            Assert.Equal(HttpStatusCode.NoContent, everywhere.StatusCode);

        var took = await WithinPromiseAsync(async () => await MeAsync(second, token: session.Token) == HttpStatusCode.Unauthorized, "the cached bearer token");
        Assert.True(took < TimeSpan.FromSeconds(10), $"took {took.TotalSeconds:0.0} s with a 1 s stamp cache: the token cache held the session");
    }

    [Fact]
    public async Task Changing_the_password_ends_the_other_sessions_and_keeps_the_current_cookie_session()
    {
        await using var database = await FreshDatabase.CreateAsync();
        await using var first = SharedKeyRingTests.ClusterWebFront(database, ShortCache);
        await using var second = SharedKeyRingTests.ClusterWebFront(database, ShortCache);
        await SharedKeyRingTests.RegisterAndLoginAsync(first, "ada@example.com");
        var other = await LoginAsync(second, "ada@example.com");
        var browser = first.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true });
        (await browser.PostAsJsonAsync("/api/v1/auth/login", new { email = "ada@example.com", password = Password })).EnsureSuccessStatusCode();
        var csrf = (await Json(await browser.GetAsync("/api/v1/auth/session"))).GetProperty("antiforgeryToken").GetString()!;
        Assert.Equal(HttpStatusCode.OK, await MeAsync(second, token: other.Token));

        HttpRequestMessage Change(string current) => new(HttpMethod.Post, "/api/v1/me/password")
        {
            Content = JsonContent.Create(new { currentPassword = current, newPassword = NewPassword }),
            Headers = { { "X-CSRF-TOKEN", csrf } },
        };
        using (var wrong = await browser.SendAsync(Change("not-my-password-1")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
            Assert.True((await Json(wrong)).GetProperty("errors").TryGetProperty("currentPassword", out _));
        }
        using (var weak = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/me/password")
        {
            Content = JsonContent.Create(new { currentPassword = Password, newPassword = "password123" }),
            Headers = { { "X-CSRF-TOKEN", csrf } },
        }))
            Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
        using (var changed = await browser.SendAsync(Change(Password))) Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);

        await WithinPromiseAsync(async () => await MeAsync(second, token: other.Token) == HttpStatusCode.Unauthorized
            && await MeAsync(second, cookie: other.Cookie) == HttpStatusCode.Unauthorized, "another session");
        await Task.Delay(1100); // past the cache lifetime: the current cookie carries the new stamp, it is not merely cached
        using (var current = await browser.GetAsync("/api/v1/me")) Assert.Equal(HttpStatusCode.OK, current.StatusCode);
        using (var old = await Client(second).PostAsJsonAsync("/api/v1/auth/login", new { email = "ada@example.com", password = Password }))
            Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        await LoginAsync(second, "ada@example.com", NewPassword);
    }

    [Fact]
    public async Task Removing_a_users_admin_role_takes_effect_on_every_WebFront_within_the_bound_and_the_last_admin_stays()
    {
        await using var database = await FreshDatabase.CreateAsync();
        var boss = new[] { ("TICKETFLOW_ADMIN_EMAIL", "boss@ticketflow.test"), ("TICKETFLOW_ADMIN_PASSWORD", "admin-password-1"), ShortCache };
        await using var first = SharedKeyRingTests.ClusterWebFront(database, boss);
        await using var second = SharedKeyRingTests.ClusterWebFront(database, boss);
        var (opsId, _, _) = await SharedKeyRingTests.RegisterAndLoginAsync(first, "ops@example.com");
        var admin = await LoginAsync(first, "boss@ticketflow.test", "admin-password-1");
        const string adminOnly = "/api/v1/admin/events/evt_none/stats"; // 404 past the admin policy, 403 before it

        async Task<HttpResponseMessage> SetRoles(string userId, params string[] roles)
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/admin/users/{userId}/roles") { Content = JsonContent.Create(new { roles }) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin.Token);
            return await Client(first).SendAsync(request);
        }

        using (var promoted = await SetRoles(opsId, "user", "admin"))
        {
            Assert.Equal(HttpStatusCode.OK, promoted.StatusCode);
            Assert.Equal(["user", "admin"], (await Json(promoted)).GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        }
        var ops = await LoginAsync(second, "ops@example.com");
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(second, HttpMethod.Get, adminOnly, ops.Token));

        using (var demoted = await SetRoles(opsId, "user")) Assert.Equal(HttpStatusCode.OK, demoted.StatusCode);
        await WithinPromiseAsync(async () => await StatusAsync(second, HttpMethod.Get, adminOnly, ops.Token) is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden,
            "the demoted admin's token");
        var again = await LoginAsync(second, "ops@example.com");
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(second, HttpMethod.Get, adminOnly, again.Token));

        var bossId = (await Json(await Client(first).SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/me")
            { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", admin.Token) } }))).GetProperty("id").GetString()!;
        using (var last = await SetRoles(bossId, "user"))
        {
            Assert.Equal(HttpStatusCode.Conflict, last.StatusCode);
            Assert.Equal(ProblemCodes.LastAdmin, (await Json(last)).GetProperty("code").GetString());
        }
        using (var unknownRole = await SetRoles(opsId, "root")) Assert.Equal(HttpStatusCode.BadRequest, unknownRole.StatusCode);
        using (var unknownUser = await SetRoles("usr_nobody", "user")) Assert.Equal(HttpStatusCode.NotFound, unknownUser.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(first, HttpMethod.Get, adminOnly, admin.Token)); // refusals changed nothing
    }

    [Fact]
    public async Task Refresh_rotates_the_pair_and_a_reused_refresh_token_revokes_its_whole_family()
    {
        await using var database = await FreshDatabase.CreateAsync();
        await using var web = SharedKeyRingTests.ClusterWebFront(database);
        await SharedKeyRingTests.RegisterAndLoginAsync(web, "ada@example.com");
        using var login = await Client(web).PostAsJsonAsync("/api/v1/auth/login", new { email = "ada@example.com", password = Password });
        var first = await Json(login);
        Assert.Equal(600, first.GetProperty("expiresIn").GetInt32()); // minutes, not hours
        var firstRefresh = first.GetProperty("refreshToken").GetString()!;
        var untouched = await LoginAsync(web, "ada@example.com"); // another sign-in: another family

        using var rotated = await RefreshAsync(web, firstRefresh);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var second = await Json(rotated);
        Assert.Equal(600, second.GetProperty("expiresIn").GetInt32());
        var (secondToken, secondRefresh) = (second.GetProperty("accessToken").GetString()!, second.GetProperty("refreshToken").GetString()!);
        Assert.NotEqual(firstRefresh, secondRefresh);
        Assert.Equal(HttpStatusCode.OK, await MeAsync(web, token: secondToken));

        using (var reused = await RefreshAsync(web, firstRefresh))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, reused.StatusCode);
            Assert.Equal(ProblemCodes.RefreshTokenReused, (await Json(reused)).GetProperty("code").GetString());
        }
        using (var newer = await RefreshAsync(web, secondRefresh)) // the family's newer token is revoked too
        {
            Assert.Equal(HttpStatusCode.Unauthorized, newer.StatusCode);
            Assert.Equal(ProblemCodes.InvalidRefreshToken, (await Json(newer)).GetProperty("code").GetString());
        }
        using (var other = await RefreshAsync(web, untouched.RefreshToken)) Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task Signing_out_a_bearer_session_ends_its_refreshing_only()
    {
        await using var host = new WebFrontHost(); // embedded: SQLite
        var client = host.CreateClient(cookies: false);
        (await client.PostAsJsonAsync("/api/v1/auth/register", new { email = "ada@example.com", password = Password, name = "Ada" })).EnsureSuccessStatusCode();
        var ended = await LoginAsync(host.Factory, "ada@example.com");
        var kept = await LoginAsync(host.Factory, "ada@example.com");

        using (var logout = await PostAsync(host.Factory, "/api/v1/auth/logout", null, ended.Token)) Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        using (var refused = await RefreshAsync(host.Factory, ended.RefreshToken)) Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using (var refreshed = await RefreshAsync(host.Factory, kept.RefreshToken)) Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        using (var reused = await RefreshAsync(host.Factory, kept.RefreshToken)) Assert.Equal(HttpStatusCode.Unauthorized, reused.StatusCode);
    }
}
