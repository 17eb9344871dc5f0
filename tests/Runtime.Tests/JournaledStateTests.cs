using System.Text.Json;
using TicketFlow.Runtime.Tests.Grains;
using TicketFlow.Runtime.Testing;

namespace TicketFlow.Runtime.Tests;

public sealed class JournaledStateTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task A_journaled_grain_recovers_its_state_from_snapshot_and_entries_after_deactivation()
    {
        var tally = fixture.Cluster.GrainFactory.GetGrain<ITallyGrain>(TestDatabase.UniqueId("tally"));
        await Task.WhenAll(Enumerable.Range(1, 23).Select(tally.Add));
        await tally.Deactivate();

        Assert.Equal(23 * 24 / 2, await tally.Total());
    }

    [Fact]
    public async Task Every_acknowledged_call_is_one_journal_entry_and_the_entries_replay_to_the_state()
    {
        var key = TestDatabase.UniqueId("tally");
        var tally = fixture.Cluster.GrainFactory.GetGrain<ITallyGrain>(key);
        await Task.WhenAll(Enumerable.Range(1, 40).Select(tally.Add));

        // The journal is never truncated by snapshots: an auditor can replay it from the first entry.
        var stored = await fixture.Cluster.Storage.ReadJournalAsync(nameof(TallyGrain), key, "tally", CancellationToken.None);
        Assert.True(stored.SnapshotVersion > 0, "snapshots were stored");
        var all = await ReadAllEntriesAsync(key);
        Assert.Equal(40, all.Count);
        Assert.Equal(await tally.Total(), all.Sum(e => e.Amount));
    }

    [Fact]
    public async Task Two_activations_of_one_journaled_grain_never_lose_an_acknowledged_entry()
    {
        var key = TestDatabase.UniqueId("tally-split");
        var sides = fixture.Cluster.Silos.Take(2).Select(TestCluster.PinnedFactory).Select(f => f.GetGrain<ITallyGrain>(key)).ToList();
        long acknowledged = 0, rejected = 0;
        await Task.WhenAll(sides.SelectMany(side => Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                try { await side.Add(1); Interlocked.Increment(ref acknowledged); }
                catch (InconsistentStateException) { Interlocked.Increment(ref rejected); }
            }
        }))));

        Assert.True(rejected > 0, "the stale activation's appends were rejected");
        Assert.Equal(acknowledged, (await ReadAllEntriesAsync(key)).Sum(e => e.Amount));
    }

    private async Task<List<TallyEntry>> ReadAllEntriesAsync(string key)
    {
        await using var command = fixture.Cluster.DataSource.CreateCommand(
            "SELECT entry FROM tf_journal WHERE service_id = $1 AND grain_type = $2 AND grain_key = $3 AND journal = 'tally' ORDER BY seq");
        command.Parameters.AddWithValue(fixture.Cluster.Cluster.ServiceId);
        command.Parameters.AddWithValue(nameof(TallyGrain));
        command.Parameters.AddWithValue(key);
        var entries = new List<TallyEntry>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) entries.Add(JsonSerializer.Deserialize<TallyEntry>((byte[])reader[0], JsonSerializerOptions.Web)!);
        return entries;
    }
}
