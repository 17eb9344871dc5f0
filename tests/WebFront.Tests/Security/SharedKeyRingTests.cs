using TicketFlow.Testing;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TicketFlow.Data;
using TicketFlow.WebFront.Security;

namespace TicketFlow.WebFront.Tests.Security;

/// <summary>Several WebFronts on one store share one Data Protection key ring, so any of them accepts what another issued.</summary>
public sealed class SharedKeyRingTests
{
    private const string Password = "correct-horse-42";

    /// <summary>A cluster-mode WebFront on <paramref name="database"/>; it needs no silo for accounts.</summary>
    internal static WebApplicationFactory<Program> ClusterWebFront(FreshDatabase database, params (string Key, string Value)[] settings) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("TICKETFLOW_REDIS", "127.0.0.1:1"); // cluster mode; these tests need no silo
            foreach (var (name, value) in ClusterCertificateFiles.ForTests.Settings) web.UseSetting(name, value);
            web.UseSetting("TICKETFLOW_POSTGRES", database.ConnectionString);
            web.UseSetting("Cluster:ClusterId", "keys");
            web.UseSetting("Cluster:ServiceId", "keys");
            web.UseSetting("TICKETFLOW_SIGNING_KEY", Convert.ToBase64String(new byte[32]));
            web.UseSetting("RateLimits:Auth:PermitLimit", "1000");
            web.UseSetting("RateLimits:Register:PerIpPermitLimit", "1000");
            web.UseSetting("Demo:Seed", "false");
            foreach (var (key, value) in settings) web.UseSetting(key, value);
        });

    internal static async Task<(string Id, string Token, string Cookie)> RegisterAndLoginAsync(WebApplicationFactory<Program> web, string email)
    {
        var client = web.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        using var registered = await client.PostAsJsonAsync("/api/v1/auth/register", new { email, password = Password, name = "Ada" });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var id = JsonDocument.Parse(await registered.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        using var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { email, password = Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var token = JsonDocument.Parse(await login.Content.ReadAsStringAsync()).RootElement.GetProperty("accessToken").GetString()!;
        var cookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("tf_session=", StringComparison.Ordinal)).Split(';')[0];
        return (id, token, cookie);
    }

    internal static async Task<HttpResponseMessage> MeAsync(WebApplicationFactory<Program> web, string? token = null, string? cookie = null)
    {
        var client = web.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (cookie is not null) request.Headers.Add("Cookie", cookie);
        return await client.SendAsync(request);
    }

    private static async Task<string> EmailOf(HttpResponseMessage me) =>
        JsonDocument.Parse(await me.Content.ReadAsStringAsync()).RootElement.GetProperty("email").GetString()!;

    [Fact]
    public async Task Two_WebFronts_started_together_create_one_key_and_accept_each_others_tokens_and_cookies()
    {
        await using var database = await FreshDatabase.CreateAsync();
        await using var first = ClusterWebFront(database);
        await using var second = ClusterWebFront(database);

        // Start both hosts at once: each runs its start-up step against the empty ring.
        await Task.WhenAll(Task.Run(() => first.Server), Task.Run(() => second.Server));
        var stored = await database.KeyNamesAsync();
        Assert.Single(stored);
        foreach (var web in new[] { first, second })
        {
            Assert.Equal(stored, web.Services.GetRequiredService<IKeyManager>().GetAllKeys().Select(key => $"key-{key.KeyId:D}"));
            Assert.Equal(KeyRingServiceCollectionExtensions.ApplicationName,
                web.Services.GetRequiredService<IOptions<DataProtectionOptions>>().Value.ApplicationDiscriminator);
        }

        var (_, token, cookie) = await RegisterAndLoginAsync(first, "ada@example.com");
        using (var byToken = await MeAsync(second, token: token))
        {
            Assert.Equal(HttpStatusCode.OK, byToken.StatusCode);
            Assert.Equal("ada@example.com", await EmailOf(byToken));
        }
        using (var byCookie = await MeAsync(second, cookie: cookie))
        {
            Assert.Equal(HttpStatusCode.OK, byCookie.StatusCode);
            Assert.Equal("ada@example.com", await EmailOf(byCookie));
        }

        var (_, secondToken, _) = await RegisterAndLoginAsync(second, "grace@example.com");
        using (var back = await MeAsync(first, token: secondToken)) Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        using (var forged = await MeAsync(first, token: secondToken[..^4] + "AAAA")) Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);

        Assert.Equal(stored, await database.KeyNamesAsync()); // using the ring created nothing more
    }

    [Fact]
    public async Task Many_processes_starting_together_on_an_empty_store_create_exactly_one_key()
    {
        // What eight WebFronts would do at start, minus HTTP: each has its own key manager and ring, all on one database.
        await using var database = await FreshDatabase.CreateAsync();
        await new SqlXmlKeyRepository(database.Store).InitializeAsync(CancellationToken.None); // so they race for the key, not the table
        var processes = Enumerable.Range(0, 8).Select(_ =>
        {
            var services = new ServiceCollection().AddLogging().AddSingleton(database.Store);
            services.AddTicketFlowDataProtection();
            return services.BuildServiceProvider();
        }).ToList();
        try
        {
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var started = processes.Select(process => Task.Run(async () =>
            {
                await start.Task;
                foreach (var hosted in process.GetServices<IHostedService>()) await hosted.StartAsync(CancellationToken.None);
            })).ToList();
            start.SetResult();
            await Task.WhenAll(started);

            var stored = Assert.Single(await database.KeyNamesAsync());
            // Every process signs with that key: what one protects, any other reads.
            var protectors = processes.Select(p => p.GetRequiredService<IDataProtectionProvider>().CreateProtector("test")).ToList();
            var keyIds = processes.Select(p => p.GetRequiredService<IKeyManager>().GetAllKeys().Single().KeyId).Distinct();
            Assert.Equal($"key-{Assert.Single(keyIds):D}", stored);
            Assert.All(protectors, reader => Assert.Equal("hello", reader.Unprotect(protectors[0].Protect("hello"))));
        }
        finally
        {
            foreach (var process in processes) await process.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_WebFront_started_later_uses_the_key_that_is_already_stored()
    {
        await using var database = await FreshDatabase.CreateAsync();
        await using var first = ClusterWebFront(database);
        var (_, token, _) = await RegisterAndLoginAsync(first, "ada@example.com");
        var stored = await database.KeyNamesAsync();
        Assert.Single(stored);

        await using var later = ClusterWebFront(database);
        using var me = await MeAsync(later, token: token);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal(stored, await database.KeyNamesAsync());
    }

    [Fact]
    public async Task Embedded_WebFront_keeps_its_keys_in_the_SQLite_file_across_restarts()
    {
        var folder = Directory.CreateTempSubdirectory("tf-keys-").FullName;
        var path = Path.Combine(folder, "ticketflow.db");
        WebApplicationFactory<Program> Embedded() => new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("TICKETFLOW_DATA", path);
            web.UseSetting("Demo:Seed", "false");
        });
        try
        {
            string token;
            await using (var before = Embedded()) (_, token, _) = await RegisterAndLoginAsync(before, "ada@example.com");
            await using (var after = Embedded())
            {
                using var me = await MeAsync(after, token: token);
                Assert.Equal(HttpStatusCode.OK, me.StatusCode);
            }
            await using var connection = new SqliteConnection($"Data Source={path}");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM tf_dataprotection_keys WHERE name LIKE 'key-%'";
            Assert.Equal(1L, (long)(await command.ExecuteScalarAsync())!);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
