using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using TicketFlow.Testing;

namespace TicketFlow.Benchmarks;

/// <summary>
/// <c>POST /holds</c> end to end: a load generator → a WebFront process (Orleans client) → a silo process → PostgreSQL,
/// membership in a real redis-server, all on this machine. Each request is a real purchase call: bearer auth, rate limiter, Idempotency-Key stored,
/// shopper grain (per-user limit, stored), tier grain (journal group commit). N connections, closed loop.
/// </summary>
public static class HoldsBenchmark
{
    private const int Users = 1000; // one shopper grain per user serialises that user's holds, as in production
    private const int Tiers = 10;
    private const string Password = "bench-password-1";

    public static async Task<IReadOnlyList<LoadRun.Result>> RunAsync(string connectionString, TimeSpan duration, int[] connectionCounts)
    {
        var folder = AppContext.BaseDirectory;
        var clusterId = $"bench-holds-{Guid.NewGuid():N}";
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var (siloPort, gatewayPort, webPort) = (FreePort(), FreePort(), FreePort());
        await using var redis = await ThrowawayRedis.StartAsync();
        Dictionary<string, string> shared = new()
        {
            ["TICKETFLOW_POSTGRES"] = connectionString,
            ["TICKETFLOW_REDIS"] = redis.ConnectionString,
            ["TICKETFLOW_SIGNING_KEY"] = key,
            ["Cluster__ClusterId"] = clusterId,
            ["Cluster__ServiceId"] = clusterId,
            ["Logging__LogLevel__Default"] = "Warning",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
        using var silo = Start(Path.Combine(folder, "TicketFlow.Silo.dll"), [], shared, new()
        {
            ["Silo__Port"] = siloPort.ToString(), ["Silo__GatewayPort"] = gatewayPort.ToString(), ["Management__Port"] = FreePort().ToString(),
        });
        using var web = Start(Path.Combine(folder, "TicketFlow.WebFront.dll"), ["--urls", $"http://127.0.0.1:{webPort}"], shared, new()
        {
            ["Management__Port"] = FreePort().ToString(),
            ["TICKETFLOW_ADMIN_EMAIL"] = "bench@ticketflow.test",
            ["TICKETFLOW_ADMIN_PASSWORD"] = Password,
            ["RateLimits__Auth__PermitLimit"] = "100000",
            ["RateLimits__Purchase__PermitLimit"] = "100000000",
            ["Purchases__MaxSeatsPerUserPerEvent"] = "100000",
        });
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connectionCounts.Max(), PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{webPort}"),
                Timeout = TimeSpan.FromSeconds(60),
            };
            await WaitUntilReadyAsync(http);
            var admin = await LoginAsync(http, "bench@ticketflow.test");
            var (eventId, tierIds) = await CreateEventAsync(http, admin);
            Console.WriteLine($"Event {eventId}: {Tiers} tiers; signing up {Users} buyers...");
            var tokens = await Task.WhenAll(Enumerable.Range(0, Users).Select(async i =>
            {
                var email = $"buyer{i}-{Guid.NewGuid():N}@bench.test";
                (await http.PostAsJsonAsync("/api/v1/auth/register", new { email, password = Password, name = "Buyer" })).EnsureSuccessStatusCode();
                return await LoginAsync(http, email);
            }));

            Console.WriteLine($"Signed up; holding (WebFront pid {web.Id}, silo pid {silo.Id})...");
            var results = new List<LoadRun.Result>();
            long sent = 0;
            foreach (var connections in connectionCounts)
            {
                results.Add(await LoadRun.RunAsync("POST /holds (WebFront -> silo -> PostgreSQL)", connections, duration, async () =>
                {
                    var n = Interlocked.Increment(ref sent);
                    using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/holds")
                    {
                        Content = JsonContent.Create(new { eventId, items = new[] { new { tierId = tierIds[n / Users % Tiers], quantity = 1 } } }),
                    };
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[n % Users]);
                    request.Headers.Add("Idempotency-Key", $"bench-{n}");
                    using var response = await http.SendAsync(request);
                    if (response.StatusCode != HttpStatusCode.Created)
                        throw new InvalidOperationException($"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }));
            }
            return results;
        }
        finally
        {
            foreach (var process in new[] { web, silo })
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }

    private static Process Start(string dll, string[] args, Dictionary<string, string> shared, Dictionary<string, string> own)
    {
        var start = new ProcessStartInfo("dotnet", [dll, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        foreach (var (name, value) in shared.Concat(own)) start.Environment[name] = value;
        var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    private static async Task<(string EventId, string[] TierIds)> CreateEventAsync(HttpClient http, string admin)
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events")
        {
            Content = JsonContent.Create(new
            {
                name = "Benchmark on-sale", artist = "The Load", description = "",
                venue = new { name = "Bench Arena", city = "Loopback", address = "127.0.0.1" },
                startsAt = DateTimeOffset.UtcNow.AddDays(30), onSaleAt = DateTimeOffset.UtcNow.AddDays(-1), highDemand = false, holdSeconds = 1800,
                tiers = Enumerable.Range(1, Tiers).Select(i => new { name = $"Tier {i}", priceMinor = 5000, currency = "USD", capacity = 1_000_000, perUserLimit = 100 }).ToArray(),
            }),
        };
        create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        using var created = await http.SendAsync(create);
        created.EnsureSuccessStatusCode();
        var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        var id = body.GetProperty("id").GetString()!;
        using var publish = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/events/{id}/publish");
        publish.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        (await http.SendAsync(publish)).EnsureSuccessStatusCode();
        return (id, body.GetProperty("tiers").EnumerateArray().Select(t => t.GetProperty("id").GetString()!).ToArray());
    }

    private static async Task<string> LoginAsync(HttpClient http, string email)
    {
        using var login = await http.PostAsJsonAsync("/api/v1/auth/login", new { email, password = Password });
        login.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await login.Content.ReadAsStringAsync()).RootElement.GetProperty("accessToken").GetString()!;
    }

    private static async Task WaitUntilReadyAsync(HttpClient http)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                using var response = await http.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("WebFront and silo were not ready within 60 s.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
