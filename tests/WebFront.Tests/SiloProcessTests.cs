using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using TicketFlow.Grains.Diagnostics;
using TicketFlow.Runtime.Hosting;
using TicketFlow.Runtime.Membership;
using TicketFlow.Runtime.Testing;

namespace TicketFlow.WebFront.Tests;

/// <summary>The Silo executable as an operator runs it: configured by environment, stopped by SIGTERM.</summary>
public sealed class SiloProcessTests
{
    [Fact]
    public async Task A_silo_process_joins_serves_grains_and_leaves_gracefully_on_SIGTERM()
    {
        var connectionString = await TestDatabase.ConnectionStringAsync();
        var cluster = new ClusterOptions { ClusterId = TestDatabase.UniqueId("process"), ServiceId = TestDatabase.UniqueId("process"), MembershipRefreshPeriod = TimeSpan.FromMilliseconds(200) };
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "TicketFlow.Silo.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["TICKETFLOW_POSTGRES"] = connectionString,
                ["TICKETFLOW_SIGNING_KEY"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
                ["Cluster__ClusterId"] = cluster.ClusterId,
                ["Cluster__ServiceId"] = cluster.ServiceId,
                ["Silo__Port"] = "0",
            },
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            var membership = new PostgresMembershipTable(await TestDatabase.DataSourceAsync(), cluster.ClusterId);
            await using var client = new ClusterClient(membership, Grains.GrainAssemblies.All, cluster, NullLoggerFactory.Instance);
            await client.StartAsync(CancellationToken.None);
            var view = await Poll(() => client.RefreshMembershipAsync(CancellationToken.None), v => v.Active.Count == 1);

            var reply = await client.GrainFactory.GetGrain<IPingGrain>("process").Ping();
            Assert.Equal(view.Active.Single().ToString(), reply.Silo);

            Process.Start("kill", ["-TERM", process.Id.ToString()])!.WaitForExit();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, process.ExitCode);
            var rows = await membership.ReadAsync(CancellationToken.None);
            Assert.Equal(SiloStatus.Dead, rows.Entries.Single().Status);
        }
        finally
        {
            if (!process.HasExited) process.Kill();
        }
        Assert.Contains("is serving grains", await output);
        Assert.DoesNotContain("fail", await errors, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<T> Poll<T>(Func<Task<T>> probe, Func<T, bool> done)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (done(value)) return value;
            if (clock.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException($"Still waiting after 30 s; last value {value}");
            await Task.Delay(50);
        }
    }
}
