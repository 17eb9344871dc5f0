namespace TicketFlow.WebFront;

/// <summary>
/// RFC 9457 problem details with the stable <c>code</c> extension clients switch on. Every code is a
/// <see cref="ProblemCodes"/> constant and has one HTTP status and one default wording here; docs/ERRORS.md is checked
/// against this table by a test (ProblemCatalogTests), so the documentation cannot drift from what the API answers.
/// </summary>
public static class Problems
{
    /// <summary>Each code's status and what it means to a client (the default <c>detail</c>).</summary>
    public static IReadOnlyDictionary<string, (int Status, string Meaning)> Catalog { get; } = new Dictionary<string, (int, string)>
    {
        [ProblemCodes.Validation] = (400, "The request has invalid fields; `errors` names each one."),
        [ProblemCodes.BadRequest] = (400, "The request could not be read (malformed JSON, a bad header)."),
        [ProblemCodes.Unauthorized] = (401, "Sign in first (cookie or bearer token)."),
        [ProblemCodes.InvalidCredentials] = (401, "Email or password is wrong."),
        [ProblemCodes.UnknownUser] = (401, "The signed-in account no longer exists."),
        [ProblemCodes.InvalidRefreshToken] = (401, "This refresh token is unknown, expired or revoked: sign in again."),
        [ProblemCodes.RefreshTokenReused] = (401, "This refresh token was already used: it may have been copied, so this sign-in's tokens are all revoked. Sign in again."),
        [ProblemCodes.Forbidden] = (403, "Signed in, but not allowed to do this."),
        [ProblemCodes.CrossSiteRequest] = (403, "A change made with the session cookie must come from TicketFlow's own pages: send the antiforgery token (X-CSRF-TOKEN, from GET /api/v1/auth/session), or use a bearer token."),
        [ProblemCodes.NotAdmitted] = (403, "This event sells through its waiting room: send a valid admission token."),
        [ProblemCodes.NotFound] = (404, "Nothing is at this address."),
        [ProblemCodes.EventNotFound] = (404, "No event has this id."),
        [ProblemCodes.WaitingRoomNotFound] = (404, "Only high-demand events have a waiting room; this one has none."),
        [ProblemCodes.TicketNotFound] = (404, "You have no ticket with this id (or number, in a waiting room)."),
        [ProblemCodes.HoldNotFound] = (404, "You have no hold with this id."),
        [ProblemCodes.OrderNotFound] = (404, "You have no order with this id."),
        [ProblemCodes.TransferNotFound] = (404, "You have no transfer offer with this id (sent by you, or to your account's email)."),
        [ProblemCodes.SiloNotFound] = (404, "No silo has this address."),
        [ProblemCodes.MethodNotAllowed] = (405, "This address does not take this method."),
        [ProblemCodes.Conflict] = (409, "The request conflicts with the current state."),
        [ProblemCodes.LastAdmin] = (409, "This would leave no admin: give another account the admin role first."),
        [ProblemCodes.EmailTaken] = (409, "An account with this email already exists."),
        [ProblemCodes.EventClosed] = (409, "This event no longer sells tickets or changes (cancelled or over)."),
        [ProblemCodes.NotOnSale] = (409, "This event is not on sale."),
        [ProblemCodes.InvalidStatus] = (409, "The event cannot move to that status from the one it has (or, once on sale, change its seat map)."),
        [ProblemCodes.CapacityCannotShrink] = (409, "A tier's capacity may only grow."),
        [ProblemCodes.ConcurrentChange] = (409, "The event changed while this request was applied; nothing was written. Read it again and retry."),
        [ProblemCodes.SoldOut] = (409, "Not enough seats are left in a tier you asked for; nothing is held."),
        [ProblemCodes.LimitExceeded] = (409, "That would take you past the seats one person may hold or buy for this event."),
        [ProblemCodes.HoldAlreadyUsed] = (409, "This hold was already checked out."),
        [ProblemCodes.CheckoutInProgress] = (409, "This hold is being checked out."),
        [ProblemCodes.SeatTaken] = (409, "Someone else holds or bought a seat you asked for (see seatIds); nothing is held. Pick other seats or ask for the best available."),
        [ProblemCodes.SeatWrongTier] = (409, "A seat you asked for is not sold at the tier you named (see seatIds); nothing is held."),
        [ProblemCodes.NotTogether] = (409, "No row has that many free seats side by side; nothing is held. Ask without together to take seats in neighbouring rows."),
        [ProblemCodes.SeatNotFound] = (400, "A seat id is not a seat of this event's seat map (see seatIds); nothing is held."),
        [ProblemCodes.VenueNotFound] = (404, "No venue has this id."),
        [ProblemCodes.LayoutNotFound] = (404, "This event has no seat map in that version (or no seat map at all)."),
        [ProblemCodes.CheckoutInterrupted] = (409, "The checkout was interrupted before any payment and nothing was charged; the hold is yours until it expires: pay again."),
        [ProblemCodes.TicketUsed] = (409, "A ticket of this order was already used at the door."),
        [ProblemCodes.NotRefundable] = (409, "This order cannot be refunded in its current state."),
        [ProblemCodes.TicketTransferred] = (409, "None of this order's tickets is left for you to refund: the others were transferred, used or refunded already. Nothing changed."),
        [ProblemCodes.TicketNotRefundable] = (409, "A ticket you named is not yours to refund in this order (transferred, used, void, or not in it); nothing was refunded."),
        [ProblemCodes.TicketVoid] = (409, "This ticket is void (refunded or transferred)."),
        [ProblemCodes.TicketNotTransferable] = (409, "Only a valid ticket can be transferred; this one is used or void."),
        [ProblemCodes.TransferPending] = (409, "This ticket is already offered to someone: withdraw that offer first (DELETE /transfers/{transferId})."),
        [ProblemCodes.TransferNotOpen] = (409, "This offer is no longer open: accepted, withdrawn, expired, or void (the ticket was refunded, used or moved). Nothing changed."),
        [ProblemCodes.IdempotencyInProgress] = (409, "A request with this Idempotency-Key is still being processed; retry after Retry-After (the seconds until its claim lapses, should it never finish)."),
        [ProblemCodes.PaymentDeclined] = (402, "The payment was declined; the hold was released."),
        [ProblemCodes.HoldExpired] = (410, "The hold expired or was released; its seats went back on sale."),
        [ProblemCodes.PaymentFailed] = (410, "The payment could not be taken before the hold expired; nothing was charged."),
        [ProblemCodes.RequestTooLarge] = (413, "The request body is too large."),
        [ProblemCodes.UnsupportedMediaType] = (415, "Send JSON (Content-Type: application/json)."),
        [ProblemCodes.IdempotencyKeyReused] = (422, "This Idempotency-Key was used with a different request body."),
        [ProblemCodes.RateLimited] = (429, "Too many requests; wait for Retry-After."),
        [ProblemCodes.TooManyAttempts] = (429, "Too many failed sign-ins for this account or from this address; wait for Retry-After (it doubles with each further failure). The right password from an address the account signed in from before still works."),
        [ProblemCodes.ServerError] = (500, "Something failed on our side; nothing a client sent causes this."),
        [ProblemCodes.Unavailable] = (503, "A dependency is unavailable or overloaded; nothing changed. Retry after Retry-After with the same Idempotency-Key."),
        [ProblemCodes.TooManyConnections] = (503, "No room for another live-update connection on this server (or from your address): poll the event's `/availability` meanwhile, and connect again after Retry-After."),
        [ProblemCodes.PaymentUnavailable] = (503, "The payment service is unavailable; nothing was charged that will not be settled. Retry the checkout later."),
        [ProblemCodes.Error] = (400, "A client error whose status no other code names (the response carries that status)."),
    };

    /// <summary>The problem for <paramref name="code"/>, with its status, and its default wording unless a more precise one is given.</summary>
    public static IResult Of(string code, string? detail = null)
    {
        var (status, meaning) = Catalog[code];
        return Results.Problem(statusCode: status, title: code.Replace('_', ' '), detail: detail ?? meaning, type: TypeOf(code), extensions: Code(code));
    }

    /// <summary>A seat refusal (<c>seat_taken</c>, <c>seat_not_found</c>, <c>seat_wrong_tier</c>) naming its seats in <c>seatIds</c>.</summary>
    public static IResult OfSeats(string code, IReadOnlyList<string> seatIds, string? detail = null)
    {
        var (status, meaning) = Catalog[code];
        var extensions = Code(code);
        extensions["seatIds"] = seatIds;
        return Results.Problem(statusCode: status, title: code.Replace('_', ' '), detail: detail ?? meaning, type: TypeOf(code), extensions: extensions);
    }

    public static IResult Validation(IDictionary<string, string[]> errors) =>
        Results.ValidationProblem(errors, title: "The request has invalid fields.", extensions: Code(ProblemCodes.Validation));

    private static string TypeOf(string code) => $"https://ticketflow.dev/problems/{code}";

    private static Dictionary<string, object?> Code(string code) => new() { ["code"] = code };

    /// <summary>
    /// The status of a request that threw: the database being unreachable or restarting (connection refused, shutting
    /// down, too many clients, a connection refused or reset, also when a silo hit it during the grain call) or the cluster
    /// failing a grain call (any Orleans runtime failure, a timeout) is a 503 the client may retry with the same
    /// Idempotency-Key, not a 500.
    /// </summary>
    public static int StatusFor(Exception error) => error switch
    {
        BadHttpRequestException bad => bad.StatusCode,
        _ when TicketFlow.Data.DatabaseErrors.IsOutage(error) || TicketFlow.Grains.GrainCallFailures.IsTransient(error) => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>The code of a problem nobody named (the framework's own: unreadable input, unknown routes): one per status.</summary>
    public static string CodeFor(int status) => status switch
    {
        400 => ProblemCodes.BadRequest,
        401 => ProblemCodes.Unauthorized,
        403 => ProblemCodes.Forbidden,
        404 => ProblemCodes.NotFound,
        405 => ProblemCodes.MethodNotAllowed,
        409 => ProblemCodes.Conflict,
        413 => ProblemCodes.RequestTooLarge,
        415 => ProblemCodes.UnsupportedMediaType,
        429 => ProblemCodes.RateLimited,
        503 => ProblemCodes.Unavailable,
        _ => status >= 500 ? ProblemCodes.ServerError : ProblemCodes.Error,
    };
}
