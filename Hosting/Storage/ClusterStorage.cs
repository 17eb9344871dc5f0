using System.Data.Common;
using Npgsql;
using TicketFlow.Data;

namespace TicketFlow.Hosting.Storage;

/// <summary>
/// Where a silo keeps everything durable: PostgreSQL (cluster mode) or the embedded SQLite file. Orleans' ADO.NET grain
/// storage and TicketFlow's own tables (journals, orders, payments, reminders when embedded) share it.
/// </summary>
public sealed class ClusterStorage
{
    private ClusterStorage(SqlStoreDatabase database, string invariant, DbDataSource? dataSource, string? connectionString)
    {
        Database = database;
        Invariant = invariant;
        DataSource = dataSource;
        ConnectionString = connectionString;
    }

    public SqlStoreDatabase Database { get; }

    /// <summary>Orleans' ADO.NET invariant: <c>Npgsql</c>, or <c>System.Data.SQLite</c> (which Orleans loads as Microsoft.Data.Sqlite).</summary>
    public string Invariant { get; }

    /// <summary>PostgreSQL: the one connection pool every part of the silo shares.</summary>
    public DbDataSource? DataSource { get; }

    /// <summary>SQLite: Orleans opens its own connections to the file.</summary>
    public string? ConnectionString { get; }

    public static ClusterStorage PostgreSql(NpgsqlDataSource dataSource) => new(SqlStoreDatabase.PostgreSql(dataSource), "Npgsql", dataSource, null);

    public static ClusterStorage Sqlite(SqliteDatabase file) => new(SqlStoreDatabase.Sqlite(file), "System.Data.SQLite", null, file.ConnectionString);
}
