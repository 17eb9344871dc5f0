using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using TicketFlow.Data;
using TicketFlow.Testing;
using TicketFlow.WebFront.Idempotency;

namespace TicketFlow.WebFront.Tests;

/// <summary>The Idempotency-Key middleware in a real ASP.NET Core pipeline with a real store, around a counting endpoint.</summary>
public abstract class IdempotencyTests : IAsyncLifetime
{
    private readonly ManualTime time = new();
    private readonly string run = Guid.NewGuid().ToString("N"); // users are per test, so a shared database never replays another run
    private IIdempotencyStore store = null!;
    private WebApplication app = null!;
    private HttpClient client = null!;
    private int executions;
    private int failuresToReturn;

    protected abstract Task<IIdempotencyStore> CreateStoreAsync();

    public async Task InitializeAsync()
    {
        store = await CreateStoreAsync();
        await store.InitializeAsync(CancellationToken.None);
        await StartAppAsync();
    }

    private async Task StartAppAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.Configure<IdempotencyOptions>(options => options.WaitForInFlight = TimeSpan.FromSeconds(3)); // well above the 150 ms endpoint
        app = builder.Build();
        // Test users: a header names the signed-in user (authentication itself is tested elsewhere).
        app.Use((http, next) =>
        {
            if (http.Request.Headers.TryGetValue("X-Test-User", out var user))
                http.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, user.ToString())], "test"));
            return next(http);
        });
        // A request marked so dies with its process right after its response was stored: the reply never leaves.
        app.Use((http, next) =>
        {
            if (http.Request.Headers.ContainsKey("X-Test-Die-Before-Reply")) http.Response.Body = new ProcessDiedStream();
            return next(http);
        });
        app.UseMiddleware<IdempotencyMiddleware>();
        app.MapPost("/orders", async (OrderRequest order) =>
        {
            Interlocked.Increment(ref executions);
            await Task.Delay(150); // long enough for duplicates to arrive while it runs
            if (Interlocked.Decrement(ref failuresToReturn) >= 0) return Results.StatusCode(503);
            return Results.Created($"/orders/{Guid.NewGuid():N}", new { orderId = Guid.NewGuid().ToString("N"), order.Item, order.Quantity });
        }).RequireIdempotencyKey();
        await app.StartAsync();
        client = app.GetTestClient();
    }

    public virtual async Task DisposeAsync() => await app.DisposeAsync();

    private sealed record OrderRequest(string Item, int Quantity);

    private sealed class ProcessDiedStream : MemoryStream
    {
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            throw new IOException("The process died before its reply was sent.");
    }

    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private async Task<(HttpStatusCode Status, string Body, bool Replayed)> Post(string? key, object body, string user = "alice")
    {
        var (status, text, replayed, _) = await PostWithLocation(key, body, user);
        return (status, text, replayed);
    }

    private async Task<(HttpStatusCode Status, string Body, bool Replayed, Uri? Location)> PostWithLocation(string? key, object body, string user = "alice")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = JsonContent.Create(body) };
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        request.Headers.Add("X-Test-User", $"{user}-{run}");
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.Contains("Idempotent-Replayed"), response.Headers.Location);
    }

    [Fact]
    public async Task A_replayed_request_gets_the_first_response_and_runs_once()
    {
        var first = await Post("key-1", new { item = "ga", quantity = 2 });
        var second = await Post("key-1", new { item = "ga", quantity = 2 });
        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal((first.Status, first.Body), (second.Status, second.Body));
        Assert.True(second.Replayed);
        Assert.Equal(1, executions);
    }

    [Fact]
    public async Task A_response_stored_before_the_process_died_is_replayed_after_a_restart_and_the_request_runs_once()
    {
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = JsonContent.Create(new { item = "ga", quantity = 3 }) })
        {
            request.Headers.Add("Idempotency-Key", "key-died");
            request.Headers.Add("X-Test-User", $"alice-{run}");
            request.Headers.Add("X-Test-Die-Before-Reply", "1");
            var lost = await Record.ExceptionAsync(async () => (await client.SendAsync(request)).EnsureSuccessStatusCode());
            Assert.NotNull(lost); // the client never got its 201
        }
        await app.DisposeAsync();
        store = await CreateStoreAsync(); // a new process: nothing of the old one's memory (or its batches) survives
        await store.InitializeAsync(CancellationToken.None);
        await StartAppAsync();

        var replay = await Post("key-died", new { item = "ga", quantity = 3 });
        var again = await Post("key-died", new { item = "ga", quantity = 3 });

        Assert.Equal(HttpStatusCode.Created, replay.Status);
        Assert.True(replay.Replayed);
        Assert.Contains("\"quantity\":3", replay.Body);
        Assert.Equal(replay.Body, again.Body);
        Assert.Equal(1, executions);
    }

    [Fact]
    public async Task A_replay_carries_the_first_responses_Location()
    {
        var first = await PostWithLocation("key-loc", new { item = "ga", quantity = 1 });
        var replay = await PostWithLocation("key-loc", new { item = "ga", quantity = 1 });
        Assert.NotNull(first.Location);
        Assert.Equal(first.Location, replay.Location);
    }

    [Fact]
    public async Task A_claim_left_by_a_request_that_died_frees_its_key_after_the_lease()
    {
        // A request claimed the key, then its process died before it finished.
        var now = time.GetUtcNow();
        Assert.Equal(BeginOutcome.Began, (await store.TryBeginAsync($"alice-{run}", "key-6", "crashed", now, now.AddHours(24), now.AddMinutes(-2), CancellationToken.None)).Outcome);

        Assert.NotEqual(HttpStatusCode.Created, (await Post("key-6", new { item = "ga", quantity = 1 })).Status);
        Assert.Equal(0, executions);

        time.Now += TimeSpan.FromMinutes(3);
        Assert.Equal(HttpStatusCode.Created, (await Post("key-6", new { item = "ga", quantity = 1 })).Status);
        Assert.Equal(1, executions);
    }

    [Fact]
    public async Task A_key_held_by_an_unfinished_request_answers_when_its_claim_lapses()
    {
        // The same request (method, path and body, hashed as the middleware does) claimed the key 30 s ago and never finished.
        const string body = """{"item":"ga","quantity":1}""";
        var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("POST /orders\n" + body)));
        var claimedAt = time.GetUtcNow();
        Assert.Equal(BeginOutcome.Began, (await store.TryBeginAsync($"alice-{run}", "key-8", hash, claimedAt, claimedAt.AddHours(24),
            claimedAt - new IdempotencyOptions().InProgressLease, CancellationToken.None)).Outcome);
        time.Now = claimedAt + TimeSpan.FromSeconds(30);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", "key-8");
        request.Headers.Add("X-Test-User", $"alice-{run}");
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(90), response.Headers.RetryAfter?.Delta); // the 2-minute lease less the 30 s gone; not 1
        Assert.Contains("90 s", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, executions);
    }

    /// <summary>True for a store only one process uses (SQLite, embedded mode): its start releases unfinished claims.</summary>
    protected abstract bool SingleProcess { get; }

    [Fact]
    public async Task At_start_a_single_process_store_releases_unfinished_claims_and_a_shared_one_keeps_them()
    {
        var now = time.GetUtcNow();
        await store.TryBeginAsync($"alice-{run}", "key-9", "died", now, now.AddHours(24), now.AddMinutes(-2), CancellationToken.None);

        await store.InitializeAsync(CancellationToken.None); // what a WebFront's start does

        var again = await store.TryBeginAsync($"alice-{run}", "key-9", "retry", now, now.AddHours(24), now.AddMinutes(-2), CancellationToken.None);
        Assert.Equal(SingleProcess ? BeginOutcome.Began : BeginOutcome.Mismatch, again.Outcome); // kept: the claim's own request hash still stands
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_a_422_and_runs_nothing()
    {
        await Post("key-2", new { item = "ga", quantity = 2 });
        var other = await Post("key-2", new { item = "ga", quantity = 3 });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.Status);
        Assert.Contains(ProblemCodes.IdempotencyKeyReused, other.Body);
        Assert.Equal(1, executions);
    }

    [Fact]
    public async Task Concurrent_duplicates_run_once_and_all_get_the_same_response()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Post("key-3", new { item = "vip", quantity = 1 })));
        Assert.Equal(1, executions);
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.Status));
        Assert.Single(responses.Select(r => r.Body).Distinct());
    }

    [Fact]
    public async Task A_missing_key_is_a_400()
    {
        var response = await Post(null, new { item = "ga", quantity = 1 });
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(0, executions);
    }

    [Fact]
    public async Task Keys_belong_to_their_user()
    {
        await Post("shared-key", new { item = "ga", quantity = 1 }, user: "alice");
        var bob = await Post("shared-key", new { item = "ga", quantity = 1 }, user: "bob");
        Assert.False(bob.Replayed);
        Assert.Equal(2, executions);
    }

    [Fact]
    public async Task Keys_survive_a_restart_and_expire_after_the_retention()
    {
        var first = await Post("key-4", new { item = "ga", quantity = 1 });
        await app.DisposeAsync();
        await StartAppAsync();
        Assert.Equal(first.Body, (await Post("key-4", new { item = "ga", quantity = 1 })).Body);
        Assert.Equal(1, executions);

        time.Now += TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1);
        var afterExpiry = await Post("key-4", new { item = "ga", quantity = 1 });
        Assert.False(afterExpiry.Replayed);
        Assert.Equal(2, executions);
    }

    [Fact]
    public async Task A_server_error_is_not_remembered_so_the_retry_runs_again()
    {
        failuresToReturn = 1;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Post("key-5", new { item = "ga", quantity = 1 })).Status);
        Assert.Equal(HttpStatusCode.Created, (await Post("key-5", new { item = "ga", quantity = 1 })).Status);
        Assert.Equal(2, executions);
    }
}

public sealed class PostgresIdempotencyTests : IdempotencyTests
{
    protected override bool SingleProcess => false;

    protected override async Task<IIdempotencyStore> CreateStoreAsync() =>
        new SqlIdempotencyStore(SqlStoreDatabase.PostgreSql(await TestDatabase.DataSourceAsync()));
}

/// <summary>The cluster's store: claims and responses under group commit (<see cref="CommitBatcher"/>).</summary>
public sealed class BatchedPostgresIdempotencyTests : IdempotencyTests
{
    protected override bool SingleProcess => false;

    protected override async Task<IIdempotencyStore> CreateStoreAsync() =>
        new BatchedIdempotencyStore(SqlStoreDatabase.PostgreSql(await TestDatabase.DataSourceAsync()));
}

public sealed class SqliteIdempotencyTests : IdempotencyTests
{
    protected override bool SingleProcess => true;

    private readonly string folder = Directory.CreateTempSubdirectory("tf-idem-").FullName;

    protected override Task<IIdempotencyStore> CreateStoreAsync() =>
        Task.FromResult<IIdempotencyStore>(new SqlIdempotencyStore(SqlStoreDatabase.Sqlite(new SqliteDatabase(Path.Combine(folder, "idempotency.db")))));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }
}
