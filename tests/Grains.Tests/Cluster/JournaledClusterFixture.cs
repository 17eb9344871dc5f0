using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using TicketFlow.Data.Journal;
using TicketFlow.Grains.Inventory;
using TicketFlow.Testing;

namespace TicketFlow.Grains.Tests.Cluster;

/// <summary>Three TicketFlow silos on the test PostgreSQL whose journal appends go through one fault switch (and are counted).</summary>
public sealed class JournaledClusterFixture : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;

    /// <summary>Every silo's journal store: one instance, made before the silos, so its counters and fault switch are the cluster's.</summary>
    public FaultInjectingJournalStore Journals { get; private set; } = null!;

    public IJournalStore Storage { get; private set; } = null!;

    /// <summary>Hold calls that have run up to their first wait: each has decided and its entry waits for an append.</summary>
    public long HoldsDecided => Interlocked.Read(ref holdsDecided);

    private long holdsDecided;

    public async Task InitializeAsync()
    {
        var serviceId = TestDatabase.UniqueId("service");
        Storage = new PostgresJournalStore(await TestDatabase.DataSourceAsync(), serviceId);
        Journals = new FaultInjectingJournalStore(Storage);
        Cluster = await TestSilos.StartAsync(new TestSiloOptions
        {
            ServiceId = serviceId,
            // Ten thousand calls at once on a two-core machine shared with other test assemblies: answers may queue for a while.
            ResponseTimeout = TimeSpan.FromSeconds(90),
            ConfigureSilo = silo =>
            {
                silo.Services.AddSingleton<IJournalStore>(Journals);
                silo.AddIncomingGrainCallFilter(CountHoldsDecided);
            },
        });
    }

    private async Task CountHoldsDecided(IIncomingGrainCallContext call)
    {
        var running = call.Invoke(); // runs the grain method up to its first wait
        if (call.InterfaceMethod?.Name == nameof(IEventInventoryGrain.Hold)) Interlocked.Increment(ref holdsDecided);
        await running;
    }

    public IEventInventoryGrain Inventory(string tierKey) => Cluster.Client.GetGrain<IEventInventoryGrain>(tierKey);

    /// <summary>The tier as its stored journal says, replayed from the first entry (not as any activation holds it).</summary>
    public async Task<Domain.Inventory.Inventory> StoredAsync(string tierKey) =>
        InventoryJournal.Replay((await Storage.ReadAsync(InventoryJournal.For(tierKey), CancellationToken.None)).Entries);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}
