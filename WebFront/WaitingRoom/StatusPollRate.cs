using TicketFlow.Domain.WaitingRoom;

namespace TicketFlow.WebFront.WaitingRoom;

/// <summary>Options of the queue page's polling (configuration section <c>WaitingRoom</c>).</summary>
public sealed class WaitingRoomPageOptions
{
    /// <summary>Status polls per second one WebFront should answer; past it, every fan is asked to poll less often.
    /// Default 10,000: about half of what one WebFront answered on 2 cores with p95 under 20 ms (docs/BENCHMARKS.md,
    /// "The web UI's pages"), the other half left for the purchases the admitted fans make.</summary>
    public int StatusPollBudget { get; set; } = 10_000;
}

/// <summary>Counts this WebFront's status polls per second (the last whole second) and turns them into <c>pollAfterMs</c>.</summary>
public sealed class StatusPollRate(TimeProvider time, Microsoft.Extensions.Options.IOptions<WaitingRoomPageOptions> options)
{
    private long second;
    private int current;
    private int previous;
    private readonly Lock gate = new();

    public void Record()
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        lock (gate)
        {
            Roll(now);
            current++;
        }
    }

    /// <summary>Polls answered in the last whole second.</summary>
    public int PerSecond
    {
        get
        {
            lock (gate)
            {
                Roll(time.GetUtcNow().ToUnixTimeSeconds());
                return previous;
            }
        }
    }

    public int PollAfterMs(bool waiting, int? aheadOfYou) => PollPacing.IntervalMs(waiting, aheadOfYou, PerSecond, options.Value.StatusPollBudget);

    private void Roll(long now)
    {
        if (now == second) return;
        previous = now == second + 1 ? current : 0;
        current = 0;
        second = now;
    }
}
