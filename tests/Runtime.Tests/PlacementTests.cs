using TicketFlow.Runtime.Hosting;
using TicketFlow.Runtime.Tests.Grains;
using TicketFlow.Runtime.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace TicketFlow.Runtime.Tests;

public sealed class PlacementTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task Calls_to_one_key_from_different_clients_and_silos_reach_one_activation()
    {
        var cluster = fixture.Cluster;
        await using var secondClient = new ClusterClient(cluster.Membership, [typeof(ClusterFixture).Assembly], cluster.Cluster, NullLoggerFactory.Instance);
        await secondClient.StartAsync(CancellationToken.None);
        var key = TestDatabase.UniqueId("single");

        var factories = new List<IGrainFactory> { cluster.GrainFactory, secondClient.GrainFactory };
        factories.AddRange(cluster.Silos.Select(s => s.Runtime.GrainFactory));
        var seen = await Task.WhenAll(factories.SelectMany(f => Enumerable.Range(0, 20).Select(_ => f.GetGrain<ICounterGrain>(key).WhoAmI())));

        Assert.Single(seen.Distinct());
        Assert.Equal(cluster.OwnerOf<ICounterGrain>(key).Runtime.Address.ToString(), seen[0].Silo);
    }

    [Fact]
    public async Task Grains_spread_over_all_silos()
    {
        var owners = await Task.WhenAll(Enumerable.Range(0, 300)
            .Select(i => fixture.Cluster.GrainFactory.GetGrain<ICounterGrain>(TestDatabase.UniqueId($"spread{i}")).WhoAmI()));
        var perSilo = owners.GroupBy(o => o.Silo).Select(g => g.Count()).ToList();
        Assert.Equal(3, perSilo.Count);
        Assert.All(perSilo, count => Assert.InRange(count, 40, 180));
    }
}
