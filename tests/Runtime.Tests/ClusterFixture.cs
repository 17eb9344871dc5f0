using TicketFlow.Runtime.Testing;

namespace TicketFlow.Runtime.Tests;

/// <summary>A three-silo cluster shared by tests that do not change its topology.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public static TestClusterOptions Options(int silos = 3) => new()
    {
        InitialSilos = silos,
        GrainAssemblies = [typeof(ClusterFixture).Assembly],
    };

    public async Task InitializeAsync() => Cluster = await TestCluster.StartAsync(Options());

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
    }
}
