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
    ];

    public const string Insert = """
        INSERT INTO tf_gateway_payments (payment_id, user_id, amount_minor, currency, status, decline_reason, captures, created_at_ms, updated_at_ms)
        VALUES (@id, @user, @amount, @currency, @status, @reason, 1, @now, @now) ON CONFLICT (payment_id) DO NOTHING
        """;

    /// <summary>Only a captured payment moves to refunded, so a repeated or racing refund changes nothing.</summary>
    public const string Refund = """
        UPDATE tf_gateway_payments SET status = 'refunded', refunded_at_ms = @now, updated_at_ms = @now
        WHERE payment_id = @id AND status = 'captured'
        """;

    public const string Select = """
        SELECT payment_id, status, amount_minor, currency, decline_reason, updated_at_ms FROM tf_gateway_payments WHERE payment_id = @id
        """;

    public static string StatusText(PaymentStatus status) => status switch
    {
        PaymentStatus.Captured => "captured",
        PaymentStatus.Declined => "declined",
        PaymentStatus.Refunded => "refunded",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static async Task<Payment?> FindAsync(DbConnection connection, string paymentId, CancellationToken cancellationToken)
    {
        await using var command = DbCommands.Create(connection, null, Select, ("@id", paymentId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return new Payment(reader.GetString(0), ParseStatus(reader.GetString(1)), reader.GetInt64(2), reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetString(4), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)));
    }

    private static PaymentStatus ParseStatus(string status) => status switch
    {
        "captured" => PaymentStatus.Captured,
        "declined" => PaymentStatus.Declined,
        "refunded" => PaymentStatus.Refunded,
        _ => throw new InvalidDataException($"Unknown payment status '{status}' in tf_gateway_payments."),
    };
}
