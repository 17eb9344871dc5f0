using System.Data.Common;
using TicketFlow.Data;

namespace TicketFlow.Payments;

/// <summary>The simulated gateway's own table, the same SQL on PostgreSQL and SQLite. The primary key is the idempotency:
/// a payment id is charged at most once.</summary>
internal static class PaymentGatewaySchema
{
    public const string Component = "payment-gateway";

    public static readonly Migration[] Migrations =
    [
        new(1, """
            CREATE TABLE tf_gateway_payments (
                payment_id     TEXT    PRIMARY KEY,
                user_id        TEXT    NOT NULL,
                amount_minor   BIGINT  NOT NULL CHECK (amount_minor >= 0),
                currency       TEXT    NOT NULL,
                status         TEXT    NOT NULL CHECK (status IN ('captured', 'declined', 'refunded')),
                decline_reason TEXT    NULL,
                captures       INTEGER NOT NULL DEFAULT 1 CHECK (captures = 1),
                created_at_ms  BIGINT  NOT NULL,
                updated_at_ms  BIGINT  NOT NULL,
                refunded_at_ms BIGINT  NULL,
                CHECK ((status = 'declined') = (decline_reason IS NOT NULL)),
                CHECK ((status = 'refunded') = (refunded_at_ms IS NOT NULL)))
            """),
        // Partial refunds: each refund its row (its id makes it idempotent); the payment keeps the sum refunded.
        new(2, """
            ALTER TABLE tf_gateway_payments ADD COLUMN refunded_minor BIGINT NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0);
            UPDATE tf_gateway_payments SET refunded_minor = amount_minor WHERE status = 'refunded';
            CREATE TABLE tf_gateway_refunds (
                refund_id     TEXT   PRIMARY KEY,
                payment_id    TEXT   NOT NULL,
                amount_minor  BIGINT NOT NULL CHECK (amount_minor >= 0),
                created_at_ms BIGINT NOT NULL);
            CREATE INDEX tf_gateway_refunds_payment ON tf_gateway_refunds (payment_id);
            """),
    ];

    public const string Insert = """
        INSERT INTO tf_gateway_payments (payment_id, user_id, amount_minor, currency, status, decline_reason, captures, created_at_ms, updated_at_ms)
        VALUES (@id, @user, @amount, @currency, @status, @reason, 1, @now, @now) ON CONFLICT (payment_id) DO NOTHING
        """;

    public const string InsertRefund = """
        INSERT INTO tf_gateway_refunds (refund_id, payment_id, amount_minor, created_at_ms) VALUES (@refund, @id, @amount, @now)
        ON CONFLICT (refund_id) DO NOTHING
        """;

    /// <summary>Adds a refund to a captured payment only while the refunds stay within the capture (the row lock orders racing
    /// refunds); it reads refunded once all of it is back.</summary>
    public const string Refund = """
        UPDATE tf_gateway_payments SET refunded_minor = refunded_minor + @amount, updated_at_ms = @now,
            status = CASE WHEN refunded_minor + @amount = amount_minor THEN 'refunded' ELSE status END,
            refunded_at_ms = CASE WHEN refunded_minor + @amount = amount_minor THEN coalesce(refunded_at_ms, @now) ELSE refunded_at_ms END
        WHERE payment_id = @id AND status IN ('captured', 'refunded') AND refunded_minor + @amount <= amount_minor
        """;

    public const string Select = """
        SELECT payment_id, status, amount_minor, currency, decline_reason, updated_at_ms, refunded_minor FROM tf_gateway_payments WHERE payment_id = @id
        """;

    public static string StatusText(PaymentStatus status) => status switch
    {
        PaymentStatus.Captured => "captured",
        PaymentStatus.Declined => "declined",
        PaymentStatus.Refunded => "refunded",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static async Task<Payment?> FindAsync(DbConnection connection, DbTransaction? transaction, string paymentId, CancellationToken cancellationToken)
    {
        await using var command = DbCommands.Create(connection, transaction, Select, ("@id", paymentId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return new Payment(reader.GetString(0), ParseStatus(reader.GetString(1)), reader.GetInt64(2), reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetString(4), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)), reader.GetInt64(6));
    }

    private static PaymentStatus ParseStatus(string status) => status switch
    {
        "captured" => PaymentStatus.Captured,
        "declined" => PaymentStatus.Declined,
        "refunded" => PaymentStatus.Refunded,
        _ => throw new InvalidDataException($"Unknown payment status '{status}' in tf_gateway_payments."),
    };
}
