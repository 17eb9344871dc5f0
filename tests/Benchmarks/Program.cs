using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using TicketFlow.Benchmarks;
using TicketFlow.Runtime.Hosting;
using TicketFlow.Runtime.Testing;

// Runtime benchmark: durable increments on ONE grain with group commit vs one write per call (in process, PostgreSQL
// with fsync on), and remote calls through the client -> silo HTTP/2 hop. Prints a table; not a test.
// Modes: (none) the runtime benchmark; `browse` a WebFront process; `inventory` one hot tier vs the row lock;
// `holds` POST /holds end to end through a WebFront process and a silo process; `waitingline` one WaitingLine in memory;
// `waitingroom` one waiting room grain on PostgreSQL (durable joins/s, status/s).
if (args.Contains("waitingline"))
{
    // Waiting line: one WaitingLine in memory on one thread (joins/s, status/s, bytes per waiting user); no PostgreSQL.
    WaitingLineBenchmark.Run(int.Parse(Option("--users") ?? "1000000"));
    return 0;
}
var duration = TimeSpan.FromSeconds(double.Parse(Option("--seconds") ?? "3"));
if (args.Contains("browse"))
{
    // Browse: a WebFront process with the demo catalog, 64 connections by default.
    var browse = await BrowseBenchmark.RunAsync(duration, (Option("--connections") ?? "64").Split(',').Select(int.Parse).ToArray());
    PrintTable(browse);
    return 0;
}
var inventory = args.Contains("inventory");
var callerCounts = (Option("--callers") ?? (inventory ? "1,4,16,64,256,512" : "1,4,16,64,256")).Split(',').Select(int.Parse).ToArray();

var configured = Environment.GetEnvironmentVariable("TICKETFLOW_BENCH_PG");
await using var throwaway = configured is null ? await ThrowawayPostgres.StartAsync(durable: true) : null;
var connectionString = configured ?? throwaway!.ConnectionString;
await using var dataSource = NpgsqlDataSource.Create(connectionString);
await using (var settings = dataSource.CreateCommand("SELECT current_setting('fsync') || ' / synchronous_commit=' || current_setting('synchronous_commit')"))
    Console.WriteLine($"PostgreSQL fsync={await settings.ExecuteScalarAsync()}; {Environment.ProcessorCount} cores; {duration.TotalSeconds} s per row");
if (inventory)
{
    await InventoryBenchmark.RunAsync(connectionString, duration, callerCounts);
    return 0;
}
if (args.Contains("waitingroom"))
{
    PrintTable(await WaitingRoomBenchmark.RunAsync(connectionString, duration, callerCounts));
    return 0;
}
if (args.Contains("holds"))
{
    PrintTable(await HoldsBenchmark.RunAsync(connectionString, duration, (Option("--connections") ?? "64,128,256").Split(',').Select(int.Parse).ToArray()));
    return 0;
}

var cluster = new ClusterOptions { ClusterId = $"bench-{Guid.NewGuid():N}", ServiceId = $"bench-{Guid.NewGuid():N}" };
Assembly[] grains = [typeof(BenchCounterGrain).Assembly];
var results = new List<LoadRun.Result>();

// In process: the caller and the grain share the silo, so this measures the grain and its storage, not the network.
await using (var silo = new SiloRuntime(RuntimeStores.PostgreSql(dataSource, cluster), grains, cluster, new SiloOptions(),
    new ServiceCollection().BuildServiceProvider(), NullLoggerFactory.Instance))
{
    await silo.StartAsync("bench-in-process", CancellationToken.None);
    foreach (var callers in callerCounts)
    {
        var grain = silo.GrainFactory.GetGrain<IBenchCounterGrain>($"batched-{callers}");
        results.Add(await LoadRun.RunAsync("group commit, in process", callers, duration, grain.IncrementBatched));
        Report(results[^1]);
    }
    foreach (var callers in callerCounts)
    {
        var grain = silo.GrainFactory.GetGrain<IBenchCounterGrain>($"single-{callers}");
        results.Add(await LoadRun.RunAsync("one write per call, in process", callers, duration, grain.Increment));
        Report(results[^1]);
    }
    Console.WriteLine($"group commits: {silo.Statistics.GroupCommits:N0} writes for {silo.Statistics.GroupCommitCalls:N0} calls");
    await silo.StopAsync(CancellationToken.None);
}

// Through the network hop: a ClusterClient calling a silo on loopback over HTTP/2.
var remoteCluster = new ClusterOptions { ClusterId = $"bench-{Guid.NewGuid():N}", ServiceId = cluster.ServiceId };
await using (var host = await SiloHost.StartAsync(new SiloHostOptions
{
    Stores = _ => RuntimeStores.PostgreSql(dataSource, remoteCluster),
    GrainAssemblies = grains,
    Cluster = remoteCluster,
}, CancellationToken.None))
await using (var client = new ClusterClient(RuntimeStores.PostgreSql(dataSource, remoteCluster).Membership, grains, remoteCluster, NullLoggerFactory.Instance))
{
    await client.StartAsync(CancellationToken.None);
    foreach (var callers in callerCounts.Where(c => c >= 16))
    {
        var grain = client.GrainFactory.GetGrain<IBenchCounterGrain>($"remote-{callers}");
        results.Add(await LoadRun.RunAsync("remote read-only call (client -> silo)", callers, duration, grain.Get));
        Report(results[^1]);
    }
    foreach (var callers in callerCounts.Where(c => c >= 16))
    {
        var grain = client.GrainFactory.GetGrain<IBenchCounterGrain>($"remote-batched-{callers}");
        results.Add(await LoadRun.RunAsync("remote group commit (client -> silo)", callers, duration, grain.IncrementBatched));
        Report(results[^1]);
    }
    await host.StopAsync(CancellationToken.None);
}

PrintTable(results);
return 0;

static void PrintTable(IEnumerable<LoadRun.Result> rows)
{
    Console.WriteLine();
    Console.WriteLine("| scenario | callers | ops/s | p50 ms | p95 ms | p99 ms | errors |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
    foreach (var r in rows)
        Console.WriteLine($"| {r.Scenario} | {r.Callers} | {r.OpsPerSecond:N0} | {r.P50Ms:0.00} | {r.P95Ms:0.00} | {r.P99Ms:0.00} | {r.Errors} |");
}

static void Report(LoadRun.Result r) =>
    Console.Error.WriteLine($"  {r.Scenario,-40} {r.Callers,4} callers  {r.OpsPerSecond,10:N0} ops/s  p50 {r.P50Ms,7:0.00} ms  p99 {r.P99Ms,7:0.00} ms");

string? Option(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
