using Npgsql;
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
        batcher.WriteAsync($"INSERT INTO {table} (id, value) VALUES ($1, $2) RETURNING id", [new NpgsqlParameter { Value = id }, new NpgsqlParameter { Value = (object?)value ?? DBNull.Value }],
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
        batcher.WriteAsync("SELECT pg_sleep(0.3)", [], (_, _) => Task.FromResult(0));

    [Fact]
    public async Task Writes_queued_together_commit_in_one_transaction_and_each_caller_gets_its_own_result_once_it_is_durable()
    {
        await using var batcher = new CommitBatcher(dataSource, writers: 1);
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
        await using var batcher = new CommitBatcher(dataSource, writers: 1);
        var busy = OccupyTheWriter(batcher);
        var inserts = Enumerable.Range(1, 20).Select(id => Insert(batcher, id, id == 7 ? null : $"v{id}")).ToArray(); // 7 breaks NOT NULL

        var outcomes = await Task.WhenAll(inserts.Select(async insert => await Record.ExceptionAsync(() => insert)));
        await busy;

        Assert.IsType<PostgresException>(outcomes[6]);
        Assert.All(outcomes.Where((_, i) => i != 6), Assert.Null);
        Assert.Equal(Enumerable.Range(1, 20).Where(id => id != 7), await StoredIds());
    }

    [Fact]
    public async Task A_batcher_disposed_commits_what_was_queued_and_refuses_what_comes_after()
    {
        var batcher = new CommitBatcher(dataSource);
        var queued = Enumerable.Range(1, 10).Select(id => Insert(batcher, id, "v")).ToArray();

        await batcher.DisposeAsync();

        Assert.Equal(Enumerable.Range(1, 10), await Task.WhenAll(queued));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Insert(batcher, 11, "v"));
        Assert.Equal(Enumerable.Range(1, 10), await StoredIds());
    }
}
