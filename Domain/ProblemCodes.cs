namespace TicketFlow.Domain;

/// <summary>
/// Every problem code the API answers with (the <c>code</c> of an RFC 9457 problem), in one place. The state machines
/// decide most of them; the WebFront gives each its HTTP status and wording (<c>WebFront/Problems.cs</c>), and
/// docs/ERRORS.md is checked against both by a test. Codes are a contract: add, never rename.
/// </summary>
public static class ProblemCodes
{
    // Any request
    public const string Validation = "validation";
    public const string BadRequest = "bad_request";
    public const string Unauthorized = "unauthorized";
    public const string Forbidden = "forbidden";
    public const string NotFound = "not_found";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string Conflict = "conflict";
    public const string RequestTooLarge = "request_too_large";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string RateLimited = "rate_limited";
    public const string Unavailable = "unavailable";
    public const string ServerError = "server_error";
    public const string Error = "error";
    public const string IdempotencyKeyReused = "idempotency_key_reused";
    public const string IdempotencyInProgress = "idempotency_in_progress";
    public const string CrossSiteRequest = "cross_site_request";
    public const string TooManyConnections = "too_many_connections";

    // Accounts
    public const string EmailTaken = "email_taken";
    public const string InvalidCredentials = "invalid_credentials";
    public const string TooManyAttempts = "too_many_attempts";
    public const string UnknownUser = "unknown_user";
    public const string InvalidRefreshToken = "invalid_refresh_token";
    public const string RefreshTokenReused = "refresh_token_reused";
    public const string LastAdmin = "last_admin";

    // Catalog
    public const string EventNotFound = "event_not_found";
    public const string EventClosed = "event_closed";
    public const string NotOnSale = "not_on_sale";
    public const string InvalidStatus = "invalid_status";
    public const string CapacityCannotShrink = "capacity_cannot_shrink";
    public const string ConcurrentChange = "concurrent_change";

    // Waiting room
    public const string NotAdmitted = "not_admitted";
    public const string WaitingRoomNotFound = "waiting_room_not_found";

    // Holds and checkout
    public const string SoldOut = "sold_out";
    public const string LimitExceeded = "limit_exceeded";
    public const string HoldNotFound = "hold_not_found";
    public const string HoldExpired = "hold_expired";
    public const string HoldAlreadyUsed = "hold_already_used";
    public const string CheckoutInProgress = "checkout_in_progress";
    public const string PaymentDeclined = "payment_declined";
    public const string PaymentUnavailable = "payment_unavailable";
    public const string PaymentFailed = "payment_failed";
    public const string CheckoutInterrupted = "checkout_interrupted";

    // Reserved seating
    /// <summary>A seat someone else holds or bought; the problem names the seats.</summary>
    public const string SeatTaken = "seat_taken";
    public const string SeatNotFound = "seat_not_found";
    /// <summary>A seat the event sells at another tier than the item named (or does not sell).</summary>
    public const string SeatWrongTier = "seat_wrong_tier";
    /// <summary><c>together: true</c> and no row has that many free seats side by side.</summary>
    public const string NotTogether = "not_together";
    public const string VenueNotFound = "venue_not_found";
    public const string LayoutNotFound = "layout_not_found";

    // Orders and tickets
    public const string OrderNotFound = "order_not_found";
    public const string NotRefundable = "not_refundable";
    public const string TicketNotFound = "ticket_not_found";
    public const string TicketUsed = "ticket_used";
    public const string TicketVoid = "ticket_void";
    public const string TicketNotTransferable = "ticket_not_transferable";
    /// <summary>A buyer's refund found none of the order's tickets still theirs and unused.</summary>
    public const string TicketTransferred = "ticket_transferred";
    /// <summary>A ticket the buyer named is not theirs to refund in this order (transferred, used, void, or not in it).</summary>
    public const string TicketNotRefundable = "ticket_not_refundable";

    // Transfers
    public const string TransferNotFound = "transfer_not_found";
    public const string TransferNotOpen = "transfer_not_open";
    public const string TransferPending = "transfer_pending";

    // Operations
    public const string SiloNotFound = "silo_not_found";

    /// <summary>Every code above, read once by reflection (for the catalogue check and the docs test).</summary>
    public static IReadOnlyList<string> All { get; } = typeof(ProblemCodes).GetFields()
        .Where(f => f.IsLiteral && f.FieldType == typeof(string)).Select(f => (string)f.GetRawConstantValue()!).ToList();
}
