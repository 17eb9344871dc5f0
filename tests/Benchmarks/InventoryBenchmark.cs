using Npgsql;
using TicketFlow.Domain.Inventory;
using TicketFlow.Grains.Inventory;

namespace TicketFlow.Benchmarks;

/// <summary>
/// One hot tier: durable holds on ONE <see cref="IEventInventoryGrain"/> (called inside its silo's process, group commit on PostgreSQL),
/// then the same holds through the row lock (<see cref="RowLockBenchmark"/>) on the same server. Prints the tables.
/// </summary>
public static class InventoryBenchmark
{
    public const double TargetHoldsPerSecond = 50_000;
    public const double TargetRatio = 30;
    public const int TargetCallers = 256;
    public static readonly int[] RowLockClients = [1, 4, 16, 64];

    /// <summary>Large enough that nothing sells out and no user reaches the limit during a run.</summary>
    public static readonly TierTerms Terms = new(Capacity: 10_000_000, PerUserLimit: 100);

    public static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(2);

    /// <param name="CallsPerCommit">Journal entries (holds) that shared one durable append on average (null: one transaction per hold).</param>
    public sealed record Row(LoadRun.Result Load, double? CallsPerCommit, bool CountsConsistent, string Check);

    public static async Task RunAsync(string connectionString, TimeSpan duration, int[] callerCounts)
    {
        // Both mechanisms get the same driver settings: statements prepared once per connection after two uses, and no reset
        // of a pooled connection (as PostgresDataSource sets for the processes).
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 16, AutoPrepareMinUsages = 2, NoResetOnClose = true };
        var runId = Guid.NewGuid().ToString("N")[..8];
        List<Row> grainRows;
        await using (var dataSource = NpgsqlDataSource.Create(builder.ConnectionString))
            grainRows = await RunGrainAsync(dataSource, runId, duration, callerCounts);
        var rowLockRows = await RowLockBenchmark.RunAsync(builder, runId, duration, callerCounts);
        Print(grainRows, rowLockRows);
    }

    private static async Task<List<Row>> RunGrainAsync(NpgsqlDataSource dataSource, string runId, TimeSpan duration, int[] callerCounts)
    {
        var rows = new List<Row>();
        await using var silo = await BenchSilo.StartAsync(dataSource);
        // Unmeasured: JIT tiering and the connection pool settle before the first row, which would otherwise pay for them.
        var warmUp = silo.Grains.GetGrain<IEventInventoryGrain>(TierKey.For($"evt-bench-{runId}", "warm-up"));
        long warmUpHolds = 0;
        await LoadRun.RunAsync("warm-up", 16, WarmUp, async () =>
        {
            var n = Interlocked.Increment(ref warmUpHolds);
            await warmUp.Hold(new TierHoldRequest($"h{n}", $"u{n % 100_000}", 1, DateTimeOffset.UtcNow.AddMinutes(10), Terms));
        });
        foreach (var (callers, index) in callerCounts.Select((c, i) => (c, i)))
        {
            // Each row runs with only its own tier in memory (a row leaves a tier of a few hundred thousand holds behind).
            await silo.CollectIdleActivationsAsync();
            // A fresh tier per row: its held count must equal exactly the holds this row was granted.
            var tier = silo.Grains.GetGrain<IEventInventoryGrain>(TierKey.For($"evt-bench-{runId}", $"tier-{index}-{callers}"));
            await tier.Configure(Terms);
            long next = 0, granted = 0;
            var (appendsBefore, entriesBefore) = (silo.Journals.Appends, silo.Journals.Entries);
            var load = await LoadRun.RunAsync("one inventory grain, durable holds (group commit)", callers, duration, async () =>
            {
                var n = Interlocked.Increment(ref next);
                var reply = await tier.Hold(new TierHoldRequest($"h{n}", $"u{n % 100_000}", 1, DateTimeOffset.UtcNow.AddMinutes(10), Terms));
                if (reply.Error is not null) throw new InvalidOperationException($"Hold refused: {reply.Error}");
                Interlocked.Increment(ref granted);
            });
            var (appends, entries) = (silo.Journals.Appends - appendsBefore, silo.Journals.Entries - entriesBefore);
            var counts = await tier.GetCounts();
            var consistent = counts.Held == granted && counts.Available + counts.Held + counts.Sold == counts.Capacity;
            rows.Add(new Row(load, appends == 0 ? null : (double)entries / appends, consistent,
                $"held {counts.Held:N0} {(counts.Held == granted ? "=" : "≠")} granted {granted:N0}"));
            Report(rows[^1]);
        }
        return rows;
    }

    public static void Report(Row row) => Console.Error.WriteLine(
        $"  {row.Load.Scenario,-48} {row.Load.Callers,4} callers  {row.Load.OpsPerSecond,10:N0}/s  p50 {row.Load.P50Ms,7:0.00} ms  p99 {row.Load.P99Ms,7:0.00} ms" +
        $"  CPU {row.Load.CpuMicrosecondsPerOp:0.0} µs/hold  errors {row.Load.Errors}  {(row.CallsPerCommit is { } c ? $"{c:0.0} calls/commit  " : "")}{(row.CountsConsistent ? "OK" : "FAIL")} ({row.Check})");

    private static void Print(IReadOnlyList<Row> grain, IReadOnlyList<Row> rowLock)
    {
        Console.WriteLine();
        Console.WriteLine($"Targets: ≥ {TargetHoldsPerSecond:N0} durable holds/s on one tier at {TargetCallers} callers, ≥ {TargetRatio:0}× the row lock (its best over {string.Join(", ", RowLockClients)} clients)");
        Console.WriteLine();
        Console.WriteLine("| mechanism | callers | holds/s | p50 ms | p95 ms | p99 ms | errors | calls/commit | CPU µs/hold (this process) | bytes allocated/hold | GC pauses | counts |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var row in grain.Concat(rowLock))
        {
            var r = row.Load;
            Console.WriteLine($"| {r.Scenario} | {r.Callers} | {r.OpsPerSecond:N0} | {r.P50Ms:0.00} | {r.P95Ms:0.00} | {r.P99Ms:0.00} | {r.Errors} | " +
                $"{(row.CallsPerCommit is { } c ? c.ToString("0.0") : "1")} | {r.CpuMicrosecondsPerOp:0.0} | {r.AllocatedBytesPerOp:N0} | {r.GcPauseShare:P1} | {(row.CountsConsistent ? "OK" : "FAIL")}: {row.Check} |");
        }

        Console.WriteLine();
        Console.WriteLine("| callers | grain holds/s | row-lock holds/s | grain / row lock |");
        Console.WriteLine("|---:|---:|---:|---:|");
        foreach (var g in grain)
        {
            var r = rowLock.FirstOrDefault(x => x.Load.Callers == g.Load.Callers);
            if (r is null) continue;
            Console.WriteLine($"| {g.Load.Callers} | {g.Load.OpsPerSecond:N0} | {r.Load.OpsPerSecond:N0} | {Ratio(g, r)} |");
        }
        // The targets (issue 17): the grain at 256 callers, against the row lock's best rate over 1, 4, 16 and 64 clients.
        var target = grain.FirstOrDefault(x => x.Load.Callers == TargetCallers);
        var rowLockBest = rowLock.Where(x => RowLockClients.Contains(x.Load.Callers)).MaxBy(x => x.Load.OpsPerSecond);
        Console.WriteLine();
        if (target is null || rowLockBest is null)
        {
            Console.WriteLine($"Targets not evaluated: they need a {TargetCallers}-caller row and row-lock rows for {string.Join(", ", RowLockClients)} clients.");
            return;
        }
        Console.WriteLine($"| grain holds/s at {TargetCallers} callers | row lock, best of {string.Join("/", RowLockClients)} clients | ratio | target ≥ {TargetHoldsPerSecond:N0}/s | target ≥ {TargetRatio:0}× |");
        Console.WriteLine("|---:|---:|---:|---|---|");
        Console.WriteLine($"| {target.Load.OpsPerSecond:N0} | {rowLockBest.Load.OpsPerSecond:N0} ({rowLockBest.Load.Callers} clients) | {Ratio(target, rowLockBest)} | " +
            $"{(target.Load.OpsPerSecond >= TargetHoldsPerSecond ? "met" : "not met")} | " +
            $"{(target.Load.OpsPerSecond >= TargetRatio * rowLockBest.Load.OpsPerSecond ? "met" : "not met")} |");
    }

    private static string Ratio(Row grain, Row rowLock) =>
        rowLock.Load.OpsPerSecond == 0 ? "n/a" : $"{grain.Load.OpsPerSecond / rowLock.Load.OpsPerSecond:0.0}×";
}
