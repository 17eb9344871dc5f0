using Microsoft.Data.Sqlite;
using Npgsql;
using TicketFlow.Data.Orleans;
using TicketFlow.Testing;

namespace TicketFlow.Data.Tests;

/// <summary>A database of the pre-Orleans runtime is refused with one message saying what to do; anything else passes.</summary>
public sealed class LegacyRuntimeCheckTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("tf-legacy-").FullName;

    private const string OldRuntimeTables = """
        CREATE TABLE tf_schema_migrations (component TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (component, version));
        INSERT INTO tf_schema_migrations (component, version) VALUES ('runtime', 1), ('runtime', 2), ('orders', 1);
        CREATE TABLE tf_grain_state (service_id TEXT NOT NULL, payload BLOB NULL);
        """;

    [Fact]
    public async Task An_old_runtime_SQLite_file_is_refused_with_what_to_do_and_a_new_one_passes()
    {
        var old = new SqliteDatabase(Path.Combine(folder, "old.db"));
        await using (var connection = await old.OpenAsync(CancellationToken.None))
        await using (var command = DbCommands.Create(connection, null, OldRuntimeTables))
            await command.ExecuteNonQueryAsync();
        var fresh = SqlStoreDatabase.Sqlite(new SqliteDatabase(Path.Combine(folder, "new.db")));

        var refused = await Assert.ThrowsAsync<LegacyDatabaseException>(() => LegacyRuntimeCheck.ThrowIfOldRuntimeAsync(SqlStoreDatabase.Sqlite(old), CancellationToken.None));
        await LegacyRuntimeCheck.ThrowIfOldRuntimeAsync(fresh, CancellationToken.None);
        await OrleansSchema.MigrateAsync(fresh, CancellationToken.None); // the new schema is not mistaken for the old one
        await LegacyRuntimeCheck.ThrowIfOldRuntimeAsync(fresh, CancellationToken.None);

        Assert.Contains(old.Path, refused.Message);
        Assert.Contains("delete", refused.Message);
    }

    [Fact]
    public async Task An_old_runtime_PostgreSQL_database_is_refused_with_what_to_do()
    {
        await using var dataSource = NpgsqlDataSource.Create(await TestDatabase.CreateDatabaseAsync("tf_legacy"));
        var database = SqlStoreDatabase.PostgreSql(dataSource);
        await LegacyRuntimeCheck.ThrowIfOldRuntimeAsync(database, CancellationToken.None); // empty: fine
        await using (var command = dataSource.CreateCommand(OldRuntimeTables.Replace("BLOB", "BYTEA")))
            await command.ExecuteNonQueryAsync();

        var refused = await Assert.ThrowsAsync<LegacyDatabaseException>(() => LegacyRuntimeCheck.ThrowIfOldRuntimeAsync(database, CancellationToken.None));

        Assert.Contains("TICKETFLOW_POSTGRES", refused.Message);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }
}
