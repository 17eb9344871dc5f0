using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using TicketFlow.WebFront.Accounts;
using TicketFlow.WebFront.Security;

namespace TicketFlow.WebFront.Tests.Security;

public sealed class BearerTokenMinterTests
{
    private static async Task<HttpResponseMessage> GetAsync(WebApplicationFactory<Program> web, string path, string token)
    {
        var client = web.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task A_minted_token_is_accepted_as_that_user_and_an_admin_token_passes_the_admin_policy()
    {
        await using var database = await FreshDatabase.CreateAsync();
        await using var web = SharedKeyRingTests.ClusterWebFront(database);
        var (id, _, _) = await SharedKeyRingTests.RegisterAndLoginAsync(web, "ada@example.com");
        using var minter = BearerTokenMinter.Create(database.Store);

        using (var me = await GetAsync(web, "/api/v1/me", minter.Mint(id)))
        {
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
            var user = JsonDocument.Parse(await me.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(id, user.GetProperty("id").GetString());
            Assert.Equal("ada@example.com", user.GetProperty("email").GetString());
        }
        // Past authorization, an unknown event is a 404; a plain user is stopped before, with a 403.
        using (var asAdmin = await GetAsync(web, "/api/v1/admin/events/evt_none/stats", minter.Mint("usr_ops", Roles.Admin)))
            Assert.Equal(HttpStatusCode.NotFound, asAdmin.StatusCode);
        using (var asUser = await GetAsync(web, "/api/v1/admin/events/evt_none/stats", minter.Mint(id)))
            Assert.Equal(HttpStatusCode.Forbidden, asUser.StatusCode);
        Assert.Throws<ArgumentException>(() => minter.Mint(id, "root")); // only roles WebFront knows
        Assert.Single(await database.KeyNamesAsync()); // the minter never creates a key
    }

    [Fact]
    public async Task A_minted_token_expires_after_its_lifetime()
    {
        await using var database = await FreshDatabase.CreateAsync();
        await using var web = SharedKeyRingTests.ClusterWebFront(database);
        var (id, _, _) = await SharedKeyRingTests.RegisterAndLoginAsync(web, "ada@example.com");
        using var minter = BearerTokenMinter.Create(database.Store, new ShiftedClock(TimeSpan.FromMinutes(-10)));

        using (var expired = await GetAsync(web, "/api/v1/me", minter.Mint(id, lifetime: TimeSpan.FromMinutes(5))))
            Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        using (var valid = await GetAsync(web, "/api/v1/me", minter.Mint(id, lifetime: TimeSpan.FromMinutes(15))))
            Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
    }

    [Fact]
    public async Task The_minter_refuses_a_store_where_no_WebFront_created_a_key()
    {
        await using var database = await FreshDatabase.CreateAsync();
        var error = Assert.Throws<InvalidOperationException>(() => BearerTokenMinter.Create(database.Store));
        Assert.Contains("start a WebFront", error.Message);
        Assert.Empty(await database.KeyNamesAsync());
    }

    private sealed class ShiftedClock(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + offset;
    }
}
