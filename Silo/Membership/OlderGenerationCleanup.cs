namespace TicketFlow.Silo.Membership;

/// <summary>
/// A silo started again on its endpoint (the AppHost's supervisor, systemd, a StatefulSet) must not leave its previous
/// generation Active in membership: a joining silo pings every Active row before it joins (Orleans'
/// ValidateInitialConnectivity, with no staleness filter) and retries until each answers or is declared dead, so one
/// leftover row holds up every other silo's start. Orleans declares the older clone dead itself while joining, but an
/// attempt that loses the table-version race to another joining silo is only retried seconds later: with the whole local
/// cluster killed with -9 and started again under load, one clone stayed Active at least 7 s after its successor was serving
/// (measured). So just before the connectivity check this participant declares every older generation on this silo's
/// endpoint Dead, re-reading the table after each lost race until none is left. Safe: this process holds the endpoint
/// now, so those generations are gone.
/// </summary>
public sealed class OlderGenerationCleanup(IMembershipTable table, ILocalSiloDetails silo, TimeProvider time, ILogger<OlderGenerationCleanup> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(30);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(OlderGenerationCleanup), ServiceLifecycleStage.ValidateInitialConnectivity - 1, DeclareOlderGenerationsDeadAsync);

    /// <summary>Marks each older generation of this endpoint Dead (Orleans' own conditional row update); returns how many.</summary>
    public async Task<int> DeclareOlderGenerationsDeadAsync(CancellationToken cancellationToken)
    {
        var me = silo.SiloAddress;
        var started = time.GetTimestamp();
        var declared = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var data = await table.ReadAllAsync(cancellationToken);
            var older = data.Members.FirstOrDefault(row => row.Item1.SiloAddress.Endpoint.Equals(me.Endpoint)
                && row.Item1.SiloAddress.Generation < me.Generation && row.Item1.Status != SiloStatus.Dead);
            if (older is null) return declared;

            var (entry, etag) = older;
            entry.Status = SiloStatus.Dead;
            entry.AddSuspector(me, time.GetUtcNow().UtcDateTime); // who declared it, as Orleans records it
            if (await table.UpdateRowAsync(entry, etag, data.Version.Next(), cancellationToken))
            {
                declared++;
                logger.LogWarning("Declared this endpoint's previous generation {Older} dead: this process ({Me}) holds the endpoint now", entry.SiloAddress, me);
                continue;
            }
            if (time.GetElapsedTime(started) > GiveUpAfter)
            {
                logger.LogWarning("Could not declare {Older} dead within {Seconds} s (the table kept changing); Orleans' own check takes over", entry.SiloAddress, GiveUpAfter.TotalSeconds);
                return declared;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(20, 100)), time, cancellationToken); // another silo wrote first: read again
        }
        return declared;
    }
}
