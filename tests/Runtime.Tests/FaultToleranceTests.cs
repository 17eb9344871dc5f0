using System.Collections.Concurrent;
using System.Diagnostics;
using TicketFlow.Runtime.Hosting;
using TicketFlow.Runtime.Membership;
using TicketFlow.Runtime.Tests.Grains;
using TicketFlow.Runtime.Testing;

namespace TicketFlow.Runtime.Tests;

public sealed class FaultToleranceTests : IAsyncLifetime
{
    private TestCluster cluster = null!;

    public async Task InitializeAsync() => cluster = await TestCluster.StartAsync(ClusterFixture.Options());

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task State_survives_deactivation_and_a_silo_kill()
    {
        var key = TestDatabase.UniqueId("survivor");
        var counter = cluster.GrainFactory.GetGrain<ICounterGrain>(key);
        for (var i = 0; i < 5; i++) await counter.Increment();
        await counter.Deactivate();
        Assert.Equal(6, await counter.Increment());

        var owner = cluster.OwnerOf<ICounterGrain>(key);
        await cluster.KillSiloAsync(owner);
        await cluster.WaitForActiveSilosAsync();

        Assert.Equal(6, await counter.Get());
        Assert.NotEqual(owner.Runtime.Address.ToString(), (await counter.WhoAmI()).Silo);
    }

    [Fact]
    public async Task Killing_a_silo_during_a_stream_of_calls_loses_no_acknowledged_write()
    {
        var outcome = await RunWorkloadAsync(keys: 60, disrupt: victim => cluster.KillSiloAsync(victim));

        foreach (var (key, tally) in outcome.Tallies)
        {
            var stored = await StoredCounter(key);
            Assert.InRange(stored, tally.Acknowledged, tally.Acknowledged + tally.Unknown);
        }
        // Every key is served again by the survivors.
        await Task.WhenAll(outcome.Tallies.Keys.Select(k => cluster.GrainFactory.GetGrain<ICounterGrain>(k).Increment()));
        Assert.True(outcome.Tallies.Values.Sum(t => t.Acknowledged) > 0);
    }

    [Fact]
    public async Task Graceful_shutdown_hands_grains_over_with_only_retryable_errors()
    {
        var outcome = await RunWorkloadAsync(keys: 60, disrupt: victim => cluster.StopSiloAsync(victim));

        Assert.Empty(outcome.OtherErrors);
        foreach (var (key, tally) in outcome.Tallies)
        {
            Assert.Equal(0, tally.Unknown);
            Assert.Equal(tally.Acknowledged, await StoredCounter(key));
        }
        var rows = (await cluster.Membership.ReadAsync(CancellationToken.None)).Entries;
        Assert.Equal(2, rows.Count(r => r.Status == SiloStatus.Active));
        Assert.Equal(1, rows.Count(r => r.Status == SiloStatus.Dead));
    }

    [Fact]
    public async Task A_reminder_fires_again_after_its_owner_silo_is_killed()
    {
        var key = TestDatabase.UniqueId("reminder");
        var grain = cluster.GrainFactory.GetGrain<IReminderProbeGrain>(key);
        await grain.Start(TimeSpan.FromMilliseconds(300));
        var owner = cluster.OwnerOf<IReminderProbeGrain>(key);
        await Eventually.Get(grain.Log, log => log.Ticks >= 2, because: "the reminder ticks on its first owner");

        await cluster.KillSiloAsync(owner);
        var log = await Eventually.Get(grain.Log, l => l.Silos.Any(s => s != owner.Runtime.Address.ToString()), TimeSpan.FromSeconds(30),
            because: "a surviving silo delivers the reminder");
        Assert.Contains(owner.Runtime.Address.ToString(), log.Silos);

        await grain.Stop();
    }

    [Fact]
    public async Task A_silo_that_finds_itself_declared_dead_stops()
    {
        var victim = cluster.Silos[0];
        // Mark its row Dead, as a peer's declaration after missed heartbeats does, without waiting for them.
        Assert.True(await cluster.Membership.SetStatusAsync(victim.Runtime.Address, SiloStatus.Dead, CancellationToken.None));
        var declaredDead = await victim.Runtime.Stopped.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(declaredDead);
        Assert.False(cluster.Membership.Heartbeat(victim.Runtime.Address), "a dead identity never returns");
        await cluster.KillSiloAsync(victim);
        await cluster.WaitForActiveSilosAsync();
    }

    [Fact]
    public async Task A_killed_silo_restarted_on_its_endpoint_joins_as_a_new_generation()
    {
        var victim = cluster.Silos[2];
        var restarted = await cluster.RestartSiloAsync(victim);
        await cluster.WaitForActiveSilosAsync();

        Assert.Equal(victim.Endpoint, restarted.Endpoint);
        Assert.True(restarted.Runtime.Address.Generation > victim.Runtime.Address.Generation);
        var view = await cluster.Client.RefreshMembershipAsync(CancellationToken.None);
        Assert.Equal(SiloStatus.Dead, view.StatusOf(victim.Runtime.Address));
        Assert.Contains(restarted.Runtime.Address, view.Active);

        var owned = Enumerable.Range(0, 200).Select(i => TestDatabase.UniqueId($"restart{i}"))
            .First(k => cluster.OwnerOf<ICounterGrain>(k) == restarted);
        Assert.Equal(restarted.Runtime.Address.ToString(), (await cluster.GrainFactory.GetGrain<ICounterGrain>(owned).WhoAmI()).Silo);
    }

    private async Task<long> StoredCounter(string key) =>
        (await cluster.ReadStoredStateAsync<CounterState>(nameof(CounterGrain), key, "counter"))?.Value ?? 0;

    private sealed class Tally
    {
        public long Acknowledged;
        public long Unknown;
    }

    private sealed record Outcome(IReadOnlyDictionary<string, Tally> Tallies, IReadOnlyList<Exception> OtherErrors);

    // Workers increment counters spread over all silos; a third of the way through, one silo is disrupted.
    private async Task<Outcome> RunWorkloadAsync(int keys, Func<SiloHost, Task> disrupt)
    {
        var tallies = Enumerable.Range(0, keys).ToDictionary(i => TestDatabase.UniqueId($"stream{i}"), _ => new Tally());
        var otherErrors = new ConcurrentBag<Exception>();
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var workers = tallies.Select(pair => Task.Run(async () =>
        {
            var counter = cluster.GrainFactory.GetGrain<ICounterGrain>(pair.Key);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await counter.Increment();
                    Interlocked.Increment(ref pair.Value.Acknowledged);
                }
                catch (RetryableGrainException)
                {
                    // Had no effect: the caller may retry.
                }
                catch (Exception error) when (error is GrainCallTimeoutException or GrainCallOutcomeUnknownException)
                {
                    Interlocked.Increment(ref pair.Value.Unknown);
                    otherErrors.Add(error);
                }
                catch (Exception error)
                {
                    otherErrors.Add(error);
                }
            }
        })).ToList();

        await Eventually.True(() => tallies.Values.Sum(t => Interlocked.Read(ref t.Acknowledged)) > 300, because: "the workload is under way");
        var victim = cluster.Silos[1];
        await disrupt(victim);
        await cluster.WaitForActiveSilosAsync();
        var afterDisruption = tallies.Values.Sum(t => Interlocked.Read(ref t.Acknowledged));
        await Eventually.True(() => tallies.Values.Sum(t => Interlocked.Read(ref t.Acknowledged)) > afterDisruption + 300, because: "calls flow again");
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        return new Outcome(tallies, otherErrors.ToList());
    }
}
