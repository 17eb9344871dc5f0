using Npgsql;
using TicketFlow.Benchmarks;

namespace TicketFlow.LoadTool;

/// <summary>
/// The hardest case for one grain: every hold goes to the same tier. Holds of one seat, six per buyer (the per-event cap),
/// each with its own Idempotency-Key. With --baseline, the seeds' row-lock hold runs on the same PostgreSQL afterwards.
/// </summary>
public static class HotTierScenario
{
    private const int HoldsPerBuyer = 6;

    public static async Task<ScenarioResult> RunAsync(Api api, Buyers buyers, LoadOptions options, Recorder recorder)
    {
        var result = new ScenarioResult("hot-tier");
        var (eventId, tiers) = await Setup.CreateEventAsync(api, await buyers.AdminTokenAsync(), $"Hot tier {buyers.RunId}", false, 1800, [1_000_000], 100);
        var tierId = tiers[0].Id;
        result.Parameters["event"] = eventId;
        long granted = 0;

        async Task Hold(long n)
        {
            var buyer = (int)(n / HoldsPerBuyer);
            var reply = await api.SendAsync(Recorder.HoldEndpoint, HttpMethod.Post, "/api/v1/holds",
                new { eventId, items = new[] { new { tierId, quantity = 1 } } }, await buyers.TokenAsync(buyer), $"hot-{n}", Buyers.Address(buyer));
            if (reply.Ok) Interlocked.Increment(ref granted);
        }

        long warm = 10_000_000; // warm-up holds use buyers far from the measured ones
        await Drivers.ClosedLoopAsync(64, TimeSpan.FromSeconds(3), _ => Hold(Interlocked.Increment(ref warm)));
        recorder.Reset();
        Interlocked.Exchange(ref granted, 0);
        var skipped = await BrowseScenario.Run(options, Hold, recorder, () => $"{Interlocked.Read(ref granted):N0} holds granted");
        recorder.Stop();
        var seconds = recorder.Elapsed.TotalSeconds;
        var holds = recorder.For(Recorder.HoldEndpoint)!;
        result.Figure("holds granted", granted);
        result.Figure("holds/s (granted)", granted / seconds, "/s");
        result.Figure("hold p95", holds.Latency.PercentileMs(0.95), "ms");
        result.Figure("requests not sent (tool over its in-flight cap)", skipped);

        if (options.Baseline)
        {
            // The row lock at its best: it gets slower with concurrency, so it runs at 1, 4, 16 and 64 clients and its best rate counts.
            var clients = InventoryBenchmark.RowLockClients;
            Console.Error.WriteLine($"Baseline: the row-lock hold (SELECT ... FOR UPDATE on one tier row), {string.Join("/", clients)} clients, same PostgreSQL, {options.Duration.TotalSeconds:0} s each");
            var rows = await RowLockBenchmark.RunAsync(new NpgsqlConnectionStringBuilder(options.Postgres), buyers.RunId, options.Duration, clients);
            foreach (var row in rows)
            {
                result.Figure($"row-lock holds/s, {row.Load.Callers} clients", row.Load.OpsPerSecond, "/s");
                if (!row.CountsConsistent) result.Violations.Add($"row-lock baseline counts inconsistent at {row.Load.Callers} clients: {row.Check}");
            }
            var best = rows.MaxBy(row => row.Load.OpsPerSecond)!.Load;
            result.Figure("row-lock baseline holds/s (best)", best.OpsPerSecond, "/s");
            result.Figure("row-lock baseline p95 (best row)", best.P95Ms, "ms");
            result.Figure("TicketFlow / row-lock best (holds/s)", granted / seconds / best.OpsPerSecond, "x");
        }
        return result;
    }
}
