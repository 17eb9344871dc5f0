using TicketFlow.Runtime.Membership;
using TicketFlow.Runtime.Tests.Grains;
using TicketFlow.Runtime.Testing;

namespace TicketFlow.Runtime.Tests;

/// <summary>Failure detection must not turn a stall that healthy silos share into silos declaring each other dead.</summary>
public sealed class FailureDetectionTests : IAsyncLifetime
{
    private static readonly TimeSpan DeathTimeout = TimeSpan.FromSeconds(3);
    private readonly StallableMembershipTable.Switch stall = new();
    private TestCluster cluster = null!;

    public async Task InitializeAsync()
    {
        var options = ClusterFixture.Options();
        cluster = await TestCluster.StartAsync(new TestClusterOptions
        {
            InitialSilos = options.InitialSilos,
            GrainAssemblies = options.GrainAssemblies,
            ConfigureSilo = silo => silo.DeathTimeout = DeathTimeout,
            WrapMembership = inner => new StallableMembershipTable(inner, stall),
        });
    }

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task A_thread_pool_saturated_for_twice_the_death_timeout_gets_no_silo_declared_dead()
    {
        var before = await cluster.Membership.ReadAsync(CancellationToken.None);

        // Every pool thread blocks (and the threads the pool adds pick up more blockers) until the release: no pool
        // callback runs for 2 × the death timeout, as when a burst of requests floods a silo's queue. Meanwhile a thread
        // outside the pool reads the table: the silos' heartbeats must go on. (Not disposed: blockers still queued
        // when this method ends would throw on a disposed event.)
        await using var readerSource = PostgresMembershipTable.CreateAgentDataSource(await TestDatabase.ConnectionStringAsync());
        var reader = new PostgresMembershipTable(readerSource, cluster.Cluster.ClusterId); // blocking calls, no pool callbacks
        var release = new ManualResetEventSlim();
        for (var i = 0; i < 500; i++) ThreadPool.UnsafeQueueUserWorkItem(_ => release.Wait(), null);
        var oldestHeartbeat = TimeSpan.Zero;
        var stalled = new Thread(() =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (clock.Elapsed < 2 * DeathTimeout)
            {
                var ages = reader.Read().Entries.Where(e => e.Status == SiloStatus.Active).Select(e => e.HeartbeatAge);
                oldestHeartbeat = ages.Append(oldestHeartbeat).Max();
                Thread.Sleep(100); // the sampling pace during the stall, not a wait for an outcome
            }
            release.Set();
        });
        stalled.Start();
        stalled.Join();

        Assert.True(oldestHeartbeat < DeathTimeout / 2, $"a heartbeat was {oldestHeartbeat} old while the pool was blocked");
        await AllSilosHeartbeatAgainAsync();
        await AssertNoOneWasDeclaredDeadAsync(before);
    }

    [Fact]
    public async Task A_database_stall_that_every_silo_shares_gets_no_silo_declared_dead()
    {
        var before = await cluster.Membership.ReadAsync(CancellationToken.None);

        stall.Stalled = true;
        await Eventually.Get(() => cluster.Membership.ReadAsync(CancellationToken.None),
            view => view.Entries.All(e => e.HeartbeatAge > 2 * DeathTimeout), TimeSpan.FromSeconds(20), "every heartbeat is stale");
        stall.Stalled = false;

        // The first silo back sees everyone else silent for over the death timeout; it must wait until they are back too.
        await AllSilosHeartbeatAgainAsync();
        await AssertNoOneWasDeclaredDeadAsync(before);
    }

    [Fact]
    public async Task A_silo_that_stops_heartbeating_is_still_declared_dead_by_healthy_ones()
    {
        var victim = cluster.Silos[1];
        stall.StalledSilo = victim.Runtime.Address;

        Assert.True(await victim.Runtime.Stopped.WaitAsync(TimeSpan.FromSeconds(20)), "the silenced silo learns it was declared dead");
        var view = await cluster.Membership.ReadAsync(CancellationToken.None);
        Assert.Equal(SiloStatus.Dead, view.Entries.Single(e => e.Silo == victim.Runtime.Address).Status);
        Assert.Equal(2, view.Entries.Count(e => e.Status == SiloStatus.Active));
    }

    private Task AllSilosHeartbeatAgainAsync() =>
        Eventually.Get(() => cluster.Membership.ReadAsync(CancellationToken.None),
            view => view.Entries.All(e => e.Status != SiloStatus.Active || e.HeartbeatAge < TimeSpan.FromSeconds(1))
                    && view.Entries.Count(e => e.Status == SiloStatus.Active) == 3,
            TimeSpan.FromSeconds(20), "all three silos heartbeat again");

    private async Task AssertNoOneWasDeclaredDeadAsync(MembershipSnapshot before)
    {
        var after = await cluster.Membership.ReadAsync(CancellationToken.None);
        Assert.Equal(before.Version, after.Version);
        Assert.All(after.Entries, e => Assert.Equal(SiloStatus.Active, e.Status));
        Assert.All(cluster.Silos, s => Assert.False(s.Runtime.Stopped.IsCompleted, $"{s.Runtime.Address} stopped"));
        // And the cluster still serves calls.
        Assert.Equal(1, await cluster.GrainFactory.GetGrain<ICounterGrain>(TestDatabase.UniqueId("after-stall")).Increment());
    }
}

/// <summary>A membership table whose heartbeats fail, for every silo or for one, while a switch is on: a database outage as the agent sees it.</summary>
internal sealed class StallableMembershipTable(IMembershipTable inner, StallableMembershipTable.Switch stall) : IMembershipTable
{
    public sealed class Switch
    {
        public volatile bool Stalled;

        public SiloAddress? StalledSilo { get; set; }
    }

    public bool Heartbeat(SiloAddress silo) =>
        stall.Stalled || stall.StalledSilo == silo ? throw new TimeoutException("stalled heartbeat") : inner.Heartbeat(silo);

    public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

    public Task<SiloAddress> RegisterAsync(string endpoint, CancellationToken cancellationToken) => inner.RegisterAsync(endpoint, cancellationToken);

    public Task<bool> SetStatusAsync(SiloAddress silo, SiloStatus status, CancellationToken cancellationToken) => inner.SetStatusAsync(silo, status, cancellationToken);

    public Task<MembershipSnapshot> ReadAsync(CancellationToken cancellationToken) => inner.ReadAsync(cancellationToken);

    public bool DeclareDead(SiloAddress silo, TimeSpan timeout, SiloAddress judge) => inner.DeclareDead(silo, timeout, judge);

    public MembershipSnapshot Read() => inner.Read();
}
