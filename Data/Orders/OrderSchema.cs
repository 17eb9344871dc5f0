using TicketFlow.Data;

namespace TicketFlow.Data.Orders;

/// <summary>The orders, order lines and tickets tables; the same DDL on PostgreSQL and SQLite. Times are Unix milliseconds.</summary>
internal static class OrderSchema
{
    public const string Component = "orders";

    public const string OrderColumns = "id, user_id, event_id, state, total_minor, currency, payment_id, created_at_ms";

    public const string TicketColumns = "id, order_id, event_id, tier_id, seat, owner_id, state, version";

    /// <summary>A reserved ticket's seat: its id and labels (all null for general admission).</summary>
    public const string SeatColumns = "seat_id, section_id, section_label, row_label, seat_label";

    /// <summary>What reads select: the written columns and those refunds fill in.</summary>
    public const string OrderReadColumns = OrderColumns + ", refunded_minor";

    public const string TicketReadColumns = TicketColumns + ", void_reason, " + SeatColumns;

    public static readonly Migration[] Migrations =
    [
        new(1, """
            CREATE TABLE tf_orders (
                id             TEXT    PRIMARY KEY,
                user_id        TEXT    NOT NULL,
                event_id       TEXT    NOT NULL,
                state          TEXT    NOT NULL CHECK (state IN ('paid', 'refunded')),
                total_minor    BIGINT  NOT NULL CHECK (total_minor >= 0),
                currency       TEXT    NOT NULL,
                payment_id     TEXT    NOT NULL UNIQUE,
                created_at_ms  BIGINT  NOT NULL,
                refunded_at_ms BIGINT  NULL);
            CREATE INDEX tf_orders_user ON tf_orders (user_id, created_at_ms DESC, id DESC);
            CREATE INDEX tf_orders_event ON tf_orders (event_id, state);
            CREATE TABLE tf_order_lines (
                order_id    TEXT    NOT NULL REFERENCES tf_orders (id),
                tier_id     TEXT    NOT NULL,
                line_no     INTEGER NOT NULL,
                quantity    INTEGER NOT NULL CHECK (quantity > 0),
                price_minor BIGINT  NOT NULL CHECK (price_minor >= 0),
                PRIMARY KEY (order_id, tier_id));
            CREATE TABLE tf_tickets (
                id         TEXT    PRIMARY KEY,
                order_id   TEXT    NOT NULL REFERENCES tf_orders (id),
                event_id   TEXT    NOT NULL,
                tier_id    TEXT    NOT NULL,
                seat       INTEGER NOT NULL CHECK (seat >= 1),
                owner_id   TEXT    NOT NULL,
                state      TEXT    NOT NULL CHECK (state IN ('valid', 'used', 'void')),
                version    INTEGER NOT NULL CHECK (version >= 1),
                used_at_ms BIGINT  NULL,
                UNIQUE (order_id, tier_id, seat),
                FOREIGN KEY (order_id, tier_id) REFERENCES tf_order_lines (order_id, tier_id));
            CREATE INDEX tf_tickets_owner ON tf_tickets (owner_id);
            """),
        new(2, """
            CREATE TABLE tf_checkout_failures (
                checkout_id TEXT   NOT NULL PRIMARY KEY,
                event_id    TEXT   NOT NULL,
                reason      TEXT   NOT NULL,
                at_ms       BIGINT NOT NULL);
            CREATE INDEX tf_checkout_failures_event ON tf_checkout_failures (event_id);
            """),
        // Partial refunds: each refund its row (its id makes it idempotent), the tickets it voided point at it.
        new(3, """
            ALTER TABLE tf_orders ADD COLUMN refunded_minor BIGINT NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0);
            UPDATE tf_orders SET refunded_minor = total_minor WHERE state = 'refunded';
            ALTER TABLE tf_tickets ADD COLUMN void_reason TEXT NULL;
            ALTER TABLE tf_tickets ADD COLUMN refund_id TEXT NULL;
            CREATE INDEX tf_tickets_refund ON tf_tickets (refund_id);
            CREATE TABLE tf_order_refunds (
                refund_id    TEXT    PRIMARY KEY,
                order_id     TEXT    NOT NULL REFERENCES tf_orders (id),
                amount_minor BIGINT  NOT NULL CHECK (amount_minor >= 0),
                tickets      INTEGER NOT NULL CHECK (tickets > 0),
                reason       TEXT    NOT NULL,
                at_ms        BIGINT  NOT NULL);
            CREATE INDEX tf_order_refunds_order ON tf_order_refunds (order_id);
            """),
        // Reserved seating: a ticket names its seat (labels as sold: a later layout version does not rename a ticket's seat),
        // and one seat of an event is on at most one ticket that is not void (a refunded seat can be sold again).
        new(4, """
            ALTER TABLE tf_tickets ADD COLUMN seat_id TEXT NULL;
            ALTER TABLE tf_tickets ADD COLUMN section_id TEXT NULL;
            ALTER TABLE tf_tickets ADD COLUMN section_label TEXT NULL;
            ALTER TABLE tf_tickets ADD COLUMN row_label TEXT NULL;
            ALTER TABLE tf_tickets ADD COLUMN seat_label TEXT NULL
                CHECK ((seat_id IS NULL AND section_id IS NULL AND section_label IS NULL AND row_label IS NULL AND seat_label IS NULL)
                    OR (seat_id IS NOT NULL AND section_id IS NOT NULL AND section_label IS NOT NULL AND row_label IS NOT NULL AND seat_label IS NOT NULL));
            CREATE UNIQUE INDEX tf_tickets_reserved_seat ON tf_tickets (event_id, seat_id) WHERE seat_id IS NOT NULL AND state <> 'void';
            """),
    ];
}
