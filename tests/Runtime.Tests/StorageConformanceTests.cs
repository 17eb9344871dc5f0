using System.Text;
using TicketFlow.Runtime.Reminders;
using TicketFlow.Runtime.Storage;
using TicketFlow.Runtime.Testing;

namespace TicketFlow.Runtime.Tests;

/// <summary>The contract every grain storage and reminder table provider must meet. Run against PostgreSQL and SQLite.</summary>
public abstract class StorageConformanceTests : IAsyncLifetime
{
    private readonly string serviceId = TestDatabase.UniqueId("svc");
    protected IGrainStorage Storage { get; private set; } = null!;
    protected IReminderTable Reminders { get; private set; } = null!;

    protected abstract Task<(IGrainStorage, IReminderTable)> CreateAsync(string serviceId);

    public async Task InitializeAsync()
    {
        (Storage, Reminders) = await CreateAsync(serviceId);
        await Storage.InitializeAsync(CancellationToken.None);
        await Storage.InitializeAsync(CancellationToken.None); // migrating twice is a no-op
        await Reminders.InitializeAsync(CancellationToken.None);
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private Task Append(string key, long expected, params string[] entries) =>
        Storage.AppendJournalAsync("tier", key, "journal", expected, entries.Select(Bytes).ToList(), null, CancellationToken.None);

    private async Task<List<string>> ReadEntries(string key) =>
        (await Storage.ReadJournalAsync("tier", key, "journal", CancellationToken.None)).Entries.Select(e => Encoding.UTF8.GetString(e)).ToList();

    [Fact]
    public async Task Journal_entries_read_back_in_order_across_appends()
    {
        Assert.Equal(0, (await Storage.ReadJournalAsync("tier", "j", "journal", CancellationToken.None)).Version);
        await Append("j", 0, "a", "b");
        await Append("j", 2, "c");
        var journal = await Storage.ReadJournalAsync("tier", "j", "journal", CancellationToken.None);
        Assert.Equal(3, journal.Version);
        Assert.Equal(["a", "b", "c"], await ReadEntries("j"));
    }

    [Fact]
    public async Task A_journal_append_at_a_stale_or_future_version_is_rejected_and_changes_nothing()
    {
        await Append("stale", 0, "a", "b");
        await Assert.ThrowsAsync<InconsistentStateException>(() => Append("stale", 1, "late"));
        await Assert.ThrowsAsync<InconsistentStateException>(() => Append("stale", 0, "again"));
        await Assert.ThrowsAsync<InconsistentStateException>(() => Append("stale", 5, "gap"));
        Assert.Equal(["a", "b"], await ReadEntries("stale"));
    }

    [Fact]
    public async Task Of_concurrent_journal_appenders_at_one_version_exactly_one_wins()
    {
        await Append("race", 0, "base");
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 12).Select(async i =>
        {
            try { await Append("race", 1, $"w{i}", $"x{i}"); return true; }
            catch (InconsistentStateException) { return false; }
        }));
        Assert.Single(outcomes, won => won);
        Assert.Equal(3, (await ReadEntries("race")).Count);
    }

    [Fact]
    public async Task A_snapshot_stands_for_the_entries_it_covers_and_the_journal_keeps_them_all()
    {
        await Append("snap", 0, "a", "b");
        await Storage.AppendJournalAsync("tier", "snap", "journal", 2, [Bytes("c"), Bytes("d")], new JournalSnapshot(3, Bytes("state-after-3")), CancellationToken.None);
        var journal = await Storage.ReadJournalAsync("tier", "snap", "journal", CancellationToken.None);
        Assert.Equal("state-after-3", Encoding.UTF8.GetString(journal.Snapshot!));
        Assert.Equal(3, journal.SnapshotVersion);
        Assert.Equal(["d"], journal.Entries.Select(e => Encoding.UTF8.GetString(e)));
        Assert.Equal(4, journal.Version);
        await Assert.ThrowsAsync<InconsistentStateException>(() => Append("snap", 2, "stale-after-snapshot"));
    }

    [Fact]
    public async Task Reading_a_grain_never_written_returns_nothing()
    {
        Assert.Null(await Storage.ReadAsync("counter", "k", "state", CancellationToken.None));
    }

    [Fact]
    public async Task Writes_advance_the_version_and_read_back()
    {
        Assert.Equal(1, await Storage.WriteAsync("counter", "k", "state", Bytes("one"), 0, CancellationToken.None));
        Assert.Equal(2, await Storage.WriteAsync("counter", "k", "state", Bytes("two"), 1, CancellationToken.None));
        var stored = await Storage.ReadAsync("counter", "k", "state", CancellationToken.None);
        Assert.Equal(2, stored!.Version);
        Assert.Equal("two", Encoding.UTF8.GetString(stored.Payload!));
    }

    [Fact]
    public async Task A_write_with_a_stale_version_is_rejected_and_changes_nothing()
    {
        await Storage.WriteAsync("counter", "k", "state", Bytes("one"), 0, CancellationToken.None);
        await Storage.WriteAsync("counter", "k", "state", Bytes("two"), 1, CancellationToken.None);
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteAsync("counter", "k", "state", Bytes("stale"), 1, CancellationToken.None));
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteAsync("counter", "k", "state", Bytes("fresh"), 0, CancellationToken.None));
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteAsync("counter", "k", "state", Bytes("ahead"), 7, CancellationToken.None));
        Assert.Equal("two", Encoding.UTF8.GetString((await Storage.ReadAsync("counter", "k", "state", CancellationToken.None))!.Payload!));
    }

    [Fact]
    public async Task Of_concurrent_writers_at_one_version_exactly_one_wins()
    {
        await Storage.WriteAsync("counter", "race", "state", Bytes("base"), 0, CancellationToken.None);
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 16).Select(async i =>
        {
            try { await Storage.WriteAsync("counter", "race", "state", Bytes($"w{i}"), 1, CancellationToken.None); return true; }
            catch (InconsistentStateException) { return false; }
        }));
        Assert.Single(outcomes, won => won);
        Assert.Equal(2, (await Storage.ReadAsync("counter", "race", "state", CancellationToken.None))!.Version);
    }

    [Fact]
    public async Task Clearing_keeps_a_tombstone_so_versions_never_go_back()
    {
        await Storage.WriteAsync("counter", "k", "state", Bytes("one"), 0, CancellationToken.None);
        Assert.Equal(2, await Storage.ClearAsync("counter", "k", "state", 1, CancellationToken.None));
        var cleared = await Storage.ReadAsync("counter", "k", "state", CancellationToken.None);
        Assert.False(cleared!.Exists);
        Assert.Equal(2, cleared.Version);
        // An activation that read "nothing" before the first write cannot resurrect the grain.
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteAsync("counter", "k", "state", Bytes("zombie"), 0, CancellationToken.None));
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.ClearAsync("counter", "k", "state", 1, CancellationToken.None));
        Assert.Equal(3, await Storage.WriteAsync("counter", "k", "state", Bytes("again"), 2, CancellationToken.None));
    }

    [Fact]
    public async Task Grain_type_key_and_state_name_each_separate_records()
    {
        await Storage.WriteAsync("counter", "k", "state", Bytes("a"), 0, CancellationToken.None);
        await Storage.WriteAsync("counter", "k", "other", Bytes("b"), 0, CancellationToken.None);
        await Storage.WriteAsync("counter", "k2", "state", Bytes("c"), 0, CancellationToken.None);
        await Storage.WriteAsync("inventory", "k", "state", Bytes("d"), 0, CancellationToken.None);
        Assert.Equal("b", Encoding.UTF8.GetString((await Storage.ReadAsync("counter", "k", "other", CancellationToken.None))!.Payload!));
        Assert.Equal("d", Encoding.UTF8.GetString((await Storage.ReadAsync("inventory", "k", "state", CancellationToken.None))!.Payload!));
    }

    [Fact]
    public async Task Services_do_not_see_each_others_state()
    {
        await Storage.WriteAsync("counter", "shared-key", "state", Bytes("mine"), 0, CancellationToken.None);
        var (other, _) = await CreateAsync(TestDatabase.UniqueId("svc"));
        Assert.Null(await other.ReadAsync("counter", "shared-key", "state", CancellationToken.None));
    }

    [Fact]
    public async Task Reminders_are_upserted_read_when_due_advanced_once_and_removed()
    {
        await Reminders.UpsertAsync(new ReminderEntry("probe", "a", "tick", 1_000, 500), CancellationToken.None);
        await Reminders.UpsertAsync(new ReminderEntry("probe", "b", "tick", 5_000, 500), CancellationToken.None);
        await Reminders.UpsertAsync(new ReminderEntry("probe", "a", "tick", 2_000, 700), CancellationToken.None); // update, not a second row

        var due = await Reminders.ReadDueAsync(3_000, 100, CancellationToken.None);
        var entry = Assert.Single(due);
        Assert.Equal(new ReminderEntry("probe", "a", "tick", 2_000, 700), entry);

        Assert.True(await Reminders.AdvanceAsync(entry, 2_700, CancellationToken.None));
        Assert.False(await Reminders.AdvanceAsync(entry, 2_700, CancellationToken.None)); // a second firer lost the race
        Assert.Empty(await Reminders.ReadDueAsync(2_699, 100, CancellationToken.None));
        Assert.Equal(2, (await Reminders.ReadDueAsync(10_000, 100, CancellationToken.None)).Count);

        Assert.True(await Reminders.RemoveAsync("probe", "a", "tick", CancellationToken.None));
        Assert.Empty(await Reminders.ReadForGrainAsync("probe", "a", CancellationToken.None));
        Assert.Single(await Reminders.ReadForGrainAsync("probe", "b", CancellationToken.None));
    }
}

public sealed class PostgresStorageConformanceTests : StorageConformanceTests
{
    protected override async Task<(IGrainStorage, IReminderTable)> CreateAsync(string serviceId)
    {
        var dataSource = await TestDatabase.DataSourceAsync();
        return (new PostgresGrainStorage(dataSource, serviceId), new PostgresReminderTable(dataSource, serviceId));
    }
}

public sealed class SqliteStorageConformanceTests : StorageConformanceTests
{
    private readonly string path = Path.Combine(Path.GetTempPath(), $"tf-{Guid.NewGuid():N}.db");

    protected override async Task<(IGrainStorage, IReminderTable)> CreateAsync(string serviceId)
    {
        var database = new SqliteDatabase(path);
        var storage = new SqliteGrainStorage(database, serviceId);
        await storage.InitializeAsync(CancellationToken.None);
        return (storage, new SqliteReminderTable(database, serviceId));
    }

    public override Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path) + "*")) File.Delete(file);
        return Task.CompletedTask;
    }
}
