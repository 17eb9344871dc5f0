using System.Data.Common;
using Npgsql;
using TicketFlow.Data.Journal;

namespace TicketFlow.Data;

/// <summary>
/// Where TicketFlow's own tables live (journals, users, catalog, orders, payments): connections and schema migrations on
/// PostgreSQL (cluster mode) or on the SQLite file (embedded mode). Most stores use the same SQL on both.
/// </summary>
public sealed class SqlStoreDatabase
{
    private SqlStoreDatabase(NpgsqlDataSource? postgreSql, SqliteDatabase? sqlite)
    {
        PostgreSqlSource = postgreSql;
        SqliteFile = sqlite;
        Batcher = postgreSql is null ? null : new CommitBatcher(postgreSql);
    }

    /// <summary>For the few statements that differ (full-text search, batched appends); everything else is the same SQL on both.</summary>
    public bool IsPostgreSql => PostgreSqlSource is not null;

    public NpgsqlDataSource? PostgreSqlSource { get; }

    public SqliteDatabase? SqliteFile { get; }

    /// <summary>PostgreSQL only: group commit for the writes of every journal and request record of this process on this database.</summary>
    public CommitBatcher? Batcher { get; }

    public static SqlStoreDatabase PostgreSql(NpgsqlDataSource dataSource) => new(dataSource, null);

    public static SqlStoreDatabase Sqlite(SqliteDatabase database) => new(null, database);

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => PostgreSqlSource is { } postgres
        ? await postgres.OpenConnectionAsync(cancellationToken)
        : await SqliteFile!.OpenAsync(cancellationToken);

    /// <summary>A connection opened synchronously, for interfaces that cannot await (Data Protection's key repository); prefer <see cref="OpenAsync"/>.</summary>
    public DbConnection Open() => PostgreSqlSource is { } postgres ? postgres.OpenConnection() : SqliteFile!.Open();

    /// <summary>Applies the component's missing migrations, once, under a lock (an advisory lock on PostgreSQL; SQLite has one writer).</summary>
    public async Task MigrateAsync(string component, IReadOnlyList<Migration> migrations, CancellationToken cancellationToken)
    {
        if (SqliteFile is { } sqlite)
        {
            await sqlite.MigrateAsync(component, migrations, cancellationToken);
            return;
        }
        await using var connection = await PostgreSqlSource!.OpenConnectionAsync(cancellationToken);
        await SchemaMigrator.ApplyAsync(connection, component, migrations, SchemaMigrator.PostgresLock, cancellationToken);
    }

    /// <summary>The grain journals in this database, partitioned by <paramref name="serviceId"/>.</summary>
    public IJournalStore Journals(string serviceId) => PostgreSqlSource is { } postgres
        ? new PostgresJournalStore(postgres, serviceId, Batcher)
        : new SqliteJournalStore(SqliteFile!, serviceId);
}
