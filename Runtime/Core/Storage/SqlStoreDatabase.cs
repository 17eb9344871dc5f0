using System.Data.Common;
using Npgsql;

namespace TicketFlow.Runtime.Storage;

/// <summary>Where an application store's tables live (users, catalog, orders, payments): connections and schema migrations on PostgreSQL or on the SQLite file.</summary>
public sealed class SqlStoreDatabase
{
    private readonly Func<CancellationToken, Task<DbConnection>> open;
    private readonly Func<DbConnection> openSynchronously;
    private readonly Func<string, IReadOnlyList<Migration>, CancellationToken, Task> migrate;

    private SqlStoreDatabase(bool isPostgreSql, Func<CancellationToken, Task<DbConnection>> open, Func<DbConnection> openSynchronously,
        Func<string, IReadOnlyList<Migration>, CancellationToken, Task> migrate)
    {
        IsPostgreSql = isPostgreSql;
        this.open = open;
        this.openSynchronously = openSynchronously;
        this.migrate = migrate;
    }

    /// <summary>For the few statements that differ (full-text search); everything else is the same SQL on both.</summary>
    public bool IsPostgreSql { get; }

    public static SqlStoreDatabase PostgreSql(NpgsqlDataSource dataSource) => new(true,
        async ct => await dataSource.OpenConnectionAsync(ct),
        dataSource.OpenConnection,
        async (component, migrations, ct) =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await SchemaMigrator.ApplyAsync(connection, component, migrations, SchemaMigrator.PostgresLock, ct);
        });

    public static SqlStoreDatabase Sqlite(SqliteDatabase database) => new(false,
        async ct => await database.OpenAsync(ct),
        database.Open,
        database.MigrateAsync);

    public Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => open(cancellationToken);

    /// <summary>A connection opened synchronously, for interfaces that cannot await (Data Protection's key repository); prefer <see cref="OpenAsync"/>.</summary>
    public DbConnection Open() => openSynchronously();

    public Task MigrateAsync(string component, IReadOnlyList<Migration> migrations, CancellationToken cancellationToken) =>
        migrate(component, migrations, cancellationToken);
}
