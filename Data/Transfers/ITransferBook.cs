namespace TicketFlow.Data.Transfers;

public static class TransferStates
{
    public const string Offered = "offered";
    public const string Accepted = "accepted";
    public const string Cancelled = "cancelled";
    public const string Expired = "expired";

    /// <summary>The ticket stopped being the sender's valid ticket (refunded, used, moved) before the offer was accepted.</summary>
    public const string Void = "void";
}

/// <summary>An offer of a ticket to an email address, as its sender and its recipient see it.</summary>
/// <param name="RecipientEmail">Normalized as accounts normalize emails (<c>UserAccount.Normalize</c>).</param>
/// <param name="State">As of the read: an open offer past its expiry reads <c>expired</c>, and one whose ticket is no longer
/// the sender's valid ticket reads <c>void</c>, whether or not the row says so yet.</param>
public sealed record Transfer(string Id, string TicketId, string EventId, string TierId, string SenderId, string RecipientEmail, string State,
    DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

public enum OfferOutcome
{
    Offered,
    TicketNotFound,
    NotTransferable,
    AlreadyOffered,
}

public enum AcceptOutcome
{
    Accepted,
    NotFound,
    NotOpen,
}

public enum CancelOutcome
{
    Cancelled,
    NotFound,
    NotOpen,
}

/// <param name="Transfer">The offer after the call (null when not found).</param>
public sealed record TransferResult<TOutcome>(TOutcome Outcome, Transfer? Transfer) where TOutcome : struct, Enum;

/// <summary>
/// Ticket transfers as offers: a ticket is offered to an email, stays its sender's until the account with that email
/// accepts, and moves then (with a new version, so the old code is void). Same database as the order book: accepting
/// changes the offer and the ticket in one transaction.
/// </summary>
public interface ITransferBook
{
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Offers the sender's valid ticket to <paramref name="recipientEmail"/> (normalized); one open offer per ticket.</summary>
    Task<TransferResult<OfferOutcome>> OfferAsync(string ticketId, string senderId, string recipientEmail, CancellationToken cancellationToken);

    /// <summary>Moves the ticket to the recipient if the offer to <paramref name="recipientEmail"/> is open, unexpired and
    /// the ticket still the sender's valid ticket; otherwise changes nothing but closing what time or a refund closed.</summary>
    Task<TransferResult<AcceptOutcome>> AcceptAsync(string transferId, string recipientId, string recipientEmail, CancellationToken cancellationToken);

    /// <summary>The sender withdraws an open offer.</summary>
    Task<TransferResult<CancelOutcome>> CancelAsync(string transferId, string senderId, CancellationToken cancellationToken);

    /// <summary>Offers a user sent, newest first (at most <paramref name="limit"/>).</summary>
    Task<IReadOnlyList<Transfer>> SentAsync(string senderId, int limit, CancellationToken cancellationToken);

    /// <summary>Offers to an email (normalized), newest first (at most <paramref name="limit"/>).</summary>
    Task<IReadOnlyList<Transfer>> ReceivedAsync(string recipientEmail, int limit, CancellationToken cancellationToken);
}
