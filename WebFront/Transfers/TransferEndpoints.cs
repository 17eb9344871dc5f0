using System.Security.Claims;
using TicketFlow.Data.Orders;
using TicketFlow.Data.Transfers;
using TicketFlow.WebFront.Accounts;
using TicketFlow.WebFront.Conventions;
using TicketFlow.WebFront.Idempotency;
using TicketFlow.WebFront.Orders;
using TicketFlow.WebFront.Purchases;

namespace TicketFlow.WebFront.Transfers;

/// <summary>
/// Ticket transfers as offers: <c>POST /tickets/{id}/transfer</c> offers a ticket to an email and answers the same whether
/// or not an account has it (no lookup of the recipient, so nothing to enumerate); <c>GET /me/transfers</c> lists offers
/// sent and received (to the signed-in account's email); the recipient accepts, the sender withdraws. Someone else's
/// offer answers 404. Changes are rate-limited per user (<see cref="RateLimits.Transfer"/>).
/// </summary>
public static class TransferEndpoints
{
    private const int MaxIdLength = 100;
    private const int ListLimit = 100;

    public static IEndpointRouteBuilder MapTransferEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Transfers").RequireAuthorization();
        api.MapPost("/tickets/{ticketId}/transfer", OfferAsync).RequireIdempotencyKey().RequireRateLimiting(RateLimits.Transfer);
        api.MapGet("/me/transfers", MineAsync);
        api.MapPost("/transfers/{transferId}/accept", AcceptAsync).RequireRateLimiting(RateLimits.Transfer);
        api.MapDelete("/transfers/{transferId}", CancelAsync).RequireRateLimiting(RateLimits.Transfer);
        return app;
    }

    private static async Task<IResult> OfferAsync(string ticketId, TransferRequest request, ClaimsPrincipal principal, ITransferBook transfers,
        IUserRepository users, IOrderBook orders, CancellationToken cancellationToken)
    {
        // Someone else's ticket is not found, whatever else is wrong with the request.
        if (ticketId.Length > MaxIdLength || (await orders.GetTicketAsync(ticketId, cancellationToken))?.OwnerId != UserId(principal)) return TicketNotFound();
        if (!AccountValidation.IsEmail(request.ToEmail)) return InvalidEmail("Give the email address to offer the ticket to.");
        // The sender's own account, never the recipient's: whether an account has that email must not change the answer.
        if (await users.FindByIdAsync(UserId(principal), cancellationToken) is not { } me) return Problems.Of(ProblemCodes.UnknownUser);
        var toEmail = UserAccount.Normalize(request.ToEmail!);
        if (toEmail == UserAccount.Normalize(me.Email)) return InvalidEmail("This ticket is already yours.");
        var result = await transfers.OfferAsync(ticketId, me.Id, toEmail, cancellationToken);
        return result.Outcome switch
        {
            OfferOutcome.Offered => Results.Accepted("/api/v1/me/transfers",
                new TransferOfferedResponse(result.Transfer!.Id, result.Transfer.State, result.Transfer.ExpiresAt)),
            OfferOutcome.AlreadyOffered => Problems.Of(ProblemCodes.TransferPending),
            OfferOutcome.NotTransferable => Problems.Of(ProblemCodes.TicketNotTransferable),
            _ => TicketNotFound(),
        };
    }

    private static async Task<IResult> MineAsync(ClaimsPrincipal principal, ITransferBook transfers, IUserRepository users, EventLookup events,
        CancellationToken cancellationToken)
    {
        if (await users.FindByIdAsync(UserId(principal), cancellationToken) is not { } me) return Problems.Of(ProblemCodes.UnknownUser);
        var sent = await transfers.SentAsync(me.Id, ListLimit, cancellationToken);
        var received = await transfers.ReceivedAsync(UserAccount.Normalize(me.Email), ListLimit, cancellationToken);
        var senders = new Dictionary<string, string?> { [me.Id] = me.Name };
        var others = received.Select(t => t.SenderId).Distinct().Where(id => id != me.Id).ToList();
        foreach (var id in others) senders[id] = null; // a sender whose account is gone shows no name
        foreach (var sender in await users.FindManyByIdAsync(others, cancellationToken)) senders[sender.Id] = sender.Name;
        async Task<List<TransferResponse>> Describe(IEnumerable<Transfer> list)
        {
            var described = new List<TransferResponse>();
            foreach (var transfer in list)
                described.Add(TransferResponse.From(transfer, await events.GetAsync(transfer.EventId, cancellationToken), senders[transfer.SenderId]));
            return described;
        }
        return Results.Ok(new MyTransfersResponse(await Describe(sent), await Describe(received)));
    }

    private static async Task<IResult> AcceptAsync(string transferId, ClaimsPrincipal principal, ITransferBook transfers, IUserRepository users,
        IOrderBook orders, TicketCodes codes, CancellationToken cancellationToken)
    {
        if (transferId.Length > MaxIdLength) return TransferNotFound();
        if (await users.FindByIdAsync(UserId(principal), cancellationToken) is not { } me) return Problems.Of(ProblemCodes.UnknownUser);
        var result = await transfers.AcceptAsync(transferId, me.Id, UserAccount.Normalize(me.Email), cancellationToken);
        if (result.Outcome == AcceptOutcome.NotFound) return TransferNotFound();
        if (result.Outcome == AcceptOutcome.NotOpen) return NotOpen(result.Transfer!);
        var ticket = (await orders.GetTicketAsync(result.Transfer!.TicketId, cancellationToken))!;
        return Results.Ok(new AcceptedTransferResponse(result.Transfer.Id, result.Transfer.State,
            TicketResponse.From(ticket, codes.Sign(ticket))));
    }

    private static async Task<IResult> CancelAsync(string transferId, ClaimsPrincipal principal, ITransferBook transfers, CancellationToken cancellationToken)
    {
        if (transferId.Length > MaxIdLength) return TransferNotFound();
        var result = await transfers.CancelAsync(transferId, UserId(principal), cancellationToken);
        return result.Outcome switch
        {
            CancelOutcome.Cancelled => Results.NoContent(),
            CancelOutcome.NotOpen => NotOpen(result.Transfer!),
            _ => TransferNotFound(),
        };
    }

    private static IResult NotOpen(Transfer transfer) => Problems.Of(ProblemCodes.TransferNotOpen, transfer.State switch
    {
        TransferStates.Accepted => "This offer was already accepted.",
        TransferStates.Cancelled => "The sender withdrew this offer.",
        TransferStates.Expired => "This offer expired.",
        _ => "This offer is void: the ticket was refunded, used or is no longer the sender's.",
    });

    private static IResult InvalidEmail(string message) => Problems.Validation(new Dictionary<string, string[]> { ["toEmail"] = [message] });

    private static IResult TicketNotFound() => Problems.Of(ProblemCodes.TicketNotFound, "You have no ticket with this id.");

    private static IResult TransferNotFound() => Problems.Of(ProblemCodes.TransferNotFound);

    // RequireAuthorization guarantees a signed-in user, whose id the accounts code puts in this claim.
    private static string UserId(ClaimsPrincipal principal) => principal.FindFirstValue(ClaimTypes.NameIdentifier)!;
}
