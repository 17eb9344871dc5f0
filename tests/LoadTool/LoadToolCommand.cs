using Npgsql;
using TicketFlow.Data;
using TicketFlow.WebFront.Security;

namespace TicketFlow.LoadTool;

/// <summary>
/// The TicketFlow load tool: drives a running cluster (by default the local one, deploy/AppHost) through a
/// scenario, prints a table, writes results.json and chart.svg, injects faults if asked, and ends with the audit.
/// Exit codes: 0 all good, 1 the audit, a fault or a client-side check failed, 2 bad usage, 3 the cluster is not there.
/// </summary>
public static class LoadToolCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        LoadOptions options;
        try
        {
            options = LoadOptions.Parse(args);
        }
        catch (UsageException problem)
        {
            if (problem.Message != "usage") Console.Error.WriteLine($"error: {problem.Message}\n");
            Console.Error.WriteLine(LoadOptions.Usage);
            return problem.Message == "usage" && args.Length > 0 ? 0 : 2;
        }
        if (options.Postgres is null)
        {
            Console.Error.WriteLine("error: no database: start the local cluster (dotnet run --project deploy/AppHost) or pass --postgres CONNSTRING");
            return 2;
        }

        await using var database = NpgsqlDataSource.Create(options.Postgres);
        var recorder = new Recorder();
        // Many connections, as many browsers would have: with few, one buyer's slow call would delay the next buyer's in the tool.
        using var http = Api.CreateHttpClient(options.Url, maxConnections: 2000);
        var api = new Api(http, recorder);
        try
        {
            await Setup.WaitUntilReadyAsync(http, TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException problem)
        {
            Console.Error.WriteLine($"error: {problem.Message}");
            return 3;
        }
        // The WebFronts create the key ring at start; the minter only reads it.
        using var minter = BearerTokenMinter.Create(SqlStoreDatabase.PostgreSql(database));
        var buyers = new Buyers(minter, DateTime.UtcNow.ToString("MMddHHmmss"));
        var auditor = new Auditor(database, options.ServiceId, options.HoldSlack, new Api(http, new Recorder()), await buyers.AdminTokenAsync());

        if (options.Command == "audit")
        {
            var checks = await auditor.RunAsync(options.Settle);
            return Auditor.Print(checks, output) ? 0 : 1;
        }

        Console.Error.WriteLine($"{options.Command} against {options.Url} (database {new NpgsqlConnectionStringBuilder(options.Postgres) { Password = null }})");
        using var cluster = LocalCluster.Open(options.ClusterState);
        var chaos = options.HasChaos ? new Chaos(cluster!, options, recorder) : null;
        var server = options.TargetsLocalCluster ? await ServerLatency.ForClusterAsync(cluster) : null;
        if (server is not null) await server.StartAsync(http);
        using var stopChaos = new CancellationTokenSource();
        var scenario = options.Command switch
        {
            "browse" => BrowseScenario.RunAsync(api, buyers, options, recorder),
            "hot-tier" => HotTierScenario.RunAsync(api, buyers, options, recorder),
            _ => new OnSaleScenario(api, buyers, options, recorder).RunAsync(),
        };
        // Faults start with the measured part of the run (scenarios reset the recorder's clock after their warm-up).
        var faults = chaos is null ? Task.CompletedTask : Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            await chaos.RunAsync(stopChaos.Token);
        });
        var result = await scenario;
        await stopChaos.CancelAsync();
        await faults;
        if (chaos is not null) await chaos.CheckNoHealthySiloWasEvictedAsync();
        var serverSide = server is null ? [] : await server.StopAsync(http);
        Report.PrintTable(result, recorder, serverSide, output);
        if (chaos is not null)
        {
            output.WriteLine();
            output.WriteLine("Chaos");
            foreach (var line in chaos.Events) output.WriteLine("  " + line);
            output.WriteLine();
            FaultRecovery.Print(FaultRecovery.Compute(chaos.Faults, recorder), output);
        }

        Console.Error.WriteLine("[audit] reading the database and the gateway's store...");
        var audit = await auditor.RunAsync(options.Settle);
        var auditPassed = Auditor.Print(audit, output);
        var folder = options.OutputFolder ?? Path.Combine("loadtool-results", $"{options.Command}-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
        Report.WriteFiles(folder, result, recorder, serverSide, chaos?.Events ?? [], audit);
        output.WriteLine($"\nresults.json and chart.svg in {Path.GetFullPath(folder)}");
        var chaosPassed = chaos is null || chaos.Failures.Count == 0;
        if (!chaosPassed) output.WriteLine($"Chaos FAILED: {string.Join("; ", chaos!.Failures)}");
        return auditPassed && chaosPassed && result.Violations.Count == 0 ? 0 : 1;
    }
}
