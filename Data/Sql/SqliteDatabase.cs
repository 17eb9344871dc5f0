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

    private bool fileCreated;

    /// <summary>For components that open their own connections (Orleans' ADO.NET grain storage).</summary>
    public string ConnectionString => connectionString;

    private const string ConnectionPragmas = "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 30000;";

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        CreateFileOnce();
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
        CreateFileOnce();
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = ConnectionPragmas;
        command.ExecuteNonQuery();
        return connection;
    }

    // SQLite gives the -wal and -shm files the database file's mode: creating that one private keeps all three private.
    private void CreateFileOnce()
    {
        if (fileCreated) return;
        PrivateFiles.TryCreate(path, []);
        fileCreated = true;
    }

    public async Task MigrateAsync(string component, IReadOnlyList<Migration> migrations, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }
        await SchemaMigrator.ApplyAsync(connection, component, migrations, lockSql: null, cancellationToken);
    }
}
