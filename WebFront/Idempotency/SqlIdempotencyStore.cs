using System.Data.Common;
using Npgsql;
using TicketFlow.Runtime.Storage;

namespace TicketFlow.WebFront.Idempotency;

/// <summary>Idempotency records in PostgreSQL (cluster mode) or SQLite (embedded mode): the same SQL on both.</summary>
public sealed class SqlIdempotencyStore : IIdempotencyStore
{
    private readonly Func<CancellationToken, Task<DbConnection>> open;
    private readonly Func<DbConnection, CancellationToken, Task> migrate;

    private SqlIdempotencyStore(Func<CancellationToken, Task<DbConnection>> open, Func<DbConnection, CancellationToken, Task> migrate)
    {
        this.open = open;
        this.migrate = migrate;
    }

    public static SqlIdempotencyStore PostgreSql(NpgsqlDataSource dataSource) => new(
        async ct => await dataSource.OpenConnectionAsync(ct),
        (connection, ct) => SchemaMigrator.ApplyAsync(connection, IdempotencySchema.Component, IdempotencySchema.Migrations, SchemaMigrator.PostgresLock, ct));

    public static SqlIdempotencyStore Sqlite(SqliteDatabase database) => new(
        async ct => await database.OpenAsync(ct),
        (_, ct) => database.MigrateAsync(IdempotencySchema.Component, IdempotencySchema.Migrations, ct));

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await open(cancellationToken);
        await migrate(connection, cancellationToken);
    }

    public async Task<BeginResult> TryBeginAsync(string userId, string key, string requestHash, DateTimeOffset now, DateTimeOffset expiresAt,
        DateTimeOffset staleBefore, CancellationToken cancellationToken)
    {
        await using var connection = await open(cancellationToken);
        return await IdempotencySchema.TryBeginAsync(connection, userId, key, requestHash, now, expiresAt, staleBefore, cancellationToken);
    }

    public async Task CompleteAsync(string userId, string key, StoredResponse response, CancellationToken cancellationToken)
    {
        await using var connection = await open(cancellationToken);
        await DbCommands.ExecuteAsync(connection, null, IdempotencySchema.Complete, cancellationToken,
            ("@status", response.StatusCode), ("@type", response.ContentType), ("@location", response.Location), ("@body", response.Body),
            ("@user", userId), ("@key", key));
    }

    public async Task AbandonAsync(string userId, string key, CancellationToken cancellationToken)
    {
        await using var connection = await open(cancellationToken);
        await DbCommands.ExecuteAsync(connection, null, IdempotencySchema.Delete, cancellationToken, ("@user", userId), ("@key", key));
    }
}
