using System.Collections.Concurrent;
using TicketFlow.Runtime.Tests.Grains;
using TicketFlow.Runtime.Testing;

namespace TicketFlow.Runtime.Tests;

public sealed class NotificationAndStatisticsTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task Notifications_published_by_grains_on_any_silo_reach_a_subscribed_client()
    {
        var received = new ConcurrentQueue<string>();
        var topic = TestDatabase.UniqueId("availability");
        using var subscription = fixture.Cluster.Client.Subscribe(topic, n => received.Enqueue(n.Read<Announcement>()!.Text));

        var keys = Enumerable.Range(0, 12).Select(i => TestDatabase.UniqueId($"publisher{i}")).ToList();
        // Best effort by design: a client only hears silos it has connected to, so publish until every message lands.
        await Eventually.Get(async () =>
        {
            foreach (var key in keys.Where(k => !received.Contains(k)))
                await fixture.Cluster.GrainFactory.GetGrain<IBehaviourGrain>(key).Publish($"{topic}/{key}", key);
            return keys.All(received.Contains);
        }, delivered => delivered, because: "every publisher's message arrives");
        Assert.All(received, text => Assert.Contains(text, keys));
    }

    [Fact]
    public async Task Every_silo_reports_calls_errors_latency_and_activations()
    {
        var key = TestDatabase.UniqueId("stats");
        var grain = fixture.Cluster.GrainFactory.GetGrain<IBehaviourGrain>(key);
        for (var i = 0; i < 5; i++) await grain.IsActivated();
        await Assert.ThrowsAsync<InvalidOperationException>(() => grain.Throw("counted"));

        var reports = await fixture.Cluster.Client.GetSiloReportsAsync(CancellationToken.None);
        Assert.Equal(3, reports.Count);
        var owner = reports.Single(r => r.Silo == fixture.Cluster.OwnerOf<IBehaviourGrain>(key).Runtime.Address.ToString());
        var isActivated = owner.Methods.Single(m => m.GrainType == nameof(BehaviourGrain) && m.Method == nameof(IBehaviourGrain.IsActivated));
        Assert.True(isActivated.Calls >= 5);
        Assert.True(isActivated.P99Ms >= isActivated.P50Ms);
        Assert.True(owner.Methods.Single(m => m.Method == nameof(IBehaviourGrain.Throw)).Errors >= 1);
        Assert.True(owner.ActivationsByType[nameof(BehaviourGrain)] >= 1);
        Assert.Equal("Active", owner.Status);
        Assert.True(owner.Process.WorkingSetBytes > 0);
    }
}
