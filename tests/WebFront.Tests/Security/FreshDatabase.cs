using Npgsql;
using TicketFlow.Data;
using TicketFlow.Testing;

namespace TicketFlow.WebFront.Tests.Security;

/// <summary>
/// A new, empty PostgreSQL database on the test server, dropped on dispose. The key ring table has no cluster or service
/// column (one ring per database), so tests that count keys need a database nobody else writes to.
/// </summary>
public sealed class FreshDatabase : IAsyncDisposable
{
    private readonly string server;
    private readonly string name;

    private FreshDatabase(string server, string name)
    {
        this.server = server;
        this.name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        DataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    public SqlStoreDatabase Store => SqlStoreDatabase.PostgreSql(DataSource);

    public static async Task<FreshDatabase> CreateAsync()
    {
        var server = await TestDatabase.ConnectionStringAsync();
        var name = $"tf_test_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return new FreshDatabase(server, name);
    }

    /// <summary>The names of the rows in <c>tf_dataprotection_keys</c> that hold keys (<c>key-{id}</c>), none if the table does not exist.</summary>
    public async Task<IReadOnlyList<string>> KeyNamesAsync()
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        await using var exists = new NpgsqlCommand("SELECT to_regclass('tf_dataprotection_keys') IS NOT NULL", connection);
        if (!(bool)(await exists.ExecuteScalarAsync())!) return [];
        await using var command = new NpgsqlCommand("SELECT name FROM tf_dataprotection_keys WHERE name LIKE 'key-%' ORDER BY name", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var names = new List<string>();
        while (await reader.ReadAsync()) names.Add(reader.GetString(0));
        return names;
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
