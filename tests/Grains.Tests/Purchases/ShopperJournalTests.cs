using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using TicketFlow.Domain.Inventory;
using TicketFlow.Domain.Purchases;
using TicketFlow.Grains.Inventory;
using TicketFlow.Grains.Journaling;
using TicketFlow.Grains.Purchases;
using TicketFlow.Grains.Tests.Cluster;
using TicketFlow.Testing;

namespace TicketFlow.Grains.Tests.Purchases;

/// <summary>A shopper's holds in its journal (group-committed with every other grain's appends), on three silos and real PostgreSQL.</summary>
public sealed class ShopperJournalTests(JournaledClusterFixture fixture) : IClassFixture<JournaledClusterFixture>
{
    private static readonly TierTerms Terms = new(10, 8);

    private IShopperGrain Shopper(string eventId, string userId) => fixture.Cluster.Client.GetGrain<IShopperGrain>(ShopperKey.For(eventId, userId));

    private static PlaceHoldRequest Hold(string eventId, string userId, string holdId, int quantity) =>
        new(holdId, eventId, userId, [new HoldLine("t1", quantity, 5000, Terms)], "EUR", TimeSpan.FromMinutes(10), EventLimit: 6);

    private async Task<IReadOnlyList<ShopperEvent>> StoredAsync(string eventId, string userId) =>
        (await fixture.Storage.ReadAsync(ShopperGrain.JournalFor(ShopperKey.For(eventId, userId)), CancellationToken.None)).Entries
            .Select(JournalFormat.Entry<ShopperEvent>).ToList();

    [Fact]
    public async Task A_hold_stored_whose_reply_was_lost_is_what_the_retry_with_its_key_gets_and_its_seats_are_held_once()
    {
        var eventId = TestDatabase.UniqueId("evt");
        var tier = fixture.Inventory(TierKey.For(eventId, "t1"));
        await tier.Configure(Terms);

        // The shopper's append commits, then the silo "dies" before the reply: the caller sees a failure, not the hold.
        fixture.Journals.LoseReplyOnce(ShopperGrain.JournalFor(ShopperKey.For(eventId, "ann")));
        var lost = await Record.ExceptionAsync(() => Shopper(eventId, "ann").PlaceHold(Hold(eventId, "ann", "h1", 2)));
        Assert.NotNull(lost);
        var stored = await StoredAsync(eventId, "ann");
        Assert.Equal(["h1"], stored.OfType<HoldRecorded>().Select(e => e.Hold.HoldId)); // the hold is durable all the same

        var retry = await Shopper(eventId, "ann").PlaceHold(Hold(eventId, "ann", "h1", 2)); // a new activation, from the journal

        Assert.Null(retry.Error);
        Assert.Equal(("h1", HoldStates.Active, 2), (retry.Hold!.HoldId, retry.Hold.State, retry.Hold.Seats));
        Assert.Equal((8, 2), ((await tier.GetCounts()).Available, (await tier.GetCounts()).Held)); // held once, not twice
        Assert.Equal(stored.Count, (await StoredAsync(eventId, "ann")).Count); // answered from the journal: nothing placed or written again
        var first = stored.OfType<HoldRecorded>().Single().Hold;
        Assert.Equal((first.CreatedAt, first.ExpiresAt), (retry.Hold.CreatedAt, retry.Hold.ExpiresAt)); // the first outcome, as stored
    }

    [Fact]
    public async Task Every_change_of_a_hold_is_journaled_and_a_new_activation_answers_from_the_journal()
    {
        var eventId = TestDatabase.UniqueId("evt");
        await fixture.Inventory(TierKey.For(eventId, "t1")).Configure(Terms);
        var shopper = Shopper(eventId, "bob");
        Assert.Null((await shopper.PlaceHold(Hold(eventId, "bob", "h1", 1))).Error);
        Assert.Null((await shopper.PlaceHold(Hold(eventId, "bob", "h2", 3))).Error);
        Assert.Null(await shopper.ReleaseHold("h1"));
        Assert.Null((await shopper.BeginCheckout("h2")).Error);
        await shopper.EndCheckout("h2", HoldStates.Purchased, "ord_1");

        var replayed = Domain.Purchases.Shopper.Restore(null, await StoredAsync(eventId, "bob"));
        Assert.Equal(HoldStates.Released, replayed.Holds["h1"].State);
        Assert.Equal((HoldStates.Purchased, "ord_1", false), (replayed.Holds["h2"].State, replayed.Holds["h2"].OrderId, replayed.Holds["h2"].CheckingOut));

        // Over the limit of 6 with the 3 bought: the new activation (after a deactivation) still counts them.
        await fixture.Cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        Assert.Equal(ProblemCodes.LimitExceeded, (await shopper.PlaceHold(Hold(eventId, "bob", "h3", 4))).Error);
        Assert.Equal("ord_1", (await shopper.GetHold("h2"))!.OrderId);
    }

    [Fact]
    public async Task A_shopper_stored_as_grain_state_by_an_older_version_is_adopted_into_its_journal_once()
    {
        var eventId = TestDatabase.UniqueId("evt");
        var key = ShopperKey.For(eventId, "cy");
        var bought = new Hold("h-old", eventId, "cy", [new HoldLine("t1", 5, 5000, Terms)], "EUR", DateTimeOffset.UtcNow.AddDays(-1),
            DateTimeOffset.UtcNow.AddDays(-1), HoldStates.Purchased, CheckingOut: false, OrderId: "ord_old");
        var storage = fixture.Cluster.GetSiloServiceProvider().GetRequiredKeyedService<IGrainStorage>(StorageProviders.State);
        await storage.WriteStateAsync("shopper", GrainId.Create(ShopperGrain.GrainType, key),
            new GrainState<ShopperState>(new ShopperState { Holds = { ["h-old"] = bought } }));

        Assert.Equal("ord_old", (await Shopper(eventId, "cy").GetHold("h-old"))!.OrderId);
        Assert.Equal(ProblemCodes.LimitExceeded, (await Shopper(eventId, "cy").PlaceHold(Hold(eventId, "cy", "h1", 2))).Error); // 5 + 2 > 6
        Assert.Equal(["h-old"], (await StoredAsync(eventId, "cy")).OfType<HoldRecorded>().Select(e => e.Hold.HoldId));
    }
}
