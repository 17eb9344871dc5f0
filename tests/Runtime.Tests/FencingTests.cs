using TicketFlow.Runtime.Tests.Grains;
using TicketFlow.Runtime.Testing;

namespace TicketFlow.Runtime.Tests;

/// <summary>Split brain: two silos each run an activation of the same grain. Storage versions must keep the count exact.</summary>
public sealed class FencingTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Two_activations_of_one_grain_never_lose_an_acknowledged_increment(bool groupCommit)
    {
        var cluster = fixture.Cluster;
        var key = TestDatabase.UniqueId("split-brain");
        var sides = cluster.Silos.Take(2).Select(TestCluster.PinnedFactory).Select(f => f.GetGrain<ICounterGrain>(key)).ToList();

        long acknowledged = 0, rejected = 0;
        await Task.WhenAll(sides.SelectMany(side => Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 150; i++)
            {
                try
                {
                    await (groupCommit ? side.IncrementBatched() : side.Increment());
                    Interlocked.Increment(ref acknowledged);
                }
                catch (InconsistentStateException)
                {
                    Interlocked.Increment(ref rejected);
                }
            }
        }))));

        var stored = await cluster.ReadStoredStateAsync<CounterState>(nameof(CounterGrain), key, "counter");
        Assert.Equal(acknowledged, stored!.Value);
        Assert.True(rejected > 0, "the stale activation's writes were rejected");
        Assert.Equal(2 * 8 * 150, acknowledged + rejected);
    }
}
