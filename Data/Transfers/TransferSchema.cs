using TicketFlow.Data;

namespace TicketFlow.Data.Transfers;

/// <summary>The transfer offers table, its own component (not the orders schema); the same DDL on PostgreSQL and SQLite.
/// Times are Unix milliseconds.</summary>
internal static class TransferSchema
{
    public const string Component = "transfers";

    public const string Columns = "id, ticket_id, sender_id, recipient_email, state, created_at_ms, expires_at_ms";

    public static readonly Migration[] Migrations =
    [
        new(1, """
            CREATE TABLE tf_transfers (
                id              TEXT   PRIMARY KEY,
                ticket_id       TEXT   NOT NULL,
                sender_id       TEXT   NOT NULL,
                recipient_email TEXT   NOT NULL CHECK (length(recipient_email) <= 254),
                state           TEXT   NOT NULL CHECK (state IN ('offered', 'accepted', 'cancelled', 'expired', 'void')),
                created_at_ms   BIGINT NOT NULL,
                expires_at_ms   BIGINT NOT NULL,
                recipient_id    TEXT   NULL,
                closed_at_ms    BIGINT NULL);
            CREATE UNIQUE INDEX tf_transfers_open_ticket ON tf_transfers (ticket_id) WHERE state = 'offered';
            CREATE INDEX tf_transfers_sender ON tf_transfers (sender_id, created_at_ms DESC);
            CREATE INDEX tf_transfers_recipient ON tf_transfers (recipient_email, created_at_ms DESC);
            """),
    ];
}
