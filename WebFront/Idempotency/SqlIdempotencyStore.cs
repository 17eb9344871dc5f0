using TicketFlow.Data;

namespace TicketFlow.WebFront.Idempotency;

/// <summary>Idempotency records in PostgreSQL (cluster mode) or SQLite (embedded mode): the same SQL on both.</summary>
public sealed class SqlIdempotencyStore(SqlStoreDatabase database) : IIdempotencyStore
{
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await database.MigrateAsync(IdempotencySchema.Component, IdempotencySchema.Migrations, cancellationToken);
        if (database.IsPostgreSql) return; // shared by every WebFront: another one's claims may be alive
        await using var connection = await database.OpenAsync(cancellationToken);
        await DbCommands.ExecuteAsync(connection, null, IdempotencySchema.DeleteUnfinished, cancellationToken);
    }

    public async Task<BeginResult> TryBeginAsync(string userId, string key, string requestHash, DateTimeOffset now, DateTimeOffset expiresAt,
        DateTimeOffset staleBefore, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await IdempotencySchema.TryBeginAsync(connection, userId, key, requestHash, now, expiresAt, staleBefore, cancellationToken);
    }

    public async Task CompleteAsync(string userId, string key, StoredResponse response, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await DbCommands.ExecuteAsync(connection, null, IdempotencySchema.Complete, cancellationToken,
            ("@status", response.StatusCode), ("@type", response.ContentType), ("@location", response.Location), ("@body", response.Body),
            ("@user", userId), ("@key", key));
    }

    public async Task AbandonAsync(string userId, string key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await DbCommands.ExecuteAsync(connection, null, IdempotencySchema.Delete, cancellationToken, ("@user", userId), ("@key", key));
    }
}
