using TicketFlow.Grains.Inventory;
using TicketFlow.Testing;

namespace TicketFlow.Grains.Tests.Cluster;

/// <summary>
/// Group commit on a real inventory grain (three silos, the journal on PostgreSQL): many calls share one conditional append,
/// none is answered before its append is stored, and a failed append fails exactly the calls that depended on it.
/// </summary>
public sealed class GroupCommitTests(JournaledClusterFixture fixture) : IClassFixture<JournaledClusterFixture>
{
    private static readonly TierTerms Terms = new(Capacity: 20_000, PerUserLimit: 10);

    [Fact]
    public async Task Calls_that_arrive_while_an_append_is_in_flight_share_the_next_append_and_none_is_answered_before_it()
    {
        var key = TierKey.For(TestDatabase.UniqueId("evt"), "t1");
        var tier = fixture.Inventory(key);
        await tier.Configure(Terms);
        await tier.Hold(Request("warm-up", "w")); // the expiry reminder is aimed: later holds decide without waiting for it
        var journal = InventoryJournal.For(key);
        var (appendsBefore, decidedBefore) = (fixture.Journals.AppendsTo(journal), fixture.HoldsDecided);

        fixture.Journals.CloseGate(journal);
        try
        {
            var first = tier.Hold(Request("h0", "u0"));
            await Eventually.True(() => fixture.Journals.WaitingAtGate == 1, because: "the first hold's append reaches the store");
            var rest = Enumerable.Range(1, 9_999).Select(i => tier.Hold(Request($"h{i}", $"u{i % 2000}"))).ToList();
            await Eventually.True(() => fixture.HoldsDecided - decidedBefore == 10_000, TimeSpan.FromSeconds(60), "every hold reached the grain");
            Assert.False(first.IsCompleted || rest.Any(r => r.IsCompleted), "a hold was answered before its append was stored");

            fixture.Journals.OpenGate();
            var replies = await Task.WhenAll(rest.Prepend(first));

            Assert.All(replies, reply => Assert.True(reply.Granted, reply.Error));
            // One append for the first hold, one for the 9,999 that arrived while it was in flight: not one per call.
            Assert.Equal(2, fixture.Journals.AppendsTo(journal) - appendsBefore);
            var stored = await fixture.StoredAsync(key);
            Assert.Equal((10_001, 10_001L, 10_001), (stored.Held, stored.HoldsPlaced, stored.ActiveHolds));
        }
        finally
        {
            fixture.Journals.OpenGate();
        }
    }

    private static TierHoldRequest Request(string holdId, string userId) => new(holdId, userId, 1, DateTimeOffset.UtcNow.AddMinutes(10), Terms);

    [Fact]
    public async Task A_failed_append_fails_exactly_the_calls_that_depended_on_it_and_loses_nothing_acknowledged()
    {
        var key = TierKey.For(TestDatabase.UniqueId("evt"), "t1");
        var tier = fixture.Inventory(key);
        await tier.Configure(Terms);

        var before = await BurstAsync(tier, 0);
        fixture.Journals.Faults.FailNext(1);
        var during = await BurstAsync(tier, 1);
        var after = await BurstAsync(tier, 2);

        Assert.All(before.Concat(after), o => Assert.True(o.Acknowledged, o.Failure?.ToString()));
        var failures = during.Where(o => o.Failure is not null).ToList();
        Assert.NotEmpty(failures);
        Assert.All(failures, f => Assert.True(GrainCallFailures.IsTransient(f.Failure!), f.Failure!.ToString()));
        var all = before.Concat(during).Concat(after).ToList();
        var stored = await fixture.StoredAsync(key);
        Assert.Equal(all.Where(o => o.Acknowledged).Select(o => o.HoldId).Order(), all.Select(o => o.HoldId).Where(stored.IsHeld).Order());

        // The activation reloaded from the journal: the failed holds can be placed again, and nothing acknowledged was lost.
        var retried = await Task.WhenAll(failures.Select(f => tier.Hold(new TierHoldRequest(f.HoldId, "retry-" + f.HoldId, 1, DateTimeOffset.UtcNow.AddMinutes(10), Terms))));
        Assert.All(retried, reply => Assert.True(reply.Granted, reply.Error));
        Assert.Equal(all.Count, (await fixture.StoredAsync(key)).ActiveHolds);
    }

    /// <summary>A thousand concurrent holds (each its own user); the outcome of each.</summary>
    private static Task<HoldOutcome[]> BurstAsync(IEventInventoryGrain tier, int burst) => Task.WhenAll(Enumerable.Range(0, 1_000).Select(async i =>
    {
        var holdId = $"b{burst}-h{i}";
        try
        {
            var reply = await tier.Hold(new TierHoldRequest(holdId, $"b{burst}-u{i}", 1, DateTimeOffset.UtcNow.AddMinutes(10), Terms));
            return new HoldOutcome(holdId, reply.Granted, null);
        }
        catch (Exception failure)
        {
            return new HoldOutcome(holdId, false, failure);
        }
    }));

    [Fact]
    public async Task A_read_is_answered_only_with_counts_that_are_durable()
    {
        var key = TierKey.For(TestDatabase.UniqueId("evt"), "t1");
        var tier = fixture.Inventory(key);
        await tier.Configure(new TierTerms(100, 10));
        var holds = Enumerable.Range(0, 50).Select(i => tier.Hold(new TierHoldRequest($"h{i}", $"u{i}", 1, DateTimeOffset.UtcNow.AddMinutes(10), Terms))).ToList();

        var counts = await tier.GetCounts();

        // Whatever the read saw was stored before it was answered.
        Assert.True((await fixture.StoredAsync(key)).Held >= counts.Held, $"the read answered {counts.Held} held");
        await Task.WhenAll(holds);
    }

    private sealed record HoldOutcome(string HoldId, bool Acknowledged, Exception? Failure);
}
