using TicketFlow.Data.Transfers;
using TicketFlow.WebFront.Catalog;
using TicketFlow.WebFront.Orders;

namespace TicketFlow.WebFront.Transfers;

public sealed record TransferRequest(string? ToEmail);

/// <summary>What <c>POST /tickets/{id}/transfer</c> answers, the same whether or not an account has the email.</summary>
public sealed record TransferOfferedResponse(string TransferId, string State, DateTimeOffset ExpiresAt);

/// <summary>An offer as <c>GET /me/transfers</c> lists it, with what a fan needs to recognize the ticket.</summary>
/// <param name="FromName">The sender's account name.</param>
public sealed record TransferResponse(string TransferId, string TicketId, string EventId, string? EventName, DateTimeOffset? EventStartsAt, string TierId,
    string? TierName, string State, string ToEmail, string? FromName, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt)
{
    public static TransferResponse From(Transfer transfer, EventDetails? details, string? fromName) =>
        new(transfer.Id, transfer.TicketId, transfer.EventId, details?.Name, details?.StartsAt, transfer.TierId,
            details?.Tiers.FirstOrDefault(t => t.Id == transfer.TierId)?.Name, transfer.State, transfer.RecipientEmail, fromName, transfer.CreatedAt,
            transfer.ExpiresAt);
}

public sealed record MyTransfersResponse(IReadOnlyList<TransferResponse> Sent, IReadOnlyList<TransferResponse> Received);

/// <summary>An accepted offer and the ticket it gave, with its new code.</summary>
public sealed record AcceptedTransferResponse(string TransferId, string State, TicketResponse Ticket);
