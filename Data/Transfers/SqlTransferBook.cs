using System.Data.Common;
using System.Security.Cryptography;
using TicketFlow.Data.Orders;

namespace TicketFlow.Data.Transfers;

/// <summary>
/// Transfer offers in SQL, one implementation for PostgreSQL and SQLite, on the order book's database. Every change is a
/// conditional UPDATE of an open offer (<c>WHERE state = 'offered'</c>), so of a racing accept and cancel exactly one wins;
/// an accept moves the ticket in the same transaction, or voids the offer when the ticket is no longer the sender's.
/// </summary>
public sealed class SqlTransferBook(SqlStoreDatabase database, TransferOptions options, TimeProvider time) : ITransferBook
{
    private const string IdAlphabet = "abcdefghijklmnopqrstuvwxyz234567";

    private const string SelectTransfers = """
        SELECT x.id, x.ticket_id, t.event_id, t.tier_id, x.sender_id, x.recipient_email, x.state, x.created_at_ms, x.expires_at_ms,
               t.owner_id, t.state
        FROM tf_transfers x JOIN tf_tickets t ON t.id = x.ticket_id
        """;

    // The ticket is still the sender's valid ticket: an open offer of any other is void.
    private const string TicketStillSenders =
        "EXISTS (SELECT 1 FROM tf_tickets t WHERE t.id = tf_transfers.ticket_id AND t.owner_id = tf_transfers.sender_id AND t.state = 'valid')";

    public Task InitializeAsync(CancellationToken cancellationToken) =>
        database.MigrateAsync(TransferSchema.Component, TransferSchema.Migrations, cancellationToken);

    public async Task<TransferResult<OfferOutcome>> OfferAsync(string ticketId, string senderId, string recipientEmail, CancellationToken cancellationToken)
    {
        var now = Now();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Close what time or a change of owner closed, so that it no longer counts as the ticket's open offer.
        await DbCommands.ExecuteAsync(connection, transaction, $"""
            UPDATE tf_transfers SET state = CASE WHEN expires_at_ms <= @now THEN 'expired' ELSE 'void' END, closed_at_ms = @now
            WHERE ticket_id = @ticket AND state = 'offered' AND (expires_at_ms <= @now OR NOT {TicketStillSenders})
            """, cancellationToken, ("@now", now), ("@ticket", ticketId));
        await using (var ticket = DbCommands.Create(connection, transaction, "SELECT owner_id, state FROM tf_tickets WHERE id = @id", ("@id", ticketId)))
        await using (var reader = await ticket.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken) || reader.GetString(0) != senderId) return new(OfferOutcome.TicketNotFound, null);
            if (reader.GetString(1) != TicketStates.Valid) return new(OfferOutcome.NotTransferable, null);
        }
        var id = "trf_" + RandomNumberGenerator.GetString(IdAlphabet, 20);
        // The unique index on a ticket's open offer decides between racing offers: the loser inserts nothing.
        var inserted = await DbCommands.ExecuteAsync(connection, transaction, $"""
            INSERT INTO tf_transfers ({TransferSchema.Columns}) VALUES (@id, @ticket, @sender, @email, 'offered', @now, @expires)
            ON CONFLICT DO NOTHING
            """, cancellationToken, ("@id", id), ("@ticket", ticketId), ("@sender", senderId), ("@email", recipientEmail), ("@now", now),
            ("@expires", now + (long)options.OfferLifetime.TotalMilliseconds));
        var open = await ReadAsync(connection, transaction, $"{SelectTransfers} WHERE x.ticket_id = @ticket AND x.state = 'offered'", now, cancellationToken,
            ("@ticket", ticketId));
        await transaction.CommitAsync(cancellationToken);
        return new(inserted == 1 ? OfferOutcome.Offered : OfferOutcome.AlreadyOffered, open.SingleOrDefault());
    }

    public async Task<TransferResult<AcceptOutcome>> AcceptAsync(string transferId, string recipientId, string recipientEmail, CancellationToken cancellationToken)
    {
        var now = Now();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Write first: the offer row is the lock (and SQLite's writer lock is taken before anything is read).
        var accepted = await DbCommands.ExecuteAsync(connection, transaction, """
            UPDATE tf_transfers SET state = 'accepted', recipient_id = @recipient, closed_at_ms = @now
            WHERE id = @id AND recipient_email = @email AND state = 'offered' AND expires_at_ms > @now
            """, cancellationToken, ("@recipient", recipientId), ("@now", now), ("@id", transferId), ("@email", recipientEmail));
        if (accepted == 1)
        {
            var (ticketId, senderId) = await TicketAndSenderAsync(connection, transaction, transferId, cancellationToken);
            if (!await SqlOrderBook.MoveTicketAsync(connection, transaction, ticketId, senderId, recipientId, cancellationToken))
                await DbCommands.ExecuteAsync(connection, transaction, "UPDATE tf_transfers SET state = 'void', recipient_id = NULL WHERE id = @id",
                    cancellationToken, ("@id", transferId));
        }
        var transfer = await CloseLapsedAsync(connection, transaction, "x.id = @id AND x.recipient_email = @email", now, cancellationToken,
            ("@id", transferId), ("@email", recipientEmail));
        await transaction.CommitAsync(cancellationToken);
        return new(transfer is null ? AcceptOutcome.NotFound : transfer.State == TransferStates.Accepted && accepted == 1 ? AcceptOutcome.Accepted : AcceptOutcome.NotOpen,
            transfer);
    }

    public async Task<TransferResult<CancelOutcome>> CancelAsync(string transferId, string senderId, CancellationToken cancellationToken)
    {
        var now = Now();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var cancelled = await DbCommands.ExecuteAsync(connection, transaction, $"""
            UPDATE tf_transfers SET state = 'cancelled', closed_at_ms = @now
            WHERE id = @id AND sender_id = @sender AND state = 'offered' AND expires_at_ms > @now AND {TicketStillSenders}
            """, cancellationToken, ("@now", now), ("@id", transferId), ("@sender", senderId));
        var transfer = await CloseLapsedAsync(connection, transaction, "x.id = @id AND x.sender_id = @sender", now, cancellationToken,
            ("@id", transferId), ("@sender", senderId));
        await transaction.CommitAsync(cancellationToken);
        return new(transfer is null ? CancelOutcome.NotFound : cancelled == 1 ? CancelOutcome.Cancelled : CancelOutcome.NotOpen, transfer);
    }

    public async Task<IReadOnlyList<Transfer>> SentAsync(string senderId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ReadAsync(connection, null, $"{SelectTransfers} WHERE x.sender_id = @sender ORDER BY x.created_at_ms DESC, x.id LIMIT @limit", Now(),
            cancellationToken, ("@sender", senderId), ("@limit", limit));
    }

    public async Task<IReadOnlyList<Transfer>> ReceivedAsync(string recipientEmail, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ReadAsync(connection, null, $"{SelectTransfers} WHERE x.recipient_email = @email ORDER BY x.created_at_ms DESC, x.id LIMIT @limit", Now(),
            cancellationToken, ("@email", recipientEmail), ("@limit", limit));
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Reads the offer and stores what its state reads as (expired, void) if the row still says offered.</summary>
    private static async Task<Transfer?> CloseLapsedAsync(DbConnection connection, DbTransaction transaction, string where, long now,
        CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        var transfer = (await ReadAsync(connection, transaction, $"{SelectTransfers} WHERE {where}", now, cancellationToken, parameters)).SingleOrDefault();
        if (transfer?.State is TransferStates.Expired or TransferStates.Void)
            await DbCommands.ExecuteAsync(connection, transaction, "UPDATE tf_transfers SET state = @state, closed_at_ms = @now WHERE id = @id AND state = 'offered'",
                cancellationToken, ("@state", transfer.State), ("@now", now), ("@id", transfer.Id));
        return transfer;
    }

    private static async Task<(string TicketId, string SenderId)> TicketAndSenderAsync(DbConnection connection, DbTransaction transaction, string transferId,
        CancellationToken cancellationToken)
    {
        await using var command = DbCommands.Create(connection, transaction, "SELECT ticket_id, sender_id FROM tf_transfers WHERE id = @id", ("@id", transferId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetString(0), reader.GetString(1));
    }

    private static async Task<List<Transfer>> ReadAsync(DbConnection connection, DbTransaction? transaction, string sql, long now,
        CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        var transfers = new List<Transfer>();
        await using var command = DbCommands.Create(connection, transaction, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var (senderId, state, expiresAt) = (reader.GetString(4), reader.GetString(6), reader.GetInt64(8));
            var ticketStillSenders = reader.GetString(9) == senderId && reader.GetString(10) == TicketStates.Valid;
            if (state == TransferStates.Offered)
                state = !ticketStillSenders ? TransferStates.Void : expiresAt <= now ? TransferStates.Expired : state;
            transfers.Add(new Transfer(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), senderId, reader.GetString(5), state,
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)), DateTimeOffset.FromUnixTimeMilliseconds(expiresAt)));
        }
        return transfers;
    }
}
