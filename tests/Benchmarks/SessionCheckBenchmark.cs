extern alias webfront;

using System.Diagnostics;
using System.Security.Claims;
using Microsoft.Extensions.Options;
using Npgsql;
using TicketFlow.Data;
using webfront::TicketFlow.WebFront.Accounts;

namespace TicketFlow.Benchmarks;

/// <summary>
/// The cost of checking every cookie and bearer token's security stamp: one primary-key read of <c>tf_users</c> per user
/// per WebFront per cache lifetime (a miss), a dictionary lookup otherwise (a hit). Measures both on PostgreSQL, then
/// prints what a WebFront serving 10,000 authenticated requests a second pays for it at a few numbers of active users.
/// </summary>
public static class SessionCheckBenchmark
{
    public static async Task RunAsync(string connectionString, TimeSpan duration, int[] callerCounts)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var users = new SqlUserRepository(SqlStoreDatabase.PostgreSql(dataSource));
        await users.InitializeAsync(CancellationToken.None);
        var seeded = await users.SeedAsync([.. Enumerable.Range(0, 10_000).Select(i => new UserAccount($"bench-session-{i}", $"bench-session-{i}@seeded.ticketflow.invalid",
            "bench", "", [Roles.User], DateTimeOffset.UtcNow, UserAccount.NewSecurityStamp()))], CancellationToken.None);

        Console.WriteLine($"{"stamp check",-34} {"callers",7} {"checks/s",10} {"µs/check",9}");
        foreach (var callers in callerCounts)
        {
            // Every check a miss: the database read each one costs.
            var misses = await Measure(duration, callers, n => users.FindByIdAsync(seeded[(int)(n % seeded.Count)].Id, CancellationToken.None));
            Console.WriteLine($"{"miss: PostgreSQL primary-key read",-34} {callers,7} {misses,10:N0} {callers * 1e6 / misses,9:N1}");
        }
        var validator = new SessionValidator(users, Options.Create(new AccountSessionOptions { StampCacheLifetime = TimeSpan.FromHours(1) }), TimeProvider.System);
        var principals = seeded.Select(user => new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, user.Id), new Claim("tf_stamp", user.SecurityStamp), new Claim(ClaimTypes.Role, Roles.User)], "bench"))).ToArray();
        foreach (var principal in principals) await validator.ValidateAsync(principal); // warm: every check below a hit
        var hits = await Measure(duration, 1, async n => await validator.ValidateAsync(principals[(int)(n % principals.Length)]));
        Console.WriteLine($"{"hit: cached stamp",-34} {1,7} {hits,10:N0} {1e6 / hits,9:N2}");

        var missCost = 1.0 / (await Measure(duration, 1, n => users.FindByIdAsync(seeded[(int)(n % seeded.Count)].Id, CancellationToken.None)));
        Console.WriteLine();
        Console.WriteLine("At 10,000 authenticated req/s on one WebFront, a 10 s stamp cache lifetime:");
        Console.WriteLine($"{"active users",13} {"reads/s",8} {"share of requests",18} {"DB time/s (1 caller)",21}");
        foreach (var active in new[] { 1_000, 10_000, 100_000 })
        {
            var reads = Math.Min(10_000, active / 10.0);
            Console.WriteLine($"{active,13:N0} {reads,8:N0} {reads / 10_000,18:P1} {reads * missCost * 1000,18:N0} ms");
        }
    }

    private static async Task<double> Measure(TimeSpan duration, int callers, Func<long, Task> check)
    {
        long done = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration) await check(Interlocked.Increment(ref done));
        })));
        return done / clock.Elapsed.TotalSeconds;
    }
}
