using Npgsql;
using TicketFlow.Data;

namespace TicketFlow.WebFront.Idempotency;

/// <summary>
/// Idempotency records in PostgreSQL under group commit (cluster mode): every claim, stored response and release of the
/// requests in flight on this WebFront is one statement of the next batch of the database's <see cref="CommitBatcher"/>, so a busy WebFront
/// commits them a few dozen at a time instead of one transaction each. Same table and protocol as
/// <see cref="SqlIdempotencyStore"/>; a claim and the read of the record it found are one statement here.
/// </summary>
public sealed class BatchedIdempotencyStore(SqlStoreDatabase database) : IIdempotencyStore
{
    // The claim of IdempotencySchema.Claim, and beside it the record it ran into when it claimed nothing. The SELECT sees the
    // table as the statement began: a record another WebFront committed while this claim waited for its row lock is not
    // seen (no row, read as "in progress": the caller asks again 50 ms later).
    private const string ClaimOrRead = """
        WITH claimed AS (
            INSERT INTO tf_idempotency_keys (user_id, key, request_hash, created_at_ms, expires_at_ms)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (user_id, key) DO UPDATE SET request_hash = excluded.request_hash, status_code = NULL, content_type = NULL,
                location = NULL, body = NULL, created_at_ms = excluded.created_at_ms, expires_at_ms = excluded.expires_at_ms
            WHERE tf_idempotency_keys.expires_at_ms <= $4
               OR (tf_idempotency_keys.status_code IS NULL AND tf_idempotency_keys.created_at_ms <= $6)
            RETURNING 1)
        SELECT EXISTS (SELECT FROM claimed), k.request_hash, k.status_code, k.content_type, k.location, k.body, k.created_at_ms
        FROM (SELECT 1) AS one LEFT JOIN tf_idempotency_keys AS k ON k.user_id = $1 AND k.key = $2
        """;

    private const string Complete = """
        UPDATE tf_idempotency_keys SET status_code = $3, content_type = $4, location = $5, body = $6
        WHERE user_id = $1 AND key = $2 RETURNING 1
        """;

    private const string Delete = "DELETE FROM tf_idempotency_keys WHERE user_id = $1 AND key = $2 AND status_code IS NULL RETURNING 1";

    public Task InitializeAsync(CancellationToken cancellationToken) =>
        database.MigrateAsync(IdempotencySchema.Component, IdempotencySchema.Migrations, cancellationToken);

    public Task<BeginResult> TryBeginAsync(string userId, string key, string requestHash, DateTimeOffset now, DateTimeOffset expiresAt,
        DateTimeOffset staleBefore, CancellationToken cancellationToken) =>
        database.Batcher!.WriteAsync([new SqlStatement(ClaimOrRead, userId, key, requestHash, now.ToUnixTimeMilliseconds(), expiresAt.ToUnixTimeMilliseconds(),
            staleBefore.ToUnixTimeMilliseconds())], ReadClaimAsync(requestHash), cancellationToken);

    public Task CompleteAsync(string userId, string key, StoredResponse response, CancellationToken cancellationToken) =>
        database.Batcher!.WriteAsync(new SqlStatement(Complete, userId, key, response.StatusCode, response.ContentType, response.Location, response.Body)).WaitAsync(cancellationToken);

    public Task AbandonAsync(string userId, string key, CancellationToken cancellationToken) =>
        database.Batcher!.WriteAsync(new SqlStatement(Delete, userId, key)).WaitAsync(cancellationToken);

    private static Func<NpgsqlDataReader, CancellationToken, Task<BeginResult>> ReadClaimAsync(string requestHash) => async (reader, cancellationToken) =>
    {
        await reader.ReadAsync(cancellationToken); // always one row
        if (reader.GetBoolean(0)) return new BeginResult(BeginOutcome.Began);
        if (reader.IsDBNull(1)) return new BeginResult(BeginOutcome.InProgress); // released or committed meanwhile: ask again
        if (reader.GetString(1) != requestHash) return new BeginResult(BeginOutcome.Mismatch);
        if (reader.IsDBNull(2)) return new BeginResult(BeginOutcome.InProgress, ClaimedAt: DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)));
        return new BeginResult(BeginOutcome.Completed, new StoredResponse(
            reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4), (byte[])reader[5]));
    };

}
