using System.Data.Common;

namespace TicketFlow.Data;

/// <summary>One numbered schema step of a component. Steps are applied once, in order, and never edited.</summary>
public sealed record Migration(int Version, string Sql);

/// <summary>Applies missing migrations of a component, recording them in <c>tf_schema_migrations</c>.</summary>
public static class SchemaMigrator
{
    /// <summary>One lock for every component on PostgreSQL: they share <c>tf_schema_migrations</c>, whose creation must not race.</summary>
    public const string PostgresLock = "SELECT pg_advisory_xact_lock(7261000)";

    /// <param name="lockSql">Serializes concurrent migrators (an advisory lock on PostgreSQL); runs inside the transaction.</param>
    public static async Task ApplyAsync(DbConnection connection, string component, IReadOnlyList<Migration> migrations, string? lockSql, CancellationToken cancellationToken)
    {
        // Lock first: two processes racing through CREATE TABLE IF NOT EXISTS can still collide on PostgreSQL.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (lockSql is not null) await Execute(connection, transaction, lockSql, cancellationToken);
        await Execute(connection, transaction,
            "CREATE TABLE IF NOT EXISTS tf_schema_migrations (component TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (component, version))", cancellationToken);

        var applied = new HashSet<int>();
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = $"SELECT version FROM tf_schema_migrations WHERE component = '{component}'";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) applied.Add(reader.GetInt32(0));
        }
        foreach (var migration in migrations.OrderBy(m => m.Version).Where(m => !applied.Contains(m.Version)))
        {
            await Execute(connection, transaction, migration.Sql, cancellationToken);
            await Execute(connection, transaction, $"INSERT INTO tf_schema_migrations (component, version) VALUES ('{component}', {migration.Version})", cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task Execute(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
