using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace TicketFlow.Runtime.Membership;

/// <summary>
/// A silo's part in membership: heartbeats its own row, declares silos dead whose heartbeats stopped,
/// and stops its silo when it finds that it was itself declared dead.
/// </summary>
/// <remarks>
/// <para>It runs on a thread of its own and makes blocking database calls. A silo whose thread pool is saturated by a
/// burst of requests still heartbeats on time; a thread-pool timer can wait seconds behind the queued work, long enough
/// for its neighbours to declare a healthy silo dead.</para>
/// <para>It judges others only while it is healthy itself (Orleans' local health check plays this part): after a gap
/// of more than half the death timeout between its own heartbeats (its database calls stalled, or the process was
/// paused), it heartbeats steadily for half the death timeout before it declares anyone dead; and the table refuses a
/// declaration from a judge whose own last heartbeat is older than half the death timeout (a stall that began after
/// its heartbeat). A stall that all silos share, such as a slow or restarting database, then makes no silo declare
/// another dead.</para>
/// </remarks>
internal sealed class MembershipAgent(
    IMembershipTable table, MembershipWatcher watcher, SiloAddress self, TimeSpan heartbeatPeriod, TimeSpan deathTimeout,
    Action onDeclaredDead, ILogger logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource stopping = new();
    private readonly TaskCompletionSource stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeSpan healthyGap = deathTimeout / 2;

    private bool started;

    public void Start()
    {
        if (heartbeatPeriod * 2 >= deathTimeout)
            throw new InvalidOperationException($"Silo:HeartbeatPeriod ({heartbeatPeriod}) must be under half of Silo:DeathTimeout ({deathTimeout}).");
        started = true;
        new Thread(Run) { IsBackground = true, Name = $"membership {self}" }.Start();
    }

    private void Run()
    {
        try
        {
            var lastHeartbeat = Stopwatch.GetTimestamp();
            var healthySince = lastHeartbeat;
            while (!stopping.IsCancellationRequested)
            {
                try
                {
                    if (!table.Heartbeat(self))
                    {
                        logger.LogCritical("Silo {Silo} was declared dead by the cluster; stopping", self);
                        onDeclaredDead();
                        return;
                    }
                    var now = Stopwatch.GetTimestamp();
                    if (Stopwatch.GetElapsedTime(lastHeartbeat, now) > healthyGap)
                    {
                        logger.LogWarning("Silo {Silo} could not heartbeat for {Gap}; it declares no one dead for the next {Wait}",
                            self, Stopwatch.GetElapsedTime(lastHeartbeat, now), healthyGap);
                        healthySince = now;
                    }
                    lastHeartbeat = now;
                    if (Stopwatch.GetElapsedTime(healthySince, now) >= healthyGap) DeclareSilentSilosDead();
                }
                catch (Exception error)
                {
                    logger.LogWarning(error, "Membership heartbeat of {Silo} failed", self);
                }
                stopping.Token.WaitHandle.WaitOne(heartbeatPeriod);
            }
        }
        finally
        {
            stopped.SetResult();
        }
    }

    private void DeclareSilentSilosDead()
    {
        var declared = false;
        foreach (var suspect in table.Read().Entries.Where(e => e.Silo != self && e.Status != SiloStatus.Dead && e.HeartbeatAge > deathTimeout))
        {
            if (!table.DeclareDead(suspect.Silo, deathTimeout, judge: self)) continue;
            logger.LogWarning("Declared silo {Silo} dead: no heartbeat for {Age}", suspect.Silo, suspect.HeartbeatAge);
            declared = true;
        }
        if (declared) watcher.RequestRefresh();
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        // A database call in flight ends within its timeouts (a few seconds); do not hold a shutdown longer than that.
        if (started) await Task.WhenAny(stopped.Task, Task.Delay(deathTimeout));
    }
}
