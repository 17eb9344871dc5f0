using TicketFlow.Runtime.Tests.Grains;
using TicketFlow.Runtime.Testing;

namespace TicketFlow.Runtime.Tests;

public sealed class ExecutionTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private IGrainFactory Grains => fixture.Cluster.GrainFactory;

    [Fact]
    public async Task A_non_reentrant_grain_never_runs_two_turns_at_once()
    {
        var grain = Grains.GetGrain<ITurnProbeGrain>(TestDatabase.UniqueId("turns"));
        await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => grain.Work()));
        Assert.Equal(0, await grain.Overlaps());
    }

    [Fact]
    public async Task A_reentrant_grain_interleaves_turns_at_awaits()
    {
        // The same probe detects overlap when it is allowed: the zero above is a real measurement.
        var grain = Grains.GetGrain<IReentrantProbeGrain>(TestDatabase.UniqueId("reentrant"));
        await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => grain.Work()));
        Assert.True(await grain.Overlaps() > 0);
    }

    [Fact]
    public async Task Read_only_calls_interleave_with_each_other_but_mutating_calls_do_not()
    {
        var readers = Grains.GetGrain<ITurnProbeGrain>(TestDatabase.UniqueId("readonly"));
        var together = await Task.WhenAll(readers.ReadOnlyRendezvous(), readers.ReadOnlyRendezvous());
        Assert.Equal(new[] { true, true }, together);

        var writers = Grains.GetGrain<ITurnProbeGrain>(TestDatabase.UniqueId("mutating"));
        var oneAfterTheOther = await Task.WhenAll(writers.Rendezvous(), writers.Rendezvous());
        Assert.Equal(new[] { false, true }, oneAfterTheOther.Order());
    }

    [Fact]
    public async Task Calls_that_arrive_during_activation_wait_for_it()
    {
        var key = TestDatabase.UniqueId("slow-activation");
        var grain = Grains.GetGrain<IBehaviourGrain>(key);
        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => grain.IsActivated()));
        Assert.All(answers, Assert.True);
        Assert.Equal(1, Lifecycle.Activations[key]);
    }

    [Fact]
    public async Task Grain_exceptions_reach_a_remote_caller_with_type_and_message()
    {
        var grain = Grains.GetGrain<IBehaviourGrain>(TestDatabase.UniqueId("thrower"));
        var builtIn = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.Throw("tier is closed"));
        Assert.Equal("tier is closed", builtIn.Message);
        var custom = await Assert.ThrowsAsync<TicketSoldOutException>(() => grain.ThrowCustom("sold out"));
        Assert.Equal("sold out", custom.Message);
        Assert.True(await grain.IsActivated(), "a grain exception does not kill the activation");
    }

    [Fact]
    public async Task Timer_ticks_are_turns_that_never_overlap_themselves()
    {
        var grain = Grains.GetGrain<IBehaviourGrain>(TestDatabase.UniqueId("timer"));
        await grain.StartTimer(TimeSpan.FromMilliseconds(30));
        var report = await Eventually.Get(grain.TimerTicks, r => r.Ticks >= 4);
        Assert.Equal(0, report.Overlaps);
    }

    [Fact]
    public async Task Grain_to_grain_calls_reach_grains_owned_by_other_silos()
    {
        var caller = Grains.GetGrain<ICounterGrain>(TestDatabase.UniqueId("caller"));
        var keys = Enumerable.Range(0, 30).Select(i => TestDatabase.UniqueId($"callee{i}")).ToList();
        var seenFromCaller = await Task.WhenAll(keys.Select(caller.WhoIs));
        var seenDirectly = await Task.WhenAll(keys.Select(k => Grains.GetGrain<ICounterGrain>(k).WhoAmI()));
        Assert.Equal(seenDirectly, seenFromCaller);
        Assert.True(seenDirectly.Select(i => i.Silo).Distinct().Count() > 1, "30 keys spread over more than one silo");
    }
}

public sealed class TimeoutAndCollectionTests : IAsyncLifetime
{
    private TestCluster cluster = null!;

    public async Task InitializeAsync()
    {
        var options = new TestClusterOptions
        {
            InitialSilos = 1,
            GrainAssemblies = [typeof(ClusterFixture).Assembly],
            ConfigureCluster = c => c.ResponseTimeout = TimeSpan.FromSeconds(1),
            ConfigureSilo = s =>
            {
                s.IdleActivationAge = TimeSpan.FromMilliseconds(500);
                s.CollectionPeriod = TimeSpan.FromMilliseconds(100);
            },
        };
        cluster = await TestCluster.StartAsync(options);
    }

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task A_call_without_an_answer_in_time_fails_with_a_timeout()
    {
        var grain = cluster.GrainFactory.GetGrain<IBehaviourGrain>(TestDatabase.UniqueId("hang"));
        var error = await Assert.ThrowsAsync<GrainCallTimeoutException>(() => grain.Hang(TimeSpan.FromSeconds(5)));
        Assert.Contains("outcome is unknown", error.Message);
    }

    [Fact]
    public async Task Idle_activations_are_collected_and_state_comes_back()
    {
        var key = TestDatabase.UniqueId("idle");
        var counter = cluster.GrainFactory.GetGrain<ICounterGrain>(key);
        await counter.Increment();
        var first = await counter.WhoAmI();
        var silo = cluster.Silos.Single().Runtime;
        await Eventually.True(() => silo.ActivationCount == 0, because: "the idle activation is collected");
        Assert.Equal(1, await counter.Get());
        Assert.NotEqual(first.ActivationId, (await counter.WhoAmI()).ActivationId);
    }

    [Fact]
    public async Task DeactivateOnIdle_runs_OnDeactivateAsync_and_the_next_call_gets_a_new_activation()
    {
        var key = TestDatabase.UniqueId("deactivate");
        var counter = cluster.GrainFactory.GetGrain<ICounterGrain>(key);
        var first = await counter.WhoAmI();
        await counter.Deactivate();
        var second = await counter.WhoAmI();
        Assert.NotEqual(first.ActivationId, second.ActivationId);
    }
}
