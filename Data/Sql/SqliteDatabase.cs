using Microsoft.Data.Sqlite;

namespace TicketFlow.Data;

/// <summary>An embedded SQLite database file: WAL journal, full sync, pooled connections.</summary>
public sealed class SqliteDatabase(string path)
{
    private readonly string connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    public string Path => path;

    /// <summary>For components that open their own connections (Orleans' ADO.NET grain storage).</summary>
    public string ConnectionString => connectionString;

    private const string ConnectionPragmas = "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 30000;";

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = ConnectionPragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    /// <summary>For the few callers that cannot await (ASP.NET Core's synchronous key repository interface).</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = ConnectionPragmas;
        command.ExecuteNonQuery();
        return connection;
    }

    public async Task MigrateAsync(string component, IReadOnlyList<Migration> migrations, CancellationToken cancellationToken)
    {
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        await using var connection = await OpenAsync(cancellationToken);
        await using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }
        await SchemaMigrator.ApplyAsync(connection, component, migrations, lockSql: null, cancellationToken);
    }
}
