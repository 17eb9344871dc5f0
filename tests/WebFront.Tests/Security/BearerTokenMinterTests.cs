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
        var ada = Assert.Single(await minter.SeedUsersAsync([id])); // an existing user is returned as stored

        using (var me = await GetAsync(web, "/api/v1/me", minter.Mint(ada)))
        {
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
            var user = JsonDocument.Parse(await me.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(id, user.GetProperty("id").GetString());
            Assert.Equal("ada@example.com", user.GetProperty("email").GetString());
        }
        // Past authorization, an unknown event is a 404; a plain user is stopped before, with a 403.
        var ops = Assert.Single(await minter.SeedUsersAsync(["usr_ops"], Roles.Admin));
        using (var asAdmin = await GetAsync(web, "/api/v1/admin/events/evt_none/stats", minter.Mint(ops)))
            Assert.Equal(HttpStatusCode.NotFound, asAdmin.StatusCode);
        using (var asUser = await GetAsync(web, "/api/v1/admin/events/evt_none/stats", minter.Mint(ada)))
            Assert.Equal(HttpStatusCode.Forbidden, asUser.StatusCode);
        await Assert.ThrowsAsync<ArgumentException>(() => minter.SeedUsersAsync(["usr_root"], "root")); // only roles WebFront knows
        Assert.Single(await database.KeyNamesAsync()); // the minter never creates a key
    }

    [Fact]
    public async Task Only_a_real_user_with_its_current_stamp_gets_in_and_seeding_is_idempotent_and_fast()
    {
        await using var database = await FreshDatabase.CreateAsync();
        await using var web = SharedKeyRingTests.ClusterWebFront(database);
        await SharedKeyRingTests.RegisterAndLoginAsync(web, "ada@example.com");
        using var minter = BearerTokenMinter.Create(database.Store);
        var ids = Enumerable.Range(0, 5000).Select(i => $"load-test-{i}").ToList();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var seeded = await minter.SeedUsersAsync(ids);
        var elapsed = clock.Elapsed;
        Assert.Equal(ids, seeded.Select(user => user.Id));
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"5,000 users took {elapsed.TotalSeconds:0.0} s: seeding must do thousands a second");
        Assert.Equal(seeded.Select(user => user.SecurityStamp), (await minter.SeedUsersAsync(ids)).Select(user => user.SecurityStamp)); // again: nothing changes

        using (var real = await GetAsync(web, "/api/v1/me", minter.Mint(seeded[0]))) Assert.Equal(HttpStatusCode.OK, real.StatusCode);
        var nobody = seeded[0] with { Id = "load-test-nobody" };
        using (var noRow = await GetAsync(web, "/api/v1/me", minter.Mint(nobody))) Assert.Equal(HttpStatusCode.Unauthorized, noRow.StatusCode);
        var forged = seeded[1] with { SecurityStamp = UserAccount.NewSecurityStamp() };
        using (var wrongStamp = await GetAsync(web, "/api/v1/me", minter.Mint(forged))) Assert.Equal(HttpStatusCode.Unauthorized, wrongStamp.StatusCode);
    }

    [Fact]
    public async Task A_minted_token_expires_after_its_lifetime()
    {
        await using var database = await FreshDatabase.CreateAsync();
        await using var web = SharedKeyRingTests.ClusterWebFront(database);
        var (id, _, _) = await SharedKeyRingTests.RegisterAndLoginAsync(web, "ada@example.com");
        using var minter = BearerTokenMinter.Create(database.Store, new ShiftedClock(TimeSpan.FromMinutes(-10)));
        var ada = Assert.Single(await minter.SeedUsersAsync([id]));

        using (var expired = await GetAsync(web, "/api/v1/me", minter.Mint(ada, lifetime: TimeSpan.FromMinutes(5))))
            Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        using (var valid = await GetAsync(web, "/api/v1/me", minter.Mint(ada, lifetime: TimeSpan.FromMinutes(15))))
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
