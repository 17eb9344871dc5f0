using Npgsql;
using TicketFlow.Grains.WaitingRoom;

namespace TicketFlow.Benchmarks;

/// <summary>
/// One waiting room grain, in process on PostgreSQL: durable joins/s (group commit onto the room's journal) and status/s
/// (exact position + ETA, read-only) at N closed-loop callers. The in-memory line alone is <see cref="WaitingLineBenchmark"/>.
/// </summary>
public static class WaitingRoomBenchmark
{
    public static async Task<IReadOnlyList<LoadRun.Result>> RunAsync(string connectionString, TimeSpan duration, int[] callerCounts)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 16, AutoPrepareMinUsages = 2 };
        await using var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        await using var silo = await BenchSilo.StartAsync(dataSource);
        var terms = new RoomTerms(DateTimeOffset.UtcNow.AddMinutes(-1)); // open: joins are FIFO, positions exact
        var results = new List<LoadRun.Result>();
        foreach (var callers in callerCounts)
        {
            var room = silo.Grains.GetGrain<IWaitingRoomGrain>($"evt-bench-room-{Guid.NewGuid():N}");
            await room.Configure(new RoomSettingsChange(Paused: true), terms); // nobody leaves the line while it is measured
            long joined = 0;
            var userOfTicket = new System.Collections.Concurrent.ConcurrentDictionary<long, long>();
            results.Add(await LoadRun.RunAsync("waiting room: durable joins (group commit)", callers, duration, async () =>
            {
                var n = Interlocked.Increment(ref joined);
                userOfTicket[(await room.Join($"usr_{n:x32}", terms)).Ticket] = n;
            }));
            var view = await room.GetView();
            // Every join started (also those finishing after the measured window) was acknowledged, so each must be in the line.
            if (view.Waiting != joined) throw new InvalidOperationException($"{view.Waiting} waiting after {joined} acknowledged joins.");
            long polled = 0;
            results.Add(await LoadRun.RunAsync($"waiting room: status (exact position), {view.Waiting:N0} waiting", callers, duration, async () =>
            {
                var ticket = Interlocked.Increment(ref polled) % view.Waiting + 1;
                if (await room.Status(ticket, $"usr_{userOfTicket[ticket]:x32}") is null) throw new InvalidOperationException($"ticket {ticket} not found");
            }));
        }
        return results;
    }
}
