using System.Diagnostics;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Npgsql;
using TicketFlow.Testing;
using Xunit.Abstractions;

namespace TicketFlow.LoadTool.Tests;

/// <summary>
/// The on-sale smoke run CI does on every change: the local cluster as deploy/AppHost runs it (Aspire.Hosting.Testing:
/// Redis, 3 silo processes, 2 WebFronts, nginx) on a fresh database, 2,000 buyers for 300 seats through the waiting room,
/// a silo killed with SIGKILL mid-sale (the AppHost's supervisor starts it again), then the audit. Buyers must have been
/// told exactly what the tiers sold, and every check must pass.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")] // the AppHost runs Linux processes
public sealed class OnSaleSmokeTests(ITestOutputHelper output)
{
    [Fact(Timeout = 480_000)]
    public async Task A_short_onsale_with_a_silo_killed_mid_sale_sells_every_seat_and_passes_the_audit()
    {
        var state = Directory.CreateTempSubdirectory("tf-smoke-").FullName;
        var database = await TestDatabase.CreateDatabaseAsync("tf_smoke", maxPoolSize: 50); // the audit sees this run only
        var started = Stopwatch.StartNew();
        var passed = false;
        try
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.TicketFlow_AppHost>(
            [
                "--TicketFlow:Postgres", database, "--TicketFlow:Port", "0", "--TicketFlow:StateFolder", state, "--TicketFlow:Telemetry", "false",
                // The build output the test run just built, not a Release ReadyToRun publish of two projects at start: that
                // took minutes of the run and, beside other test assemblies, ran past Aspire's five minutes for the AppHost to build.
                "--TicketFlow:ReadyToRun", "false",
                "--TicketFlow:Environment:Logging__LogLevel__Default", "Warning", "--TicketFlow:Environment:Logging__LogLevel__TicketFlow", "Warning",
            ]);
            await using var app = await builder.BuildAsync();
            using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            await app.StartAsync(startup.Token);
            await app.ResourceNotifications.WaitForResourceHealthyAsync("nginx", startup.Token);
            output.WriteLine($"cluster up after {started.Elapsed.TotalSeconds:0} s");

            var report = new StringWriter();
            var exit = await LoadToolCommand.RunAsync(
                ["onsale", "--users", "2000", "--seats", "300", "--tiers", "3", "--rate", "400", "--wave-size", "100", "--max-active", "300", "--kill-every", "12",
                 "--cluster-state", Path.Combine(state, "cluster.json"), "--out", Path.Combine(state, "results"), "--settle", "90"], report);
            output.WriteLine(report.ToString());
            Assert.Contains("longest stretch with no hold granted", report.ToString()); // the per-fault recovery table
            output.WriteLine($"finished after {started.Elapsed.TotalSeconds:0} s");

            using var results = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(state, "results", "results.json")));
            var root = results.RootElement;
            Assert.Contains(root.GetProperty("chaos").EnumerateArray(), e => e.GetString()!.Contains("killed with SIGKILL"));
            Assert.Contains(root.GetProperty("chaos").EnumerateArray(), e => e.GetString()!.Contains("started again by the supervisor and serving grains"));
            Assert.All(root.GetProperty("audit").EnumerateArray(), check => Assert.True(check.GetProperty("passed").GetBoolean(), check.ToString()));
            Assert.Empty(root.GetProperty("violations").EnumerateArray());
            double Figure(string name) => root.GetProperty("figures").EnumerateArray().Single(f => f.GetProperty("name").GetString() == name).GetProperty("value").GetDouble();
            // What buyers were told equals what the tiers sold, and nearly everything sold (abandoned holds may expire after the last buyer left).
            Assert.Equal(Figure("seats sold (tiers)"), Figure("seats bought (client view)"));
            Assert.InRange(Figure("seats bought (client view)"), 250, 300);
            Assert.True(File.Exists(Path.Combine(state, "results", "chart.svg")));
            Assert.Equal(0, exit);
            await app.StopAsync();
            passed = true;
        }
        finally
        {
            // Kept for a failed run (every process's log, results.json, chart.svg); a passed one leaves nothing behind.
            if (passed) Directory.Delete(state, recursive: true);
            else output.WriteLine($"logs of the run: {state}");
        }
    }
}
