using System.Data.Common;
using TicketFlow.Data;

namespace TicketFlow.WebFront.Idempotency;

internal static class IdempotencySchema
{
    public const string Component = "idempotency";

    public static readonly Migration[] Migrations =
    [
        new(1, """
            CREATE TABLE tf_idempotency_keys (
                user_id       TEXT    NOT NULL,
                key           TEXT    NOT NULL CHECK (length(key) BETWEEN 1 AND 100),
                request_hash  TEXT    NOT NULL,
                status_code   INTEGER NULL,
                content_type  TEXT    NULL,
                location      TEXT    NULL,
                body          BYTEA   NULL,
                created_at_ms BIGINT  NOT NULL,
                expires_at_ms BIGINT  NOT NULL,
                PRIMARY KEY (user_id, key))
            """),
    ];

    // One statement claims a new key, or takes over one that expired or whose claimer died (stale and unfinished); a live
    // claim or a stored response is left alone (0 rows) and read next. The row lock makes concurrent takeovers exclusive.
    public const string Claim = """
        INSERT INTO tf_idempotency_keys (user_id, key, request_hash, created_at_ms, expires_at_ms)
        VALUES (@user, @key, @hash, @now, @expires)
        ON CONFLICT (user_id, key) DO UPDATE SET request_hash = excluded.request_hash, status_code = NULL, content_type = NULL,
            location = NULL, body = NULL, created_at_ms = excluded.created_at_ms, expires_at_ms = excluded.expires_at_ms
        WHERE tf_idempotency_keys.expires_at_ms <= @now
           OR (tf_idempotency_keys.status_code IS NULL AND tf_idempotency_keys.created_at_ms <= @stale)
        """;

    public const string Select = "SELECT request_hash, status_code, content_type, location, body, created_at_ms FROM tf_idempotency_keys WHERE user_id = @user AND key = @key";

    public const string Complete = """
        UPDATE tf_idempotency_keys SET status_code = @status, content_type = @type, location = @location, body = @body
        WHERE user_id = @user AND key = @key
        """;

    public const string Delete = "DELETE FROM tf_idempotency_keys WHERE user_id = @user AND key = @key AND status_code IS NULL";

    public const string DeleteUnfinished = "DELETE FROM tf_idempotency_keys WHERE status_code IS NULL";

    /// <summary>Runs the claim protocol on one open connection; the primary key makes the insert the single point of decision.</summary>
    public static async Task<BeginResult> TryBeginAsync(DbConnection connection, string userId, string key, string requestHash,
        DateTimeOffset now, DateTimeOffset expiresAt, DateTimeOffset staleBefore, CancellationToken cancellationToken)
    {
        var claimed = await DbCommands.ExecuteAsync(connection, null, Claim, cancellationToken, ("@user", userId), ("@key", key), ("@hash", requestHash),
            ("@now", now.ToUnixTimeMilliseconds()), ("@expires", expiresAt.ToUnixTimeMilliseconds()), ("@stale", staleBefore.ToUnixTimeMilliseconds()));
        if (claimed == 1) return new BeginResult(BeginOutcome.Began);

        await using var command = DbCommands.Create(connection, null, Select, ("@user", userId), ("@key", key));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return new BeginResult(BeginOutcome.InProgress); // abandoned meanwhile: retry later
        if (reader.GetString(0) != requestHash) return new BeginResult(BeginOutcome.Mismatch);
        if (reader.IsDBNull(1)) return new BeginResult(BeginOutcome.InProgress, ClaimedAt: DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)));
        return new BeginResult(BeginOutcome.Completed, new StoredResponse(
            reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), (byte[])reader[4]));
    }
}
