using TicketFlow.Grains.Inventory;
using TicketFlow.Testing;

namespace TicketFlow.Grains.Tests.Cluster;

/// <summary>
/// Fencing is in storage, not in the grain directory: two clusters sharing one service id (and so one tier journal) each
/// run an activation of the same tier. Their appends are conditional on the journal's sequence numbers, so the stale one
/// fails, reloads and carries on: whatever either acknowledged is stored, nothing else is, and the tier never oversells.
/// </summary>
public sealed class SplitBrainTests
{
    [Fact]
    public async Task Two_activations_of_one_tier_on_shared_storage_never_both_acknowledge_and_stored_equals_acknowledged()
    {
        var serviceId = TestDatabase.UniqueId("shared-service");
        await using var left = await TestSilos.StartAsync(new TestSiloOptions { Silos = 1, ServiceId = serviceId });
        await using var right = await TestSilos.StartAsync(new TestSiloOptions { Silos = 1, ServiceId = serviceId });
        var key = TierKey.For(TestDatabase.UniqueId("evt"), "t1");
        var terms = new TierTerms(Capacity: 300, PerUserLimit: 1000);
        await left.Client.GetGrain<IEventInventoryGrain>(key).Configure(terms);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 1_000).Select(async i =>
        {
            var client = i % 2 == 0 ? left.Client : right.Client;
            try
            {
                var reply = await client.GetGrain<IEventInventoryGrain>(key)
                    .Hold(new TierHoldRequest($"h{i}", $"u{i}", 1, DateTimeOffset.UtcNow.AddMinutes(10), terms));
                return new HoldOutcome($"h{i}", reply.Granted);
            }
            catch (Exception error) when (GrainCallFailures.IsTransient(error))
            {
                return new HoldOutcome($"h{i}", false); // the stale activation's calls: refused, nothing stored
            }
        }));

        var journal = new Data.Journal.PostgresJournalStore(await TestDatabase.DataSourceAsync(), serviceId);
        var stored = InventoryJournal.Replay((await journal.ReadAsync(InventoryJournal.For(key), CancellationToken.None)).Entries);
        var acknowledged = outcomes.Where(o => o.Acknowledged).Select(o => o.HoldId).Order().ToList();
        Assert.Equal(acknowledged, outcomes.Select(o => o.HoldId).Where(stored.IsHeld).Order().ToList());
        Assert.Equal(300, acknowledged.Count); // every seat sold once: refusals were sold_out or a stale activation's
        Assert.Equal((0, 300, 0), (stored.Available, stored.Held, stored.Sold));
    }

    private sealed record HoldOutcome(string HoldId, bool Acknowledged);
}
