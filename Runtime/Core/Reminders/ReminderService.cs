using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using TicketFlow.Runtime.Invocation;
using TicketFlow.Runtime.Statistics;

namespace TicketFlow.Runtime.Reminders;

/// <summary>
/// Fires the durable reminders of the grains this silo owns. Every poll it reads the due rows, delivers each
/// owned one by activating its grain, then moves the row to its next due time. A silo that dies mid-tick leaves
/// the row due, so the new owner delivers it again: ticks are at-least-once.
/// </summary>
internal sealed class ReminderService(
    IReminderTable table, GrainTypeRegistry registry, Func<GrainId, bool> ownsGrain, Func<GrainCall, Task> deliver,
    SiloStatistics statistics, TimeProvider time, TimeSpan pollPeriod, TimeSpan minimumPeriod, ILogger logger) : IAsyncDisposable
{
    private const int BatchSize = 1000;
    private readonly ConcurrentDictionary<(GrainId, string), byte> inFlight = new();
    private readonly CancellationTokenSource stopping = new();
    private Task loop = Task.CompletedTask;

    public Task RegisterAsync(GrainId grain, string name, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (period < minimumPeriod)
            throw new ArgumentOutOfRangeException(nameof(period), period, $"Reminder periods must be at least {minimumPeriod}.");
        if (dueTime < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(dueTime), dueTime, "Due time must not be negative.");
        var dueAt = time.GetUtcNow().Add(dueTime).ToUnixTimeMilliseconds();
        return table.UpsertAsync(new ReminderEntry(grain.Type, grain.Key, name, dueAt, (long)period.TotalMilliseconds), CancellationToken.None);
    }

    public Task UnregisterAsync(GrainId grain, string name) => table.RemoveAsync(grain.Type, grain.Key, name, CancellationToken.None);

    public void Start() => loop = Task.Run(RunAsync);

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(pollPeriod, time);
        do
        {
            try
            {
                var due = await table.ReadDueAsync(time.GetUtcNow().ToUnixTimeMilliseconds(), BatchSize, stopping.Token);
                foreach (var entry in due)
                {
                    var grain = new GrainId(entry.GrainType, entry.GrainKey);
                    if (ownsGrain(grain) && inFlight.TryAdd((grain, entry.Name), 0)) _ = FireAsync(grain, entry);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                logger.LogWarning(error, "Reading due reminders failed");
            }
        }
        while (await WaitAsync(timer));
    }

    private async Task<bool> WaitAsync(PeriodicTimer timer)
    {
        try { return await timer.WaitForNextTickAsync(stopping.Token); }
        catch (OperationCanceledException) { return false; }
    }

    private async Task FireAsync(GrainId grain, ReminderEntry entry)
    {
        try
        {
            var now = time.GetUtcNow();
            var method = registry.Method(typeof(IRemindable), nameof(IRemindable.ReceiveReminder));
            await deliver(new GrainCall(grain, method, [entry.Name, new TickStatus(entry.DueAt, entry.Period, now)]));
            statistics.RecordReminderFired();
        }
        catch (Exception error)
        {
            logger.LogWarning(error, "Reminder {Reminder} of {GrainType} {GrainKey} failed", entry.Name, entry.GrainType, entry.GrainKey);
            if (!ownsGrain(grain))
            {
                // This silo stopped or lost the grain mid-tick: leave the row due so the new owner delivers it.
                inFlight.TryRemove((grain, entry.Name), out _);
                return;
            }
        }
        try
        {
            // The next due time after now on the reminder's schedule: missed ticks are skipped, not replayed.
            var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
            var missed = Math.Max(0, (nowMs - entry.DueAtMs) / entry.PeriodMs);
            await table.AdvanceAsync(entry, entry.DueAtMs + (missed + 1) * entry.PeriodMs, CancellationToken.None);
        }
        catch (Exception error)
        {
            logger.LogWarning(error, "Advancing reminder {Reminder} of {GrainType} {GrainKey} failed", entry.Name, entry.GrainType, entry.GrainKey);
        }
        finally
        {
            inFlight.TryRemove((grain, entry.Name), out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await loop;
    }
}
