using TicketFlow.Grains.Inventory;
using TicketFlow.Testing;

namespace TicketFlow.Grains.Tests.Cluster;

/// <summary>Holds expire through a durable reminder: with nobody calling, and after the silo hosting the tier is killed.</summary>
public sealed class HoldExpiryReminderTests
{
    [Fact]
    public async Task A_hold_expires_by_reminder_on_another_silo_after_the_hosting_silo_is_killed()
    {
        await using var cluster = await TestSilos.StartAsync(new TestSiloOptions { Silos = 3 });
        var key = TierKey.For(TestDatabase.UniqueId("evt"), "t1");
        var tier = cluster.Client.GetGrain<IEventInventoryGrain>(key);
        var reply = await tier.Hold(new TierHoldRequest("h1", "ann", 3, DateTimeOffset.UtcNow.AddSeconds(3), new TierTerms(10, 6)));
        Assert.True(reply.Granted);
        var host = await cluster.HostOfAsync(tier);

        await cluster.KillSiloAsync(host);

        // Only storage is watched (no grain calls): the reminder, now fired by a surviving silo, activates the tier there and stores the expiry.
        var journal = new Data.Journal.PostgresJournalStore(await TestDatabase.DataSourceAsync(), cluster.Options.ServiceId);
        var stored = await Eventually.Get(async () => InventoryJournal.Replay((await journal.ReadAsync(InventoryJournal.For(key), CancellationToken.None)).Entries),
            inventory => inventory.HoldsExpired == 1, TimeSpan.FromSeconds(30), "the hold expired by reminder");
        Assert.Equal((10, 0), (stored.Available, stored.Held));
        Assert.NotEqual(host.SiloAddress, (await cluster.HostOfAsync(tier)).SiloAddress);
    }
}
