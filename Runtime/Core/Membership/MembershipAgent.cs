using Microsoft.Extensions.Logging;

namespace TicketFlow.Runtime.Membership;

/// <summary>
/// A silo's part in membership: heartbeats its own row, declares silos dead whose heartbeats stopped,
/// and stops its silo when it finds that it was itself declared dead.
/// </summary>
internal sealed class MembershipAgent(
    IMembershipTable table, MembershipWatcher watcher, SiloAddress self, TimeSpan heartbeatPeriod, TimeSpan deathTimeout,
    Action onDeclaredDead, ILogger logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource stopping = new();
    private Task loop = Task.CompletedTask;

    public void Start() => loop = Task.Run(RunAsync);

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(heartbeatPeriod);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (!await table.HeartbeatAsync(self, stopping.Token))
                {
                    logger.LogCritical("Silo {Silo} was declared dead by the cluster; stopping", self);
                    onDeclaredDead();
                    return;
                }
                var view = await watcher.RefreshAsync(stopping.Token);
                var declared = false;
                foreach (var suspect in view.Entries.Where(e => e.Silo != self && e.Status != SiloStatus.Dead && e.HeartbeatAge > deathTimeout))
                {
                    if (!await table.DeclareDeadAsync(suspect.Silo, deathTimeout, stopping.Token)) continue;
                    logger.LogWarning("Declared silo {Silo} dead: no heartbeat for {Age}", suspect.Silo, suspect.HeartbeatAge);
                    declared = true;
                }
                if (declared) await watcher.RefreshAsync(stopping.Token);
                await timer.WaitForNextTickAsync(stopping.Token);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                logger.LogWarning(error, "Membership heartbeat of {Silo} failed", self);
                try { await timer.WaitForNextTickAsync(stopping.Token); } catch (OperationCanceledException) { return; }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await loop;
    }
}
