using Npgsql;
using TicketFlow.Domain.Inventory;
using TicketFlow.Domain.Seating;
using TicketFlow.Grains.Inventory;
using TicketFlow.Grains.Journaling;
using TicketFlow.Grains.Seating;

namespace TicketFlow.Benchmarks;

/// <summary>
/// Seat holds on ONE <see cref="ISeatSectionGrain"/> of 10,000 seats (called inside its silo's process, group commit on PostgreSQL):
/// exact seats and best available, each hold released again by the same caller so the section never sells out (a row is hold +
/// release pairs: two durable journal entries per pair). The same pairs on one tier's inventory grain in the same run give the ratio.
/// </summary>
public static class SeatHoldsBenchmark
{
    private const int Rows = 100, SeatsPerRow = 100; // LayoutRules.MaxSeatsPerSection

    public static async Task RunAsync(NpgsqlDataSource dataSource, TimeSpan duration, int[] callerCounts)
    {
        var runId = Guid.NewGuid().ToString("N")[..8];
        var results = new List<(LoadRun.Result Load, double CallsPerCommit, string Check)>();
        await using var silo = await BenchSilo.StartAsync(dataSource);
        var plan = new SectionPlan("A", "Section A", Enumerable.Range(1, Rows).Select(r => new PlanRow($"{r}",
            Enumerable.Range(1, SeatsPerRow).Select(s => new PlanSeat($"A-{r}-{s}", $"{s}", "t1")).ToList())).ToList());
        var seatIds = plan.Rows.SelectMany(r => r.Seats).Select(s => s.Id).ToArray();
        // Unmeasured: JIT tiering and the connection pool settle before the first row (as InventoryBenchmark warms up).
        var warmUp = silo.Grains.GetGrain<ISeatSectionGrain>(SectionKey.For($"evt-seatbench-{runId}", "warm-up"));
        await warmUp.Configure(plan);
        long warm = 0;
        await LoadRun.RunAsync("warm-up", 64, InventoryBenchmark.WarmUp, async () =>
        {
            var n = Interlocked.Increment(ref warm);
            if ((await warmUp.Hold(new SeatHoldRequest($"w{n}", "u", "t1", null, 1, false, DateTimeOffset.UtcNow.AddMinutes(10)))).Granted) await warmUp.Release($"w{n}");
        });
        foreach (var callers in callerCounts)
        {
            foreach (var mode in new[] { "exact seats (1-2)", "best available, 2 together", "tier grain (general admission), 2 places" })
            {
                await silo.CollectIdleActivationsAsync();
                var key = $"evt-seatbench-{runId}/{callers}-{mode[..4]}";
                var section = silo.Grains.GetGrain<ISeatSectionGrain>(SectionKey.For($"evt-seatbench-{runId}", $"{callers}-{mode[..4]}"));
                var tier = silo.Grains.GetGrain<IEventInventoryGrain>(TierKey.For($"evt-seatbench-{runId}", $"tier-{callers}"));
                var terms = new TierTerms(10_000_000, 100);
                if (mode.StartsWith("tier", StringComparison.Ordinal)) await tier.Configure(terms);
                else await section.Configure(plan);
                long next = 0, taken = 0, pairs = 0;
                var (appendsBefore, entriesBefore) = (silo.Journals.Appends, silo.Journals.Entries);
                var load = await LoadRun.RunAsync(mode.StartsWith("tier", StringComparison.Ordinal) ? $"one tier grain: hold 2 + release" : $"one section grain: {mode} + release",
                    callers, duration, async () =>
                {
                    var n = Interlocked.Increment(ref next);
                    var expires = DateTimeOffset.UtcNow.AddMinutes(10);
                    if (mode.StartsWith("tier", StringComparison.Ordinal))
                    {
                        var reply = await tier.Hold(new TierHoldRequest($"h{n}", $"u{n % 100_000}", 2, expires, terms));
                        if (reply.Error is not null) throw new InvalidOperationException(reply.Error);
                        await tier.Release($"h{n}");
                    }
                    else
                    {
                        // Operation n takes seats 2n and 2n+1 (mod 10,000): a seat comes round again only 5,000 operations later, long released.
                        var seats = mode.StartsWith("exact", StringComparison.Ordinal)
                            ? (n % 2 == 0 ? [seatIds[(int)(2 * n % seatIds.Length)], seatIds[(int)((2 * n + 1) % seatIds.Length)]] : new[] { seatIds[(int)(2 * n % seatIds.Length)] })
                            : null;
                        var reply = await section.Hold(new SeatHoldRequest($"h{n}", $"u{n % 100_000}", "t1", seats, 2, Together: true, expires));
                        if (reply.Error == TicketFlow.Domain.ProblemCodes.SeatTaken) { Interlocked.Increment(ref taken); return; }
                        if (reply.Error is not null) throw new InvalidOperationException(reply.Error);
                        await section.Release($"h{n}");
                    }
                    Interlocked.Increment(ref pairs);
                });
                var (appends, entries) = (silo.Journals.Appends - appendsBefore, silo.Journals.Entries - entriesBefore);
                string check;
                if (mode.StartsWith("tier", StringComparison.Ordinal))
                {
                    var counts = await tier.GetCounts();
                    check = counts.Held == 0 ? "OK: nothing left held" : $"FAIL: {counts.Held} held";
                }
                else
                {
                    var status = await section.GetStatus();
                    // The stored snapshot and the entries after it, read as the grain reads them on activation.
                    var (snapshot, entries2) = JournalFormat.Read<SectionSnapshot, SectionEvent>(await silo.Journals.ReadAsync(SeatJournal.For(key), CancellationToken.None));
                    var stored = SectionSeats.Restore(snapshot, entries2);
                    var same = status.Bits.AsSpan().SequenceEqual(SeatBits.Pack(stored.States));
                    check = (same && status.Tiers.Single().Held == 0 ? "OK" : "FAIL") + $": journal replay {(same ? "=" : "≠")} live bitmap, {status.Tiers.Single().Held} held" +
                        (taken > 0 ? $", {taken} seat_taken (a caller's seat still held by its previous pair)" : "");
                }
                results.Add((load, appends == 0 ? 0 : (double)entries / appends, check));
                var r = results[^1];
                Console.Error.WriteLine($"  {load.Scenario,-58} {callers,4} callers {load.OpsPerSecond,9:N0} pairs/s p99 {load.P99Ms,6:0.00} ms CPU {load.CpuMicrosecondsPerOp:0.0} µs/pair {r.Check}");
            }
        }
        Console.WriteLine();
        Console.WriteLine("| grain, operation (each a hold then its release: 2 durable journal entries) | callers | holds/s (= pairs/s) | p50 ms | p95 ms | p99 ms | errors | entries/commit | CPU µs/pair (this process: silo + PostgreSQL client) | bytes allocated/pair | check |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var (r, perCommit, check) in results)
            Console.WriteLine($"| {r.Scenario} | {r.Callers} | {r.OpsPerSecond:N0} | {r.P50Ms:0.00} | {r.P95Ms:0.00} | {r.P99Ms:0.00} | {r.Errors} | {perCommit:0.0} | {r.CpuMicrosecondsPerOp:0.0} | {r.AllocatedBytesPerOp:N0} | {check} |");
        Console.WriteLine();
        Console.WriteLine("| callers | exact seats / tier grain | best available / tier grain | CPU per pair: exact / tier | best / tier |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        foreach (var group in results.GroupBy(r => r.Load.Callers))
        {
            var (exact, best, tier) = (group.ElementAt(0).Load, group.ElementAt(1).Load, group.ElementAt(2).Load);
            Console.WriteLine($"| {group.Key} | {exact.OpsPerSecond / tier.OpsPerSecond:0.00}× | {best.OpsPerSecond / tier.OpsPerSecond:0.00}× | " +
                $"{exact.CpuMicrosecondsPerOp / tier.CpuMicrosecondsPerOp:0.00}× | {best.CpuMicrosecondsPerOp / tier.CpuMicrosecondsPerOp:0.00}× |");
        }
    }
}
