using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using TicketFlow.WebFront.Security;

namespace TicketFlow.LoadTool;

/// <summary>
/// Simulated buyers: real user rows (so WebFront checks their tokens' security stamps like anyone's), bearer tokens and
/// client addresses. Users are seeded straight into the users table in blocks of a thousand and their tokens minted with
/// the cluster's own data-protection key ring instead of signing up: a real sign-up hashes a password (PBKDF2) twice,
/// so 20,000 of them would measure the hasher, not the on-sale.
/// </summary>
public sealed class Buyers(BearerTokenMinter minter, string runId)
{
    private const int Block = 1000;
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(2);

    private readonly ConcurrentDictionary<int, Lazy<Task<string[]>>> blocks = new();

    public string RunId => runId;

    public string UserId(int buyer) => $"load-{runId}-{buyer}";

    public async Task<string> TokenAsync(int buyer) =>
        (await blocks.GetOrAdd(buyer / Block, block => new Lazy<Task<string[]>>(() => MintBlockAsync(block))).Value)[buyer % Block];

    /// <summary>Seeds the first <paramref name="count"/> buyers before a run, so seeding is not part of what it measures.</summary>
    public Task PrepareAsync(int count) => Task.WhenAll(Enumerable.Range(0, (count + Block - 1) / Block).Select(block => TokenAsync(block * Block)));

    public async Task<string> AdminTokenAsync() => minter.Mint((await minter.SeedUsersAsync([$"load-{runId}-admin"], "admin")).Single(), Lifetime);

    private async Task<string[]> MintBlockAsync(int block)
    {
        var users = await minter.SeedUsersAsync(Enumerable.Range(block * Block, Block).Select(UserId));
        return [.. users.Select(user => minter.Mint(user, Lifetime))];
    }

    /// <summary>A distinct 10.x.y.z address per buyer, sent as X-Forwarded-For (believed through the AppHost's ForwardLimit 2).</summary>
    public static string Address(int buyer) => new IPAddress([10, (byte)(buyer >> 16), (byte)(buyer >> 8), (byte)buyer]).ToString();
}

/// <summary>The admin side of a scenario: creating and publishing its event, tuning the waiting room.</summary>
public static class Setup
{
    public sealed record Tier(string Id, int Capacity);

    public static async Task<(string EventId, IReadOnlyList<Tier> Tiers)> CreateEventAsync(Api api, string adminToken, string name, bool highDemand,
        int holdSeconds, IReadOnlyList<int> capacities, int perUserLimit)
    {
        var body = new
        {
            name, artist = "TicketFlow load tool", description = "Created by tests/LoadTool.",
            venue = new { name = "Loopback Arena", city = "Localhost", address = "127.0.0.1" },
            startsAt = DateTimeOffset.UtcNow.AddDays(30), onSaleAt = DateTimeOffset.UtcNow.AddSeconds(-1), highDemand, holdSeconds,
            tiers = capacities.Select((capacity, i) => new { name = $"Tier {i + 1}", priceMinor = 4000 + 2500 * i, currency = "USD", capacity, perUserLimit }).ToArray(),
        };
        var created = await Retry(() => api.SendAsync("admin: POST /events", HttpMethod.Post, "/api/v1/events", body, adminToken));
        var eventId = created.Text("id")!;
        await Retry(() => api.SendAsync("admin: POST /events/{id}/publish", HttpMethod.Post, $"/api/v1/events/{eventId}/publish", token: adminToken));
        var tiers = created.Body.GetProperty("tiers").EnumerateArray()
            .Select(t => new Tier(t.GetProperty("id").GetString()!, t.GetProperty("capacity").GetInt32())).ToList();
        return (eventId, tiers);
    }

    public static Task ConfigureWaitingRoomAsync(Api api, string adminToken, string eventId, int waveSize, int waveIntervalSeconds, int maxActive) =>
        Retry(() => api.SendAsync("admin: POST waiting-room", HttpMethod.Post, $"/api/v1/admin/events/{eventId}/waiting-room",
            new { paused = false, waveSize, waveIntervalSeconds, maxActive }, adminToken));

    /// <summary>Waits for /health/ready through the load balancer.</summary>
    public static async Task WaitUntilReadyAsync(HttpClient http, TimeSpan deadline)
    {
        var until = DateTime.UtcNow + deadline;
        while (true)
        {
            try
            {
                using var response = await http.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (DateTime.UtcNow > until) throw new TimeoutException($"{http.BaseAddress} did not answer /health/ready with 200 within {deadline.TotalSeconds:0} s.");
            await Task.Delay(250);
        }
    }

    public static Task<Reply> RetryAsync(Func<Task<Reply>> call) => Retry(call);

    // Setup retries what a busy or restarting cluster answers (no answer, 409 concurrent change, 429, 5xx), then gives up loudly.
    private static async Task<Reply> Retry(Func<Task<Reply>> call)
    {
        var reply = await Api.RetryAsync(call, r => !r.Ok && r.Status is 0 or 409 or 429 or >= 500, attempts: 10);
        return reply.Ok ? reply : throw new InvalidOperationException(
            $"Setup call failed: HTTP {reply.Status} {reply.Code} {(reply.Body.ValueKind == JsonValueKind.Undefined ? "" : reply.Body.ToString())}");
    }
}
