using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TestingHost;
using TicketFlow.Data.Journal;
using TicketFlow.Grains;
using TicketFlow.Testing;

namespace TicketFlow.Data.Tests;

public sealed class PostgreSqlStorageConformanceTests(StorageEngine.PostgreSql engine) : StorageConformanceTests(engine), IClassFixture<StorageEngine.PostgreSql>;

public sealed class SqliteStorageConformanceTests(StorageEngine.Sqlite engine) : StorageConformanceTests(engine), IClassFixture<StorageEngine.Sqlite>;

/// <summary>
/// One suite, run on PostgreSQL (cluster mode) and on the SQLite file (embedded mode), for every kind of state a silo keeps:
/// the grain journals, Orleans' ADO.NET grain storage (as a silo configures it) and the reminder table. Writes read back,
/// a stale writer is refused, and a restart (a new silo or store on the same database) finds what was stored.
/// </summary>
public abstract class StorageConformanceTests(StorageEngine engine)
{
    private static readonly JournalId Journal = new("event-inventory", "evt/t1", "inventory");

    /// <summary>An entry as a store holds it: one JSON document (here a string).</summary>
    private static byte[] Entry(string text) => JsonSerializer.SerializeToUtf8Bytes(text);

    private static string Text(byte[] entry) => JsonSerializer.Deserialize<string>(entry)!;

    [Fact]
    public async Task Journal_appends_are_dense_and_read_back_in_order_after_the_newest_snapshot()
    {
        var journals = await JournalsAsync(TestDatabase.UniqueId("service"));
        await journals.AppendAsync(Journal, 0, [Entry("a"), Entry("b")], null, CancellationToken.None);
        await journals.AppendAsync(Journal, 2, [Entry("c")], new JournalSnapshot(3, Entry("state after c")), CancellationToken.None);
        await journals.AppendAsync(Journal, 3, [Entry("d"), Entry("e\"],[{")], null, CancellationToken.None); // stored as one JSON array

        var stored = await journals.ReadAsync(Journal, CancellationToken.None);

        Assert.Equal((5L, 3L, "state after c"), (stored.Version, stored.SnapshotVersion, Text(stored.Snapshot!)));
        Assert.Equal(["d", "e\"],[{"], stored.Entries.Select(Text));
        Assert.Equal(StoredJournal.Empty.Version, (await journals.ReadAsync(Journal with { Key = "evt/other" }, CancellationToken.None)).Version);
    }

    [Fact]
    public async Task A_journal_append_that_does_not_extend_the_stored_version_is_a_conflict_and_stores_nothing()
    {
        var journals = await JournalsAsync(TestDatabase.UniqueId("service"));
        await journals.AppendAsync(Journal, 0, [Entry("a"), Entry("b"), Entry("c")], null, CancellationToken.None);

        // A stale activation (it read version 1) and one that thinks the journal is longer than it is.
        await Assert.ThrowsAsync<JournalConflictException>(() => journals.AppendAsync(Journal, 1, [Entry("stale")], null, CancellationToken.None));
        await Assert.ThrowsAsync<JournalConflictException>(() => journals.AppendAsync(Journal, 5, [Entry("ahead")], new JournalSnapshot(6, Entry("ahead")), CancellationToken.None));
        await Assert.ThrowsAsync<JournalConflictException>(() => journals.AppendAsync(Journal, 0, [Entry("first again")], null, CancellationToken.None));
        // A stale activation whose snapshot would land exactly where the journal ends: neither goes in.
        await Assert.ThrowsAsync<JournalConflictException>(() => journals.AppendAsync(Journal, 1, [Entry("x"), Entry("y")], new JournalSnapshot(3, Entry("stale")), CancellationToken.None));

        var stored = await journals.ReadAsync(Journal, CancellationToken.None);
        Assert.Equal(["a", "b", "c"], stored.Entries.Select(Text));
        Assert.Null(stored.Snapshot); // nor the snapshot that came with a refused append
    }

    [Fact]
    public async Task An_entry_that_is_not_one_json_document_is_refused_and_nothing_is_stored()
    {
        var journals = await JournalsAsync(TestDatabase.UniqueId("service"));

        foreach (var bad in new[] { "not json", "{\"a\":1} {\"b\":2}", "" })
            await Assert.ThrowsAsync<ArgumentException>(() =>
                journals.AppendAsync(Journal, 0, [Entry("fine"), Encoding.UTF8.GetBytes(bad)], null, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => journals.AppendAsync(Journal, 0, [], null, CancellationToken.None));

        Assert.Equal(0, (await journals.ReadAsync(Journal, CancellationToken.None)).Version);
    }

    [Fact]
    public async Task A_new_journal_store_on_the_same_database_reads_what_the_old_one_appended()
    {
        var serviceId = TestDatabase.UniqueId("service");
        await (await JournalsAsync(serviceId)).AppendAsync(Journal, 0, [Entry("kept")], null, CancellationToken.None);

        var restarted = engine.Storage.Database.Journals(serviceId);

        Assert.Equal(["kept"], (await restarted.ReadAsync(Journal, CancellationToken.None)).Entries.Select(Text));
    }

    [Fact]
    public async Task Grain_state_is_stored_as_plain_json_read_back_and_a_stale_etag_is_refused()
    {
        await using var cluster = await OneSiloAsync(TestDatabase.UniqueId("service"));
        var storage = StateStorage(cluster);
        var grainId = GrainId.Create("shopper", "evt/ann");
        var state = new GrainState<SampleState>(new SampleState { Name = "ann", Seats = 2 });
        await storage.WriteStateAsync("shopper", grainId, state);
        var first = state.ETag;
        state.State!.Seats = 3;
        await storage.WriteStateAsync("shopper", grainId, state);

        var stale = new GrainState<SampleState>(new SampleState { Name = "stale", Seats = 9 }) { ETag = first, RecordExists = true };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("shopper", grainId, stale));
        var never = new GrainState<SampleState>(new SampleState { Name = "new", Seats = 1 }); // "nothing stored yet" while something is
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("shopper", grainId, never));

        var read = new GrainState<SampleState>();
        await storage.ReadStateAsync("shopper", grainId, read);
        Assert.Equal(("ann", 3, true), (read.State!.Name, read.State.Seats, read.RecordExists));
        var payload = Encoding.UTF8.GetString(await StoredPayloadAsync(cluster.Options.ServiceId));
        Assert.Contains("\"Seats\":3", payload);
        Assert.DoesNotContain("$type", payload); // no .NET type names: a renamed state class still loads
    }

    [Fact]
    public async Task Grain_state_written_by_one_silo_is_read_by_a_new_one_after_the_cluster_restarts()
    {
        var serviceId = TestDatabase.UniqueId("service");
        var grainId = GrainId.Create("checkout", "ord_1");
        await using (var before = await OneSiloAsync(serviceId))
            await StateStorage(before).WriteStateAsync("checkout", grainId, new GrainState<SampleState>(new SampleState { Name = "paid", Seats = 4 }));

        await using var after = await OneSiloAsync(serviceId);
        var read = new GrainState<SampleState>();
        await StateStorage(after).ReadStateAsync("checkout", grainId, read);

        Assert.Equal(("paid", 4), (read.State!.Name, read.State.Seats));
    }

    [Fact]
    public async Task Reminder_rows_upsert_read_by_grain_and_by_ring_range_and_are_removed_only_with_their_etag()
    {
        var serviceId = TestDatabase.UniqueId("service");
        await using var cluster = await OneSiloAsync(serviceId);
        var reminders = cluster.Silos[0].ServiceProvider.GetRequiredService<IReminderTable>();
        var grains = Enumerable.Range(0, 40).Select(i => GrainId.Create("event-inventory", $"evt/t{i}")).ToList();
        var start = new DateTime(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);
        var etags = new Dictionary<GrainId, string>();
        foreach (var grain in grains)
            etags[grain] = (await reminders.UpsertRow(new ReminderEntry { GrainId = grain, ReminderName = "expire-holds", StartAt = start, Period = TimeSpan.FromMinutes(1) }))!;

        var moved = await reminders.UpsertRow(new ReminderEntry { GrainId = grains[0], ReminderName = "expire-holds", StartAt = start.AddMinutes(5), Period = TimeSpan.FromMinutes(2) });
        Assert.NotEqual(etags[grains[0]], moved);
        var row = await reminders.ReadRow(grains[0], "expire-holds");
        Assert.Equal((start.AddMinutes(5), TimeSpan.FromMinutes(2), moved), (row!.StartAt, row.Period, row.ETag));
        Assert.Single((await reminders.ReadRows(grains[1])).Reminders);
        Assert.Null(await reminders.ReadRow(grains[1], "no-such-reminder"));

        // The ring's ranges, (begin, end], partition every row, also the range that wraps around zero.
        var hashes = grains.Select(g => g.GetUniformHashCode()).Order().ToList();
        var split = hashes[hashes.Count / 2];
        var lower = (await reminders.ReadRows(hashes[0] - 1, split)).Reminders.Select(r => r.GrainId).ToHashSet();
        var wrapping = (await reminders.ReadRows(split, hashes[0] - 1)).Reminders.Where(r => grains.Contains(r.GrainId)).Select(r => r.GrainId).ToHashSet();
        Assert.Equal(grains.Count, lower.Count + wrapping.Count);
        Assert.Empty(lower.Intersect(wrapping));
        Assert.All(lower, g => Assert.True(g.GetUniformHashCode() <= split));

        Assert.False(await reminders.RemoveRow(grains[0], "expire-holds", etags[grains[0]])); // the etag moved on
        Assert.True(await reminders.RemoveRow(grains[0], "expire-holds", moved!));
        Assert.Null(await reminders.ReadRow(grains[0], "expire-holds"));

        await using var restarted = await OneSiloAsync(serviceId, replaces: cluster);
        var again = restarted.Silos[0].ServiceProvider.GetRequiredService<IReminderTable>();
        Assert.Equal(etags[grains[2]], (await again.ReadRow(grains[2], "expire-holds"))!.ETag);
    }

    private async Task<IJournalStore> JournalsAsync(string serviceId)
    {
        var journals = engine.Storage.Database.Journals(serviceId);
        await journals.InitializeAsync(CancellationToken.None);
        return journals;
    }

    /// <summary>One TicketFlow silo on this engine, as a Silo process (or the embedded WebFront) configures it.</summary>
    private async Task<InProcessTestCluster> OneSiloAsync(string serviceId, InProcessTestCluster? replaces = null)
    {
        if (replaces is not null) await replaces.StopAllSilosAsync();
        return await TestSilos.StartAsync(new TestSiloOptions { Silos = 1, ServiceId = serviceId, Storage = engine.Storage });
    }

    private static IGrainStorage StateStorage(InProcessTestCluster cluster) =>
        cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageProviders.State);

    private async Task<byte[]> StoredPayloadAsync(string serviceId)
    {
        await using var connection = await engine.Storage.Database.OpenAsync(CancellationToken.None);
        await using var command = DbCommands.Create(connection, null, "SELECT PayloadBinary FROM OrleansStorage WHERE ServiceId = @service", ("@service", serviceId));
        return (byte[])(await command.ExecuteScalarAsync())!;
    }

    public sealed class SampleState
    {
        public string Name { get; set; } = "";

        public int Seats { get; set; }
    }
}
