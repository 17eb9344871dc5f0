extern alias webfront;

using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;
using TicketFlow.Data;
using TicketFlow.Testing;
using BearerTokenMinter = webfront::TicketFlow.WebFront.Security.BearerTokenMinter;

namespace TicketFlow.Benchmarks;

/// <summary>
/// <c>POST /holds</c> end to end: a load generator → a WebFront process (Orleans client) → a silo process → PostgreSQL,
/// membership in a real redis-server, all on this machine. Each request is a real purchase call: bearer auth, rate limiter, Idempotency-Key stored,
/// shopper grain (per-user limit, stored), inventory grain (journal group commit). N connections, closed loop.
/// </summary>
public static class HoldsBenchmark
{
    private const int Users = 1000; // one shopper grain per user serialises that user's holds, as in production
    private const int Tiers = 10;
    internal const string Password = "bench-password-1";

    /// <summary>Runs the rows and prints their table, with the CPU each process spent per request.</summary>
    /// <param name="reserved">Each request holds one exact seat of a reserved tier (a 100,000-seat layout of 100 sections; requests
    /// go round the sections, as fans spread over a stadium) instead of one place of a general-admission tier.</param>
    public static async Task RunAsync(string connectionString, TimeSpan duration, TimeSpan warmUp, int[] connectionCounts, bool reserved = false)
    {
        var folder = AppContext.BaseDirectory;
        var clusterId = $"bench-holds-{Guid.NewGuid():N}";
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var (siloPort, gatewayPort, webPort) = (LocalMachine.FreePort(), LocalMachine.FreePort(), LocalMachine.FreePort());
        await using var redis = await ThrowawayRedis.StartAsync();
        Dictionary<string, string> shared = new(ClusterCertificateFiles.ForTests.Settings)
        {
            ["TICKETFLOW_POSTGRES"] = connectionString,
            ["TICKETFLOW_REDIS"] = redis.ConnectionString,
            ["TICKETFLOW_SIGNING_KEY"] = key,
            ["Cluster__ClusterId"] = clusterId,
            ["Cluster__ServiceId"] = clusterId,
            ["Logging__LogLevel__Default"] = "Warning",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
        // A/B runs of runtime settings (GC, thread pool) in the servers only: TICKETFLOW_BENCH_SERVER_DOTNET_gcServer=0 sets DOTNET_gcServer=0.
        foreach (var (name, value) in ServerSettingsFromEnvironment()) shared[name] = value;
        using var silo = Start(Path.Combine(folder, "TicketFlow.Silo.dll"), [], shared, new()
        {
            ["Silo__Port"] = siloPort.ToString(), ["Silo__GatewayPort"] = gatewayPort.ToString(), ["Management__Port"] = LocalMachine.FreePort().ToString(),
        });
        using var web = Start(Path.Combine(folder, "TicketFlow.WebFront.dll"), ["--urls", $"http://127.0.0.1:{webPort}"], shared, new()
        {
            ["Management__Port"] = LocalMachine.FreePort().ToString(),
            ["TICKETFLOW_ADMIN_EMAIL"] = "bench@ticketflow.test",
            ["TICKETFLOW_ADMIN_PASSWORD"] = Password,
            ["RateLimits__Auth__PermitLimit"] = "100000",
            ["RateLimits__Register__PerIpPermitLimit"] = "100000",
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
            var (eventId, tierIds) = reserved ? await CreateSeatedEventAsync(http, admin) : await CreateEventAsync(http, admin);
            // Buyers' tokens are minted with the cluster's own key ring (as the load tool does): signing up 1,000 buyers would
            // measure the password hasher (PBKDF2, twice per buyer), not the purchase path; they are seeded as real users instead.
            await using var database = NpgsqlDataSource.Create(connectionString);
            using var minter = BearerTokenMinter.Create(SqlStoreDatabase.PostgreSql(database));
            var buyers = await minter.SeedUsersAsync(Enumerable.Range(0, Users).Select(i => $"bench-buyer-{clusterId}-{i}"));
            var tokens = buyers.Select(buyer => minter.Mint(buyer, TimeSpan.FromHours(1))).ToArray();
            Console.WriteLine(reserved ? $"Event {eventId}: one reserved tier of {SeatSections * SeatsPerSection:N0} seats in {SeatSections} sections; {Users} buyers"
                : $"Event {eventId}: {Tiers} tiers; {Users} buyers");
            long sent = 0;
            async Task Hold()
            {
                var n = Interlocked.Increment(ref sent);
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/holds")
                {
                    Content = reserved
                        ? JsonContent.Create(new { eventId, items = new[] { new { tierId = tierIds[0], seats = new[] { SeatId(n) } } } })
                        : JsonContent.Create(new { eventId, items = new[] { new { tierId = tierIds[n / Users % Tiers], quantity = 1 } } }),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[n % Users]);
                request.Headers.Add("Idempotency-Key", $"bench-{n}");
                using var response = await http.SendAsync(request);
                if (response.StatusCode != HttpStatusCode.Created)
                    throw new InvalidOperationException($"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }

            // Unmeasured: two fresh .NET processes spend their first half minute or so compiling (tiered JIT with PGO; measured
            // here: 5-10 s of JIT time per 10 s in each process for the first 30-40 s), which a 5 s row would report as the path's cost.
            Console.WriteLine($"Warming up for {warmUp.TotalSeconds:0} s (WebFront pid {web.Id}, silo pid {silo.Id})...");
            await LoadRun.RunAsync("warm-up", connectionCounts.Max(), warmUp, Hold);
            var results = new List<LoadRun.Result>();
            var cpu = new List<(double Web, double Silo, double Postgres)>();
            foreach (var connections in connectionCounts)
            {
                var before = CpuSeconds(web, silo);
                results.Add(await LoadRun.RunAsync(reserved ? "POST /holds, one exact seat" : "POST /holds (WebFront -> silo -> PostgreSQL)", connections, duration, Hold));
                var after = CpuSeconds(web, silo);
                var requests = Math.Max(1, results[^1].Operations);
                cpu.Add(((after.Web - before.Web) * 1e6 / requests, (after.Silo - before.Silo) * 1e6 / requests, (after.Postgres - before.Postgres) * 1e6 / requests));
            }
            Console.WriteLine();
            Console.WriteLine("| connections | requests/s | p50 ms | p95 ms | p99 ms | errors | CPU µs/request: WebFront | silo | PostgreSQL | load generator |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var (r, c) in results.Zip(cpu))
                Console.WriteLine($"| {r.Callers} | {r.OpsPerSecond:N0} | {r.P50Ms:0.00} | {r.P95Ms:0.00} | {r.P99Ms:0.00} | {r.Errors} | {c.Web:N0} | {c.Silo:N0} | {c.Postgres:N0} | {r.CpuMicrosecondsPerOp:N0} |");
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

    /// <summary>CPU seconds used so far by the WebFront, the silo and every PostgreSQL process on this machine (the benchmark's own server).</summary>
    private static (double Web, double Silo, double Postgres) CpuSeconds(Process web, Process silo)
    {
        web.Refresh();
        silo.Refresh();
        return (web.TotalProcessorTime.TotalSeconds, silo.TotalProcessorTime.TotalSeconds, PostgresCpuSeconds());
    }

    private static double PostgresCpuSeconds()
    {
        long ticks = 0;
        foreach (var process in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(process, "comm")).Trim() != "postgres") continue;
                var stat = File.ReadAllText(Path.Combine(process, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks += long.Parse(fields[11]) + long.Parse(fields[12]); // utime and stime, in clock ticks
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // not a process, or it exited meanwhile
            }
        }
        return ticks / 100.0; // USER_HZ
    }

    private const string ServerSettingPrefix = "TICKETFLOW_BENCH_SERVER_";

    private static IEnumerable<(string Name, string Value)> ServerSettingsFromEnvironment() =>
        Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(name => name.StartsWith(ServerSettingPrefix, StringComparison.Ordinal))
            .Select(name => (name[ServerSettingPrefix.Length..], Environment.GetEnvironmentVariable(name)!));

    internal static Process Start(string dll, string[] args, Dictionary<string, string> shared, Dictionary<string, string> own)
    {
        var start = new ProcessStartInfo("dotnet", [dll, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        foreach (var (name, value) in shared.Concat(own)) start.Environment[name] = value;
        var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    internal static async Task<(string EventId, string[] TierIds)> CreateEventAsync(HttpClient http, string admin)
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

    private const int SeatSections = 100;
    private const int SeatsPerSection = 1_000;

    // Request n takes a seat of section n % 100, the next free one there: every request a different seat, spread over the sections.
    private static string SeatId(long n) => $"s{n % SeatSections}.{n / SeatSections % SeatsPerSection}";

    /// <summary>A venue of 100 sections × 1,000 seats (40 rows of 25) and an on-sale event selling all of it as one reserved tier.</summary>
    private static async Task<(string EventId, string[] TierIds)> CreateSeatedEventAsync(HttpClient http, string admin)
    {
        var sections = Enumerable.Range(0, SeatSections).Select(s => new
        {
            id = $"s{s}", label = $"{100 + s}",
            rows = Enumerable.Range(0, SeatsPerSection / 25).Select(r => new
            {
                label = $"{r + 1}",
                seats = Enumerable.Range(0, 25).Select(n => new { id = $"s{s}.{r * 25 + n}", number = $"{n + 1}" }).ToArray(),
            }).ToArray(),
        }).ToArray();
        var venueId = (await SendAsync(http, admin, "/api/v1/venues", new { name = "Bench Stadium", city = "Loopback", address = "127.0.0.1", sections }))
            .GetProperty("venueId").GetString()!;
        var body = await SendAsync(http, admin, "/api/v1/events", new
        {
            name = "Benchmark seated on-sale", artist = "The Load", description = "",
            venue = new { name = "Bench Stadium", city = "Loopback", address = "127.0.0.1" },
            startsAt = DateTimeOffset.UtcNow.AddDays(30), onSaleAt = DateTimeOffset.UtcNow.AddDays(-1), highDemand = false, holdSeconds = 1800,
            venueId,
            tiers = new[] { new { id = "seats", name = "Seats", priceMinor = 5000, currency = "USD", perUserLimit = 100, reserved = true } },
            seating = sections.Select(s => new { sectionId = s.id, tierId = "seats" }).ToArray(),
        });
        var id = body.GetProperty("id").GetString()!;
        await SendAsync(http, admin, $"/api/v1/events/{id}/publish", null);
        return (id, body.GetProperty("tiers").EnumerateArray().Select(t => t.GetProperty("id").GetString()!).ToArray());
    }

    private static async Task<JsonElement> SendAsync(HttpClient http, string admin, string path, object? body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{path}: HTTP {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    internal static async Task<string> LoginAsync(HttpClient http, string email)
    {
        using var login = await http.PostAsJsonAsync("/api/v1/auth/login", new { email, password = Password });
        login.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await login.Content.ReadAsStringAsync()).RootElement.GetProperty("accessToken").GetString()!;
    }

    internal static async Task WaitUntilReadyAsync(HttpClient http)
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

}
