using System.Data.Common;
using System.Security.Cryptography;
using TicketFlow.Data;

namespace TicketFlow.Data.Orders;

/// <summary>
/// The order book in SQL, one implementation for PostgreSQL and SQLite. Every state change is a conditional UPDATE
/// (<c>WHERE state = ...</c>), so of two racing refunds, transfers or scans exactly one changes the row.
/// </summary>
public sealed class SqlOrderBook(SqlStoreDatabase database, TimeProvider time) : IOrderBook
{
    private const string TicketIdAlphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public SqlOrderBook(SqlStoreDatabase database) : this(database, TimeProvider.System)
    {
    }

    public Task InitializeAsync(CancellationToken cancellationToken) =>
        database.MigrateAsync(OrderSchema.Component, OrderSchema.Migrations, cancellationToken);

    public async Task<Order> IssueAsync(NewOrder order, CancellationToken cancellationToken)
    {
        if (order.Lines.Count == 0) throw new ArgumentException("An order needs at least one line.", nameof(order));
        if (order.Lines.FirstOrDefault(l => l.Seats is not null && l.Seats.Count != l.Quantity) is { } uneven)
            throw new ArgumentException($"Tier {uneven.TierId}: {uneven.Quantity} tickets for {uneven.Seats!.Count} seats; a reserved line has one ticket per seat.", nameof(order));
        if (order.Lines.SelectMany(l => l.Seats ?? []).GroupBy(s => s.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ArgumentException($"Seat {twice.Key} appears more than once in the order.", nameof(order));
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The keys decide between a retried or racing issue of one checkout: the loser writes nothing. No conflict target:
        // racing inserts of one order collide on payment_id's unique index as often as on the primary key (PostgreSQL
        // raised 23505 on payment_id for `ON CONFLICT (id)` when eight issues raced, seen in CI).
        var inserted = await DbCommands.ExecuteAsync(connection, transaction, $"""
            INSERT INTO tf_orders ({OrderSchema.OrderColumns}) VALUES (@id, @user, @event, @state, @total, @currency, @payment, @created)
            ON CONFLICT DO NOTHING
            """, cancellationToken, ("@id", order.Id), ("@user", order.UserId), ("@event", order.EventId), ("@state", OrderStates.Paid),
            ("@total", order.TotalMinor), ("@currency", order.Currency), ("@payment", order.PaymentId), ("@created", order.CreatedAt.ToUnixTimeMilliseconds()));
        if (inserted == 1)
        {
            for (var i = 0; i < order.Lines.Count; i++)
            {
                var line = order.Lines[i];
                await DbCommands.ExecuteAsync(connection, transaction, """
                    INSERT INTO tf_order_lines (order_id, tier_id, line_no, quantity, price_minor) VALUES (@order, @tier, @no, @quantity, @price)
                    """, cancellationToken, ("@order", order.Id), ("@tier", line.TierId), ("@no", i), ("@quantity", line.Quantity), ("@price", line.PriceMinor));
                for (var seat = 1; seat <= line.Quantity; seat++)
                {
                    var reserved = line.Seats?[seat - 1];
                    await DbCommands.ExecuteAsync(connection, transaction, $"""
                        INSERT INTO tf_tickets ({OrderSchema.TicketColumns}, {OrderSchema.SeatColumns})
                        VALUES (@id, @order, @event, @tier, @seat, @owner, @state, 1, @seat_id, @section_id, @section, @row, @number)
                        """, cancellationToken, ("@id", NewTicketId()), ("@order", order.Id), ("@event", order.EventId), ("@tier", line.TierId),
                        ("@seat", seat), ("@owner", order.UserId), ("@state", TicketStates.Valid), ("@seat_id", reserved?.Id),
                        ("@section_id", reserved?.SectionId), ("@section", reserved?.Section), ("@row", reserved?.Row), ("@number", reserved?.Number));
                }
            }
        }
        var stored = await ReadOrdersAsync(connection, transaction, $"SELECT {OrderSchema.OrderReadColumns} FROM tf_orders WHERE id = @id",
            cancellationToken, ("@id", order.Id));
        await transaction.CommitAsync(cancellationToken);
        return stored.SingleOrDefault()
            ?? throw new InvalidOperationException($"Payment {order.PaymentId} already belongs to another order than {order.Id}.");
    }

    public async Task<Order?> GetAsync(string orderId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var orders = await ReadOrdersAsync(connection, null, $"SELECT {OrderSchema.OrderReadColumns} FROM tf_orders WHERE id = @id",
            cancellationToken, ("@id", orderId));
        return orders.SingleOrDefault();
    }

    public async Task<OrderPage> ListForUserAsync(string userId, int limit, string? cursor, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(limit), limit, "From 1 to 100.");
        OrderCursor? after = null;
        if (cursor is not null && (after = OrderCursor.TryDecode(cursor)) is null) throw new ArgumentException("Not a cursor this order book returned.", nameof(cursor));
        var parameters = new List<(string, object?)> { ("@user", userId), ("@limit", limit + 1) };
        var where = "user_id = @user";
        if (after is not null)
        {
            where += " AND (created_at_ms < @after_created OR (created_at_ms = @after_created AND id < @after_id))";
            parameters.Add(("@after_created", after.CreatedAtMs));
            parameters.Add(("@after_id", after.Id));
        }
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await ReadOrdersAsync(connection, null,
            $"SELECT {OrderSchema.OrderReadColumns} FROM tf_orders WHERE {where} ORDER BY created_at_ms DESC, id DESC LIMIT @limit", cancellationToken, [.. parameters]);
        if (rows.Count <= limit) return new OrderPage(rows, null);
        var page = rows.Take(limit).ToList();
        return new OrderPage(page, new OrderCursor(page[^1].CreatedAt.ToUnixTimeMilliseconds(), page[^1].Id).Encode());
    }

    public async Task<IReadOnlyList<Ticket>> TicketsForUserAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ReadTicketsAsync(connection, null, $"""
            SELECT {Prefixed("t", OrderSchema.TicketReadColumns)} FROM tf_tickets t JOIN tf_orders o ON o.id = t.order_id
            WHERE t.owner_id = @owner ORDER BY o.created_at_ms DESC, t.order_id, t.tier_id, t.seat
            """, cancellationToken, ("@owner", userId));
    }

    public async Task<IReadOnlyList<Ticket>> TicketsForOrderAsync(string orderId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ReadTicketsAsync(connection, null, $"SELECT {OrderSchema.TicketReadColumns} FROM tf_tickets WHERE order_id = @order ORDER BY tier_id, seat",
            cancellationToken, ("@order", orderId));
    }

    public async Task<Ticket?> GetTicketAsync(string ticketId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var tickets = await ReadTicketsAsync(connection, null, $"SELECT {OrderSchema.TicketReadColumns} FROM tf_tickets WHERE id = @id", cancellationToken, ("@id", ticketId));
        return tickets.SingleOrDefault();
    }

    public async Task<VoidResult> VoidAsync(TicketRefund refund, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The order row is the lock, taken first: refunds of one order run one after the other and each sees the last.
        var locked = await DbCommands.ExecuteAsync(connection, transaction, "UPDATE tf_orders SET refunded_minor = refunded_minor WHERE id = @id",
            cancellationToken, ("@id", refund.OrderId));
        if (locked == 0) return new VoidResult(VoidOutcome.NotFound, []);
        await using (var repeat = DbCommands.Create(connection, transaction, "SELECT 1 FROM tf_order_refunds WHERE refund_id = @refund AND order_id = @order",
            ("@refund", refund.RefundId), ("@order", refund.OrderId)))
        {
            if (await repeat.ExecuteScalarAsync(cancellationToken) is not null)
                return new VoidResult(VoidOutcome.Voided, await VoidedLinesAsync(connection, transaction, refund.RefundId, cancellationToken));
        }

        var tickets = await ReadTicketsAsync(connection, transaction, $"SELECT {OrderSchema.TicketReadColumns} FROM tf_tickets WHERE order_id = @order",
            cancellationToken, ("@order", refund.OrderId));
        // The buyer refunds only what is still theirs and unused; a cancellation everything not void, whoever holds it.
        var refundable = tickets.Where(t => refund.Force ? t.State != TicketStates.Void : t.OwnerId == refund.BuyerId && t.State == TicketStates.Valid)
            .Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        if (refund.TicketIds is { } named && !named.All(refundable.Contains)) return new VoidResult(VoidOutcome.NotRefundable, []);
        var chosen = refund.TicketIds ?? [.. refundable.Order(StringComparer.Ordinal)];
        if (chosen.Count == 0) return new VoidResult(VoidOutcome.NothingLeft, []);

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var ids = chosen.Select((id, i) => ($"@t{i}", (object?)id)).ToArray();
        // Under the order lock a transfer or a scan may still change a ticket: the guard re-checks each one as it is voided.
        var voided = await DbCommands.ExecuteAsync(connection, transaction, $"""
            UPDATE tf_tickets SET state = @void, void_reason = @reason, refund_id = @refund
            WHERE order_id = @order AND id IN ({string.Join(", ", ids.Select(p => p.Item1))})
              AND {(refund.Force ? "state <> @void" : "owner_id = @buyer AND state = @valid")}
            """, cancellationToken, [("@void", TicketStates.Void), ("@reason", refund.Reason), ("@refund", refund.RefundId), ("@order", refund.OrderId),
            ("@buyer", refund.BuyerId), ("@valid", TicketStates.Valid), .. ids]);
        if (voided != chosen.Count)
        {
            await transaction.RollbackAsync(cancellationToken);
            return new VoidResult(refund.TicketIds is null ? VoidOutcome.NothingLeft : VoidOutcome.NotRefundable, []);
        }
        var lines = await VoidedLinesAsync(connection, transaction, refund.RefundId, cancellationToken);
        var amount = lines.Sum(l => l.Quantity * l.PriceMinor);
        await DbCommands.ExecuteAsync(connection, transaction, """
            UPDATE tf_orders SET refunded_minor = refunded_minor + @amount, refunded_at_ms = @now,
                state = CASE WHEN EXISTS (SELECT 1 FROM tf_tickets WHERE order_id = @order AND state <> @void) THEN @paid ELSE @refunded END
            WHERE id = @order
            """, cancellationToken, ("@amount", amount), ("@now", now), ("@order", refund.OrderId), ("@void", TicketStates.Void),
            ("@paid", OrderStates.Paid), ("@refunded", OrderStates.Refunded));
        await DbCommands.ExecuteAsync(connection, transaction, """
            INSERT INTO tf_order_refunds (refund_id, order_id, amount_minor, tickets, reason, at_ms) VALUES (@refund, @order, @amount, @tickets, @reason, @now)
            """, cancellationToken, ("@refund", refund.RefundId), ("@order", refund.OrderId), ("@amount", amount), ("@tickets", voided),
            ("@reason", refund.Reason), ("@now", now));
        await transaction.CommitAsync(cancellationToken);
        return new VoidResult(VoidOutcome.Voided, lines);
    }

    private static async Task<IReadOnlyList<VoidedLine>> VoidedLinesAsync(DbConnection connection, DbTransaction transaction, string refundId,
        CancellationToken cancellationToken)
    {
        var tickets = new List<(string TierId, long PriceMinor, string? SeatId)>();
        await using (var command = DbCommands.Create(connection, transaction, """
            SELECT t.tier_id, l.price_minor, t.seat_id FROM tf_tickets t JOIN tf_order_lines l ON l.order_id = t.order_id AND l.tier_id = t.tier_id
            WHERE t.refund_id = @refund ORDER BY t.tier_id, t.seat
            """, ("@refund", refundId)))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                tickets.Add((reader.GetString(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
        }
        // A reserved line's tickets each name their seat: exactly those go back on sale.
        return tickets.GroupBy(t => (t.TierId, t.PriceMinor)).Select(tier => new VoidedLine(tier.Key.TierId, tier.Count(), tier.Key.PriceMinor,
            tier.All(t => t.SeatId is null) ? null : tier.Select(t => t.SeatId!).ToList())).ToList();
    }

    public async Task<IReadOnlyList<string>> PaidOrderIdsAsync(string eventId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = DbCommands.Create(connection, null,
            "SELECT id FROM tf_orders WHERE event_id = @event AND state = @paid ORDER BY created_at_ms, id", ("@event", eventId), ("@paid", OrderStates.Paid));
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) ids.Add(reader.GetString(0));
        return ids;
    }

    public async Task<TransferOutcome> TransferAsync(string ticketId, string fromUserId, string toUserId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var moved = await DbCommands.ExecuteAsync(connection, null, """
            UPDATE tf_tickets SET owner_id = @to, version = version + 1 WHERE id = @id AND owner_id = @from AND state = @valid
            """, cancellationToken, ("@to", toUserId), ("@id", ticketId), ("@from", fromUserId), ("@valid", TicketStates.Valid));
        if (moved == 1) return TransferOutcome.Transferred;
        var ticket = (await ReadTicketsAsync(connection, null, $"SELECT {OrderSchema.TicketReadColumns} FROM tf_tickets WHERE id = @id", cancellationToken,
            ("@id", ticketId))).SingleOrDefault();
        if (ticket is null) return TransferOutcome.NotFound;
        return ticket.OwnerId != fromUserId ? TransferOutcome.NotOwner : TransferOutcome.NotTransferable;
    }

    /// <summary>Moves a valid ticket from one owner to another and bumps its version (the old code is void), inside the
    /// caller's transaction: an accepted transfer offer and the move commit together. False if it is not that owner's valid ticket.</summary>
    internal static async Task<bool> MoveTicketAsync(DbConnection connection, DbTransaction transaction, string ticketId, string fromUserId, string toUserId,
        CancellationToken cancellationToken) =>
        await DbCommands.ExecuteAsync(connection, transaction, """
            UPDATE tf_tickets SET owner_id = @to, version = version + 1 WHERE id = @id AND owner_id = @from AND state = @valid
            """, cancellationToken, ("@to", toUserId), ("@id", ticketId), ("@from", fromUserId), ("@valid", TicketStates.Valid)) == 1;

    public async Task<CheckInOutcome> CheckInAsync(string ticketId, int version, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var checkedIn = await DbCommands.ExecuteAsync(connection, null, """
            UPDATE tf_tickets SET state = @used, used_at_ms = @now WHERE id = @id AND version = @version AND state = @valid
            """, cancellationToken, ("@used", TicketStates.Used), ("@now", time.GetUtcNow().ToUnixTimeMilliseconds()), ("@id", ticketId),
            ("@version", version), ("@valid", TicketStates.Valid));
        if (checkedIn == 1) return CheckInOutcome.CheckedIn;
        var ticket = (await ReadTicketsAsync(connection, null, $"SELECT {OrderSchema.TicketReadColumns} FROM tf_tickets WHERE id = @id", cancellationToken,
            ("@id", ticketId))).SingleOrDefault();
        if (ticket is null) return CheckInOutcome.NotFound;
        // A code for another version was transferred away: it is void whatever became of the ticket since.
        if (ticket.Version != version) return CheckInOutcome.Void;
        return ticket.State == TicketStates.Used ? CheckInOutcome.AlreadyUsed : CheckInOutcome.Void;
    }

    public async Task<EventSales> SalesAsync(string eventId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        int paid = 0, refunded = 0;
        long revenue = 0;
        await using (var orders = DbCommands.Create(connection, null, """
            SELECT state, count(*), CAST(coalesce(sum(total_minor - refunded_minor), 0) AS BIGINT) FROM tf_orders WHERE event_id = @event GROUP BY state
            """, ("@event", eventId)))
        await using (var reader = await orders.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                if (reader.GetString(0) == OrderStates.Paid)
                {
                    paid = (int)reader.GetInt64(1);
                    revenue = reader.GetInt64(2);
                }
                else refunded = (int)reader.GetInt64(1);
            }
        }
        var tiers = new List<TierSales>();
        await using var sold = DbCommands.Create(connection, null, """
            SELECT l.tier_id, count(*), CAST(coalesce(sum(l.price_minor), 0) AS BIGINT)
            FROM tf_orders o
            JOIN tf_order_lines l ON l.order_id = o.id
            JOIN tf_tickets t ON t.order_id = l.order_id AND t.tier_id = l.tier_id
            WHERE o.event_id = @event AND o.state = @paid AND t.state <> @void
            GROUP BY l.tier_id ORDER BY l.tier_id
            """, ("@event", eventId), ("@paid", OrderStates.Paid), ("@void", TicketStates.Void));
        await using var tierReader = await sold.ExecuteReaderAsync(cancellationToken);
        while (await tierReader.ReadAsync(cancellationToken))
            tiers.Add(new TierSales(tierReader.GetString(0), (int)tierReader.GetInt64(1), tierReader.GetInt64(2)));
        await tierReader.DisposeAsync();
        await using var failures = DbCommands.Create(connection, null, "SELECT count(*) FROM tf_checkout_failures WHERE event_id = @event", ("@event", eventId));
        var failed = Convert.ToInt32(await failures.ExecuteScalarAsync(cancellationToken));
        return new EventSales(paid, refunded, revenue, tiers, failed);
    }

    public async Task RecordCheckoutFailureAsync(string checkoutId, string eventId, string reason, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await DbCommands.ExecuteAsync(connection, null, """
            INSERT INTO tf_checkout_failures (checkout_id, event_id, reason, at_ms) VALUES (@id, @event, @reason, @at) ON CONFLICT DO NOTHING
            """, cancellationToken, ("@id", checkoutId), ("@event", eventId), ("@reason", reason), ("@at", time.GetUtcNow().ToUnixTimeMilliseconds()));
    }

    // 16 characters of base32: 80 random bits, so ids are unguessable and never collide in practice.
    private static string NewTicketId() => "tkt_" + RandomNumberGenerator.GetString(TicketIdAlphabet, 16);

    private static string Prefixed(string alias, string columns) => string.Join(", ", columns.Split(", ").Select(c => $"{alias}.{c}"));

    private static async Task<List<Order>> ReadOrdersAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken,
        params (string, object?)[] parameters)
    {
        var orders = new List<Order>();
        await using (var command = DbCommands.Create(connection, transaction, sql, parameters))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                orders.Add(new Order(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), [], reader.GetInt64(4),
                    reader.GetString(5), reader.GetString(6), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)), reader.GetInt64(8)));
        }
        if (orders.Count == 0) return orders;

        var ids = orders.Select((o, i) => ($"@o{i}", (object?)o.Id)).ToArray();
        var rows = new List<(string OrderId, string TierId, int Quantity, long PriceMinor, TicketSeat? Seat)>();
        // A reserved line comes once per seat (its tickets', refunded ones too: the line is what was bought), a general-admission line once.
        await using (var command = DbCommands.Create(connection, transaction, $"""
            SELECT l.order_id, l.tier_id, l.quantity, l.price_minor, {Prefixed("t", OrderSchema.SeatColumns)}
            FROM tf_order_lines l LEFT JOIN tf_tickets t ON t.order_id = l.order_id AND t.tier_id = l.tier_id AND t.seat_id IS NOT NULL
            WHERE l.order_id IN ({string.Join(", ", ids.Select(p => p.Item1))}) ORDER BY l.order_id, l.line_no, t.seat
            """, ids))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                rows.Add((reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt64(3), ReadSeat(reader, 4)));
        }
        var lines = rows.GroupBy(r => (r.OrderId, r.TierId)).ToLookup(line => line.Key.OrderId, line => new OrderLine(line.Key.TierId, line.First().Quantity,
            line.First().PriceMinor, line.First().Seat is null ? null : line.Select(r => r.Seat!).ToList()));
        return orders.Select(o => o with { Lines = lines[o.Id].ToList() }).ToList();
    }

    private static async Task<List<Ticket>> ReadTicketsAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken,
        params (string, object?)[] parameters)
    {
        var tickets = new List<Ticket>();
        await using var command = DbCommands.Create(connection, transaction, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            tickets.Add(new Ticket(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4),
                reader.GetString(5), reader.GetString(6), reader.GetInt32(7), reader.IsDBNull(8) ? null : reader.GetString(8), ReadSeat(reader, 9)));
        return tickets;
    }

    /// <summary>The seat in the <see cref="OrderSchema.SeatColumns"/> from <paramref name="first"/> on; null for general admission.</summary>
    private static TicketSeat? ReadSeat(DbDataReader reader, int first) => reader.IsDBNull(first)
        ? null
        : new TicketSeat(reader.GetString(first), reader.GetString(first + 1), reader.GetString(first + 2), reader.GetString(first + 3), reader.GetString(first + 4));
}
