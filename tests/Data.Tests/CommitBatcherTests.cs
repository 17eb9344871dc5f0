using Npgsql;
using TicketFlow.Data.Journal;
using TicketFlow.Testing;

namespace TicketFlow.Data.Tests;

/// <summary>Group commit of independent writes on a real PostgreSQL: each caller gets its own result, after the commit.</summary>
public sealed class CommitBatcherTests : IAsyncLifetime
{
    private readonly string table = $"tf_batcher_test_{Guid.NewGuid():N}";
    private NpgsqlDataSource dataSource = null!;

    public async Task InitializeAsync()
    {
        dataSource = await TestDatabase.DataSourceAsync();
        await using var create = dataSource.CreateCommand($"CREATE TABLE {table} (id INTEGER PRIMARY KEY, value TEXT NOT NULL)");
        await create.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        await using var drop = dataSource.CreateCommand($"DROP TABLE {table}");
        await drop.ExecuteNonQueryAsync();
    }

    private Task<int> Insert(CommitBatcher batcher, int id, string? value) =>
        batcher.WriteAsync([new SqlStatement($"INSERT INTO {table} (id, value) VALUES ($1, $2) RETURNING id", id, value)],
            async (reader, cancellationToken) => await reader.ReadAsync(cancellationToken) ? reader.GetInt32(0) : -1);

    private async Task<int[]> StoredIds()
    {
        await using var select = dataSource.CreateCommand($"SELECT id FROM {table} ORDER BY id"); // another connection: only committed rows
        await using var reader = await select.ExecuteReaderAsync();
        var ids = new List<int>();
        while (await reader.ReadAsync()) ids.Add(reader.GetInt32(0));
        return [.. ids];
    }

    /// <summary>While one write is being committed, the writes queued behind it form the next batch.</summary>
    private Task OccupyTheWriter(CommitBatcher batcher) =>
        batcher.WriteAsync(new SqlStatement("SELECT pg_sleep(0.3)"));

    [Fact]
    public async Task Writes_queued_together_commit_in_one_transaction_and_each_caller_gets_its_own_result_once_it_is_durable()
    {
        var batcher = new CommitBatcher(dataSource, maxWriters: 1);
        var busy = OccupyTheWriter(batcher);
        var inserts = Enumerable.Range(1, 100).Select(id => Insert(batcher, id, $"v{id}")).ToArray();

        var results = await Task.WhenAll(inserts);
        await busy;

        Assert.Equal(Enumerable.Range(1, 100), results);
        Assert.Equal(Enumerable.Range(1, 100), await StoredIds()); // every acknowledged write is visible to everyone
        Assert.True(batcher.Commits <= 3, $"{batcher.Commits} commits for 101 writes"); // the busy one, then at most two batches
    }

    [Fact]
    public async Task A_write_that_fails_fails_only_its_caller_and_the_rest_of_its_batch_commits()
    {
        var batcher = new CommitBatcher(dataSource, maxWriters: 1);
        var busy = OccupyTheWriter(batcher);
        var inserts = Enumerable.Range(1, 20).Select(id => Insert(batcher, id, id == 7 ? null : $"v{id}")).ToArray(); // 7 breaks NOT NULL

        var outcomes = await Task.WhenAll(inserts.Select(async insert => await Record.ExceptionAsync(() => insert)));
        await busy;

        Assert.IsType<PostgresException>(outcomes[6]);
        Assert.All(outcomes.Where((_, i) => i != 6), Assert.Null);
        Assert.Equal(Enumerable.Range(1, 20).Where(id => id != 7), await StoredIds());
    }

    [Fact]
    public async Task The_statements_of_one_write_commit_together_or_not_at_all()
    {
        var batcher = new CommitBatcher(dataSource, maxWriters: 1);
        var busy = OccupyTheWriter(batcher);
        var pair = batcher.WriteAsync(new SqlStatement($"INSERT INTO {table} (id, value) VALUES (1, 'a') RETURNING id"),
            new SqlStatement($"INSERT INTO {table} (id, value) VALUES (2, NULL)")); // its second statement is refused
        var single = Insert(batcher, 3, "c");

        await Assert.ThrowsAsync<PostgresException>(() => pair);
        Assert.Equal(3, await single);
        await busy;
        Assert.Equal(new[] { 3 }, await StoredIds()); // not row 1 either
    }

    [Fact]
    public async Task Appends_of_many_journals_share_a_commit_and_a_stale_one_among_them_is_refused_alone()
    {
        var batcher = new CommitBatcher(dataSource, maxWriters: 1);
        var journals = new PostgresJournalStore(dataSource, TestDatabase.UniqueId("service"), batcher);
        await journals.InitializeAsync(CancellationToken.None);
        JournalId Tier(int i) => new("event-inventory", $"evt/t{i}", "inventory");
        byte[] Entry(string text) => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(text);
        await journals.AppendAsync(Tier(0), 0, [Entry("first")], null, CancellationToken.None);

        var commitsBefore = batcher.Commits;
        var busy = OccupyTheWriter(batcher);
        var appends = Enumerable.Range(1, 20).Select(i => journals.AppendAsync(Tier(i), 0, [Entry($"hold {i}")], null, CancellationToken.None)).ToList();
        var stale = journals.AppendAsync(Tier(0), 0, [Entry("from an activation that never saw 'first'")], null, CancellationToken.None);

        await Assert.ThrowsAsync<JournalConflictException>(() => stale);
        await Task.WhenAll(appends);
        await busy;

        foreach (var i in Enumerable.Range(1, 20)) Assert.Equal(1, (await journals.ReadAsync(Tier(i), CancellationToken.None)).Version);
        Assert.Equal(1, (await journals.ReadAsync(Tier(0), CancellationToken.None)).Version);
        Assert.True(batcher.Commits - commitsBefore <= 3, $"{batcher.Commits - commitsBefore} commits for 22 writes");
    }
}
