extern alias webfront;

using System.Diagnostics;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
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

        await TokenDecryptionAsync(duration);

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

    /// <summary>A bearer token's Data Protection decryption and MAC check (AES-256-CBC, HMAC-SHA256, the defaults) against
    /// the copy of the ticket <see cref="BearerTicketCache"/> hands out instead within its lifetime; one caller each.</summary>
    private static async Task TokenDecryptionAsync(TimeSpan duration)
    {
        var protector = new TicketDataFormat(new EphemeralDataProtectionProvider().CreateProtector("Microsoft.AspNetCore.Authentication.BearerToken", "BearerToken"));
        var tokens = Enumerable.Range(0, 1_000).Select(i => protector.Protect(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, $"usr_{i:x24}"), new Claim("tf_stamp", UserAccount.NewSecurityStamp()), new Claim(ClaimTypes.Name, $"Fan {i}"),
            new Claim(ClaimTypes.Email, $"fan{i}@example.com"), new Claim("tf_family", Guid.NewGuid().ToString("N")), new Claim(ClaimTypes.Role, Roles.User),
        ], "BearerToken")), new AuthenticationProperties { ExpiresUtc = DateTimeOffset.UtcNow.AddMinutes(10) }, "BearerToken"))).ToArray();
        using var cache = new BearerTicketCache(Options.Create(new AccountSessionOptions { TokenCacheLifetime = TimeSpan.FromSeconds(30) }), TimeProvider.System);
        foreach (var token in tokens) cache.Unprotect(token, protector); // warm: every lookup below a hit

        var decryptions = await Measure(duration, 1, n => Task.FromResult(protector.Unprotect(tokens[n % tokens.Length])));
        var hits = await Measure(duration, 1, n => Task.FromResult(cache.Unprotect(tokens[n % tokens.Length], protector)));
        Console.WriteLine();
        Console.WriteLine($"{"bearer token (" + tokens[0].Length + " characters)",-34} {"callers",7} {"reads/s",10} {"µs/read",9}");
        Console.WriteLine($"{"decrypt + MAC check (no cache)",-34} {1,7} {decryptions,10:N0} {1e6 / decryptions,9:N2}");
        Console.WriteLine($"{"cached ticket, copied",-34} {1,7} {hits,10:N0} {1e6 / hits,9:N2}");
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
