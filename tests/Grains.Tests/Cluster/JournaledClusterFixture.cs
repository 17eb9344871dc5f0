using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;
using TicketFlow.Data.Journal;
using TicketFlow.Grains.Inventory;
using TicketFlow.Testing;

namespace TicketFlow.Grains.Tests.Cluster;

/// <summary>Three TicketFlow silos on the test PostgreSQL whose journal appends go through one fault switch (and are counted).</summary>
public sealed class JournaledClusterFixture : IAsyncLifetime
{
    private FaultInjectingJournalStore? journals;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public FaultInjectingJournalStore Journals => journals!;

    public IJournalStore Storage { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await TestSilos.StartAsync(new TestSiloOptions
        {
            ConfigureSilo = silo => silo.Services.AddSingleton<IJournalStore>(sp =>
                journals ??= new FaultInjectingJournalStore(new PostgresJournalStore(TestDatabase.DataSourceAsync().GetAwaiter().GetResult(),
                    sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ClusterOptions>>().Value.ServiceId))),
        });
        Storage = new PostgresJournalStore(await TestDatabase.DataSourceAsync(), Cluster.Options.ServiceId);
    }

    public IEventInventoryGrain Tier(string tierKey) => Cluster.Client.GetGrain<IEventInventoryGrain>(tierKey);

    /// <summary>The tier as its stored journal says, replayed from the first entry (not as any activation holds it).</summary>
    public async Task<Grains.Inventory.Inventory> StoredAsync(string tierKey) =>
        InventoryJournal.Replay((await Storage.ReadAsync(InventoryJournal.For(tierKey), CancellationToken.None)).Entries);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}
