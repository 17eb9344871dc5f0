using TicketFlow.Data;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans;
using TicketFlow.Benchmarks;
using TicketFlow.Grains.Diagnostics;
using TicketFlow.Testing;

// Engine benchmark: grain calls per second on Orleans, inside a silo's process and from an outside client through the
// silo's gateway (TCP on loopback). Prints a table; not a test. Modes: (none) the engine; `browse` a WebFront process;
// `inventory` one hot tier vs the row lock; `holds` POST /holds end to end through a WebFront process and a silo process;
// `waitingline` one WaitingLine in memory; `waitingroom` one waiting room grain on PostgreSQL (durable joins/s, status/s);
// `pages` the web UI's cached pages and the queue page's status poll under wrk;
// `sessions` the security stamp check (cache hit, database miss);
// `seatlag` seat deltas to a SignalR client; `seatmap` the stadium's seat map status under wrk;
// `seats` hold + release pairs on one section grain vs one tier grain;
// `pushlag` SignalR push lag, memory and descriptors per connection on a WebFront process.
if (args.Contains("waitingline"))
{
    // Waiting line: one WaitingLine in memory on one thread (joins/s, status/s, bytes per waiting user); no PostgreSQL.
    WaitingLineBenchmark.Run(int.Parse(Option("--users") ?? "1000000"));
    return 0;
}
var duration = TimeSpan.FromSeconds(double.Parse(Option("--seconds") ?? "3"));
if (args.Contains("seatlag"))
{
    // Seat deltas: commit (the hold's answer) to a SignalR client's "seats" message, a WebFront process (embedded).
    await SeatLagBenchmark.RunAsync(TimeSpan.FromSeconds(double.Parse(Option("--seconds") ?? "15")));
    return 0;
}
if (args.Contains("pushlag"))
{
    // Push lag: N SignalR clients watching one event while holds are made every 300 ms, on a WebFront process (embedded
    // mode) or, with --cluster-state deploy/.local-cluster/cluster.json, through the local cluster's nginx.
    await PushLagBenchmark.RunAsync((Option("--clients") ?? "1000,10000").Split(',').Select(int.Parse).ToArray(),
        TimeSpan.FromSeconds(double.Parse(Option("--seconds") ?? "20")), (Option("--gc") ?? "server,workstation").Split(','),
        (Option("--probe") ?? "signalr,lean").Split(',').Select(p => Enum.Parse<PushLagBenchmark.Probe>(p, ignoreCase: true)).ToArray(), Option("--cluster-state"));
    return 0;
}
if (args.Contains("browse"))
{
    // Browse: a WebFront process with the demo catalog, 64 connections by default.
    var browse = await BrowseBenchmark.RunAsync(duration, (Option("--connections") ?? "64").Split(',').Select(int.Parse).ToArray());
    PrintTable(browse);
    return 0;
}
if (args.Contains("seatmap"))
{
    // The 50,000-seat stadium's seat map status under wrk, per encoding, with its payload sizes.
    await SeatMapStatusBenchmark.RunAsync(duration, (Option("--connections") ?? "64").Split(',').Select(int.Parse).ToArray());
    return 0;
}
if (args.Contains("pages"))
{
    // The web UI's cached pages and the queue page's status poll under wrk (a WebFront process, demo catalog).
    var pages = await PagesBenchmark.RunAsync(duration, (Option("--connections") ?? "64,256").Split(',').Select(int.Parse).ToArray());
    Console.WriteLine($"{Environment.ProcessorCount} cores; {duration.TotalSeconds} s per row; wrk -t1 per process; CPU from each process's own counters");
    Console.WriteLine($"{"load",-30} {"conns",6} {"req/s",9} {"p50 ms",7} {"p95 ms",7} {"p99 ms",7} {"errors",7} {"WebFront CPU/req",17} {"wrk CPU/req",12}  note");
    foreach (var r in pages)
        Console.WriteLine($"{r.Name,-30} {r.Connections,6} {r.RequestsPerSecond,9:N0} {r.P50Ms,7:N1} {r.P95Ms,7:N1} {r.P99Ms,7:N1} {r.Errors,7} {r.WebFrontCpuUsPerRequest,14:N0} µs {r.WrkCpuUsPerRequest,9:N0} µs  {r.Note}");
    return 0;
}
var inventory = args.Contains("inventory");
var callerCounts = (Option("--callers") ?? (inventory ? "1,4,16,64,256,512" : "1,16,64,256")).Split(',').Select(int.Parse).ToArray();

var configured = Environment.GetEnvironmentVariable("TICKETFLOW_BENCH_PG");
await using var throwaway = configured is null ? await ThrowawayPostgres.StartAsync(durable: true) : null;
var connectionString = configured ?? throwaway!.ConnectionString;
await using var dataSource = PostgresDataSource.Create(connectionString); // as a Silo process creates it
await using (var settings = dataSource.CreateCommand("SELECT current_setting('fsync') || ' / synchronous_commit=' || current_setting('synchronous_commit')"))
    Console.WriteLine($"PostgreSQL fsync={await settings.ExecuteScalarAsync()}; {Environment.ProcessorCount} cores; {duration.TotalSeconds} s per row");
if (inventory)
{
    await InventoryBenchmark.RunAsync(connectionString, duration, callerCounts);
    return 0;
}
if (args.Contains("seats"))
{
    // Reserved seats: hold + release pairs on one section grain (exact seats, best available) beside one tier grain, durable.
    await SeatHoldsBenchmark.RunAsync(dataSource, duration, (Option("--callers") ?? "64,256").Split(',').Select(int.Parse).ToArray());
    return 0;
}
if (args.Contains("waitingroom"))
{
    PrintTable(await WaitingRoomBenchmark.RunAsync(connectionString, duration, callerCounts));
    return 0;
}
if (args.Contains("sessions"))
{
    // The security stamp check of every cookie and token: a cached hit, a database miss, and what 10k req/s costs.
    await SessionCheckBenchmark.RunAsync(connectionString, duration, callerCounts);
    return 0;
}
if (args.Contains("holds"))
{
    await HoldsBenchmark.RunAsync(connectionString, duration, TimeSpan.FromSeconds(double.Parse(Option("--warmup") ?? "45")),
        (Option("--connections") ?? "64,128,256").Split(',').Select(int.Parse).ToArray(), reserved: args.Contains("--seats"));
    return 0;
}

var results = new List<LoadRun.Result>();
await using (var silo = await BenchSilo.StartAsync(dataSource))
{
    // Inside the silo's process: the caller and the grain share the silo, so this measures Orleans' dispatch, not the network.
    foreach (var callers in callerCounts)
    {
        var grain = silo.Grains.GetGrain<IPingGrain>($"in-silo-{callers}");
        results.Add(await LoadRun.RunAsync("read-only call, inside the silo", callers, duration, () => grain.Ping()));
        Report(results[^1]);
    }
    // From an outside client through the gateway: serialization and TCP on loopback, both processes' worth of work on this machine.
    using var client = await silo.StartClientAsync();
    var grains = client.Services.GetRequiredService<IClusterClient>();
    foreach (var callers in callerCounts.Where(c => c >= 16))
    {
        var grain = grains.GetGrain<IPingGrain>($"remote-{callers}");
        results.Add(await LoadRun.RunAsync("read-only call, client -> gateway -> silo", callers, duration, () => grain.Ping()));
        Report(results[^1]);
    }
    await client.StopAsync();
}

PrintTable(results);
return 0;

static void PrintTable(IEnumerable<LoadRun.Result> rows)
{
    Console.WriteLine();
    Console.WriteLine("| scenario | callers | ops/s | p50 ms | p95 ms | p99 ms | errors | CPU µs/op (this process) |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
    foreach (var r in rows)
        Console.WriteLine($"| {r.Scenario} | {r.Callers} | {r.OpsPerSecond:N0} | {r.P50Ms:0.00} | {r.P95Ms:0.00} | {r.P99Ms:0.00} | {r.Errors} | {r.CpuMicrosecondsPerOp:0.0} |");
}

static void Report(LoadRun.Result r) =>
    Console.Error.WriteLine($"  {r.Scenario,-44} {r.Callers,4} callers  {r.OpsPerSecond,10:N0} ops/s  p50 {r.P50Ms,7:0.00} ms  p99 {r.P99Ms,7:0.00} ms");

string? Option(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
