using TicketFlow.Runtime.Tests.Grains;
using TicketFlow.Runtime.Testing;
using TicketFlow.Runtime.Storage;

namespace TicketFlow.Runtime.Tests;

public sealed class GroupCommitTests : IAsyncLifetime
{
    private TestCluster cluster = null!;
    private FaultInjectingGrainStorage storage = null!;

    public async Task InitializeAsync()
    {
        cluster = await TestCluster.StartAsync(new TestClusterOptions
        {
            InitialSilos = 1,
            GrainAssemblies = [typeof(ClusterFixture).Assembly],
            WrapStorage = inner => storage = new FaultInjectingGrainStorage(inner),
        });
    }

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task Ten_thousand_concurrent_increments_are_all_stored_with_far_fewer_writes()
    {
        var key = TestDatabase.UniqueId("batched");
        var counter = cluster.GrainFactory.GetGrain<ICounterGrain>(key);
        var writesBefore = storage.Writes;

        var results = await Task.WhenAll(Enumerable.Range(0, 10_000).Select(_ => counter.IncrementBatched()));

        Assert.Equal(10_000, await StoredCounter(key));
        Assert.Equal(Enumerable.Range(1, 10_000).Select(i => (long)i), results.Order());
        var writes = storage.Writes - writesBefore;
        Assert.InRange(writes, 1, 2_000);
    }

    [Fact]
    public async Task A_failed_group_commit_fails_every_caller_of_its_batch()
    {
        var key = TestDatabase.UniqueId("batch-fault");
        var counter = cluster.GrainFactory.GetGrain<ICounterGrain>(key);
        await counter.IncrementBatched();
        storage.FailNextWrites(1);

        var calls = Enumerable.Range(0, 2_000).Select(_ => counter.IncrementBatched()).ToList();
        var settled = await Task.WhenAll(calls.Select(async call =>
        {
            try { await call; return true; }
            catch { return false; }
        }));

        var succeeded = settled.Count(ok => ok);
        Assert.True(succeeded < 2_000, "the injected fault failed some callers");
        // Every success is stored and nothing else is: no caller of the failed batch was told it succeeded.
        Assert.Equal(1 + succeeded, await StoredCounter(key));
        Assert.Equal(1 + succeeded, await counter.Get());
    }

    [Fact]
    public async Task A_failed_single_write_deactivates_and_the_next_call_reloads()
    {
        var key = TestDatabase.UniqueId("write-fault");
        var counter = cluster.GrainFactory.GetGrain<ICounterGrain>(key);
        await counter.Increment();
        storage.FailNextWrites(1);
        await Assert.ThrowsAnyAsync<Exception>(counter.Increment);
        Assert.Equal(1, await counter.Get());
        Assert.Equal(2, await counter.Increment());
    }

    [Fact]
    public async Task A_steady_stream_of_reads_never_starves_a_pending_group_commit()
    {
        var counter = cluster.GrainFactory.GetGrain<ICounterGrain>(TestDatabase.UniqueId("read-storm"));
        using var incrementsDone = new CancellationTokenSource();
        // Readers keep going until the increments finish; if reads could hold off the commit, neither would ever end.
        var readers = Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
        {
            var reads = 0;
            while (!incrementsDone.IsCancellationRequested) { await counter.SlowGet(Random.Shared.Next(5, 40)); reads++; }
            return reads;
        })).ToList();
        for (var i = 1; i <= 50; i++) Assert.Equal(i, await counter.IncrementBatched());
        await incrementsDone.CancelAsync();
        Assert.All(await Task.WhenAll(readers), reads => Assert.True(reads > 0));
    }

    [Fact]
    public async Task A_group_commit_call_whose_silo_dies_mid_turn_is_never_reported_as_a_success()
    {
        var key = TestDatabase.UniqueId("dies-mid-turn");
        var silo = cluster.Silos.Single();
        var call = silo.Runtime.GrainFactory.GetGrain<ICounterGrain>(key).IncrementBatchedAfter(300);
        await Eventually.True(() => Lifecycle.Started.ContainsKey(key), because: "the turn has started");

        silo.Runtime.Kill();

        await Assert.ThrowsAsync<GrainCallOutcomeUnknownException>(() => call);
        Assert.Equal(0, await StoredCounter(key));
    }

    private async Task<long> StoredCounter(string key) =>
        (await cluster.ReadStoredStateAsync<CounterState>(nameof(CounterGrain), key, "counter"))?.Value ?? 0;
}
