namespace TicketFlow.Data.Orders;

public static class OrderStates
{
    public const string Paid = "paid";
    public const string Refunded = "refunded";
}

public static class TicketStates
{
    public const string Valid = "valid";
    public const string Used = "used";
    public const string Void = "void";
}

/// <summary>A reserved seat as a ticket names it: its id and its labels.</summary>
public sealed record TicketSeat(string Id, string SectionId, string Section, string Row, string Number);

/// <param name="Seats">A reserved tier's seats, one ticket each, in order; null for general admission.</param>
public sealed record OrderLine(string TierId, int Quantity, long PriceMinor, IReadOnlyList<TicketSeat>? Seats = null);

/// <summary>What a completed checkout writes: the order id is the checkout id (and the payment id).</summary>
public sealed record NewOrder(string Id, string UserId, string EventId, IReadOnlyList<OrderLine> Lines, string Currency, string PaymentId, DateTimeOffset CreatedAt)
{
    public long TotalMinor => Lines.Sum(line => line.PriceMinor * line.Quantity);
}

/// <param name="State"><c>paid</c> while any ticket is left (also after partial refunds: <paramref name="RefundedMinor"/> &gt; 0),
/// <c>refunded</c> once every ticket is void.</param>
/// <param name="Lines">What was bought; a reserved line with its seats (those of its tickets, refunded ones too).</param>
public sealed record Order(string Id, string UserId, string EventId, string State, IReadOnlyList<OrderLine> Lines, long TotalMinor,
    string Currency, string PaymentId, DateTimeOffset CreatedAt, long RefundedMinor = 0);

public sealed record OrderPage(IReadOnlyList<Order> Items, string? NextCursor);

/// <param name="Version">Bumped by every transfer: a code signed for an older version is void.</param>
/// <param name="VoidReason">Why a void ticket is void (<c>refund_requested</c>, <c>event_cancelled</c>); null otherwise.</param>
/// <param name="Seat">The ticket's number within its order line (1, 2, …).</param>
/// <param name="ReservedSeat">The reserved seat the ticket is for; null for general admission.</param>
public sealed record Ticket(string Id, string OrderId, string EventId, string TierId, int Seat, string OwnerId, string State, int Version,
    string? VoidReason = null, TicketSeat? ReservedSeat = null);

/// <summary>One refund's tickets to void: the buyer's (those they still own, unused: all of them, or the ones in
/// <paramref name="TicketIds"/>) or, <paramref name="Force"/>d by a cancellation, every ticket not void whoever holds it.</summary>
public sealed record TicketRefund(string OrderId, string RefundId, string BuyerId, IReadOnlyList<string>? TicketIds, bool Force, string Reason);

public enum VoidOutcome
{
    Voided,
    /// <summary>No ticket of the order is left for this refund (transferred, used or refunded already).</summary>
    NothingLeft,
    /// <summary>A named ticket is not the buyer's valid ticket of this order; nothing changed.</summary>
    NotRefundable,
    NotFound,
}

/// <summary>Tickets of one tier a refund voided, at the order line's price.</summary>
/// <param name="SeatIds">The reserved seats of the voided tickets (null for general admission).</param>
public sealed record VoidedLine(string TierId, int Quantity, long PriceMinor, IReadOnlyList<string>? SeatIds = null);

/// <param name="Lines">What the refund voided (now, or the first time for a repeated refund id); empty unless voided.</param>
public sealed record VoidResult(VoidOutcome Outcome, IReadOnlyList<VoidedLine> Lines);

public enum TransferOutcome
{
    Transferred,
    NotFound,
    NotOwner,
    NotTransferable,
}

public enum CheckInOutcome
{
    CheckedIn,
    AlreadyUsed,
    Void,
    NotFound,
}

public sealed record TierSales(string TierId, int Sold, long RevenueMinor);

/// <param name="CheckoutFailures">Checkouts that ended without an order: declined, abandoned, or refunded because the seats were lost.</param>
public sealed record EventSales(int PaidOrders, int RefundedOrders, long RevenueMinor, IReadOnlyList<TierSales> Tiers, int CheckoutFailures);

/// <summary>Orders and tickets (PostgreSQL in a cluster, SQLite embedded). Constraints back the invariants:
/// one order per checkout, one ticket per order-line seat, non-negative quantities, one reserved seat of an event on at most one ticket that is not void.</summary>
public interface IOrderBook
{
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Writes the order and one ticket per seat in one transaction; issuing the same order id again changes nothing.
    /// A reserved line's ticket i is for its seat i: a reserved line with another count of seats than tickets, or a seat twice, is an
    /// <see cref="ArgumentException"/>; a seat already on another ticket of the event that is not void, a <see cref="System.Data.Common.DbException"/>.</summary>
    Task<Order> IssueAsync(NewOrder order, CancellationToken cancellationToken);

    Task<Order?> GetAsync(string orderId, CancellationToken cancellationToken);

    /// <summary>A user's orders, newest first.</summary>
    Task<OrderPage> ListForUserAsync(string userId, int limit, string? cursor, CancellationToken cancellationToken);

    Task<IReadOnlyList<Ticket>> TicketsForUserAsync(string userId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Ticket>> TicketsForOrderAsync(string orderId, CancellationToken cancellationToken);

    Task<Ticket?> GetTicketAsync(string ticketId, CancellationToken cancellationToken);

    /// <summary>Voids one refund's tickets in one transaction, adds their prices to the order's refunded amount, and marks the
    /// order refunded once no ticket is left. The same refund id again changes nothing and answers what it voided.</summary>
    Task<VoidResult> VoidAsync(TicketRefund refund, CancellationToken cancellationToken);

    /// <summary>Orders of the event with tickets left (paid, partially refunded or not).</summary>
    Task<IReadOnlyList<string>> PaidOrderIdsAsync(string eventId, CancellationToken cancellationToken);

    /// <summary>Moves a valid ticket to another user and bumps its version, so the old code is void.</summary>
    Task<TransferOutcome> TransferAsync(string ticketId, string fromUserId, string toUserId, CancellationToken cancellationToken);

    /// <summary>Marks a valid ticket used if <paramref name="version"/> is its current version.</summary>
    Task<CheckInOutcome> CheckInAsync(string ticketId, int version, CancellationToken cancellationToken);

    Task<EventSales> SalesAsync(string eventId, CancellationToken cancellationToken);

    /// <summary>Counts a checkout that ended without an order (once per checkout).</summary>
    Task RecordCheckoutFailureAsync(string checkoutId, string eventId, string reason, CancellationToken cancellationToken);
}
