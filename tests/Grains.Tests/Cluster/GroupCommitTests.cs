using TicketFlow.Grains.Inventory;
using TicketFlow.Testing;

namespace TicketFlow.Grains.Tests.Cluster;

/// <summary>
/// Group commit on a real tier grain (three silos, the journal on PostgreSQL): many calls share one conditional append,
/// none is answered before its append is stored, and a failed append fails exactly the calls that depended on it.
/// </summary>
public sealed class GroupCommitTests(JournaledClusterFixture fixture) : IClassFixture<JournaledClusterFixture>
{
    private static readonly TierTerms Terms = new(Capacity: 20_000, PerUserLimit: 10);

    [Fact]
    public async Task Ten_thousand_concurrent_holds_are_stored_exactly_with_far_fewer_appends_than_calls()
    {
        var key = TierKey.For(TestDatabase.UniqueId("evt"), "t1");
        var tier = fixture.Tier(key);
        await tier.Configure(Terms);
        var appendsBefore = fixture.Journals.Appends;

        var replies = await Task.WhenAll(Enumerable.Range(0, 10_000).Select(i =>
            tier.Hold(new TierHoldRequest($"h{i}", $"u{i % 2000}", 1, DateTimeOffset.UtcNow.AddMinutes(10), Terms))));

        var appends = fixture.Journals.Appends - appendsBefore;
        Assert.All(replies, reply => Assert.True(reply.Granted, reply.Error));
        var stored = await fixture.StoredAsync(key);
        Assert.Equal((10_000, 10_000L, 10_000), (stored.Held, stored.HoldsPlaced, stored.ActiveHolds));
        // One append per call without the group commit; how many calls share one depends on how fast they arrive, which
        // on two cores shared with other test runs varied (1,262 appends seen in CI): a quarter still proves the sharing.
        Assert.True(appends < 10_000 / 4, $"{appends} appends for 10,000 holds: the calls did not share appends");
    }

    [Fact]
    public async Task A_failed_append_fails_exactly_the_calls_that_depended_on_it_and_loses_nothing_acknowledged()
    {
        var key = TierKey.For(TestDatabase.UniqueId("evt"), "t1");
        var tier = fixture.Tier(key);
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
        var tier = fixture.Tier(key);
        await tier.Configure(new TierTerms(100, 10));
        var holds = Enumerable.Range(0, 50).Select(i => tier.Hold(new TierHoldRequest($"h{i}", $"u{i}", 1, DateTimeOffset.UtcNow.AddMinutes(10), Terms))).ToList();

        var counts = await tier.GetCounts();

        // Whatever the read saw was stored before it was answered.
        Assert.True((await fixture.StoredAsync(key)).Held >= counts.Held, $"the read answered {counts.Held} held");
        await Task.WhenAll(holds);
    }

    private sealed record HoldOutcome(string HoldId, bool Acknowledged, Exception? Failure);
}
