using Orleans.Clustering.Redis;

namespace TicketFlow.Silo.Membership;

/// <summary>
/// Redis may lose Orleans' membership table (FLUSHALL, a restart without its append-only file, an emptied replacement).
/// Orleans then keeps serving with its last view but can neither evict nor admit anyone, and the next silo to start
/// creates a new table at version 0 that the running silos ignore: two clusters on one service id. So every second
/// while this silo is Active the guard reads its own row; when Redis answers without the table or without the row, the
/// silo stops with exit code <see cref="ExitCode"/>, so that its supervisor starts it again and it joins the table anew
/// (fencing in storage keeps a grain's writes single-owner in the meantime). A Redis that does not answer is a hiccup,
/// not a loss: the guard waits for it.
/// </summary>
public sealed class MembershipLossGuard(IMembershipTable table, ILocalSiloDetails silo, ISiloStatusOracle oracle,
    IHostApplicationLifetime lifetime, ILogger<MembershipLossGuard> logger, TimeProvider time) : BackgroundService
{
    /// <summary>EX_TEMPFAIL: "start me again".</summary>
    public const int ExitCode = 75;

    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);
    // A graceful stop tries to write this silo's status to the table that is gone, and hangs on it (20 s in the chaos
    // run). Grains lose nothing by a hard exit (every acknowledged change is stored), so it gets a second only: every
    // second here is a second the whole cluster serves nothing after Redis lost the table.
    private static readonly TimeSpan StopDeadline = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (oracle.CurrentStatus != SiloStatus.Active || await LostAsync(stoppingToken) is not { } lost) continue;
            logger.LogCritical("Orleans' membership in Redis lost {Lost}: this silo stops (exit code {ExitCode}) to be started again and join anew",
                lost, ExitCode);
            Environment.ExitCode = ExitCode;
            lifetime.StopApplication();
            _ = Task.Delay(StopDeadline, time, CancellationToken.None).ContinueWith(_ => Environment.Exit(ExitCode), TaskScheduler.Default);
            return;
        }
    }

    /// <summary>What is gone, or null while the row is there or Redis does not answer.</summary>
    private async Task<string?> LostAsync(CancellationToken cancellationToken)
    {
        try
        {
            var data = await table.ReadRowAsync(silo.SiloAddress, cancellationToken);
            return data.Members.Any(member => member.Item1.SiloAddress.Equals(silo.SiloAddress)) ? null : "this silo's row";
        }
        catch (RedisClusteringException) // Redis answered: the table's version row is missing
        {
            return "the whole table";
        }
        catch (Exception unreachable) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogDebug(unreachable, "Membership check: Redis did not answer");
            return null;
        }
    }
}
