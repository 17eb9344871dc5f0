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

public sealed record OrderLine(string TierId, int Quantity, long PriceMinor);

/// <summary>What a completed checkout writes: the order id is the checkout id (and the payment id).</summary>
public sealed record NewOrder(string Id, string UserId, string EventId, IReadOnlyList<OrderLine> Lines, string Currency, string PaymentId, DateTimeOffset CreatedAt)
{
    public long TotalMinor => Lines.Sum(line => line.PriceMinor * line.Quantity);
}

public sealed record Order(string Id, string UserId, string EventId, string State, IReadOnlyList<OrderLine> Lines, long TotalMinor,
    string Currency, string PaymentId, DateTimeOffset CreatedAt);

public sealed record OrderPage(IReadOnlyList<Order> Items, string? NextCursor);

/// <param name="Version">Bumped by every transfer: a code signed for an older version is void.</param>
public sealed record Ticket(string Id, string OrderId, string EventId, string TierId, int Seat, string OwnerId, string State, int Version);

public enum VoidOutcome
{
    Voided,
    AlreadyRefunded,
    TicketUsed,
    NotFound,
}

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
/// one order per checkout, one ticket per order-line seat, non-negative quantities.</summary>
public interface IOrderBook
{
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Writes the order and one ticket per seat in one transaction; issuing the same order id again changes nothing.</summary>
    Task<Order> IssueAsync(NewOrder order, CancellationToken cancellationToken);

    Task<Order?> GetAsync(string orderId, CancellationToken cancellationToken);

    /// <summary>A user's orders, newest first.</summary>
    Task<OrderPage> ListForUserAsync(string userId, int limit, string? cursor, CancellationToken cancellationToken);

    Task<IReadOnlyList<Ticket>> TicketsForUserAsync(string userId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Ticket>> TicketsForOrderAsync(string orderId, CancellationToken cancellationToken);

    Task<Ticket?> GetTicketAsync(string ticketId, CancellationToken cancellationToken);

    /// <summary>Marks a paid order refunded and voids its tickets in one transaction. Unless <paramref name="force"/>
    /// (event cancelled), an order with a used ticket is not refundable.</summary>
    Task<VoidOutcome> VoidAsync(string orderId, bool force, CancellationToken cancellationToken);

    Task<IReadOnlyList<string>> PaidOrderIdsAsync(string eventId, CancellationToken cancellationToken);

    /// <summary>Moves a valid ticket to another user and bumps its version, so the old code is void.</summary>
    Task<TransferOutcome> TransferAsync(string ticketId, string fromUserId, string toUserId, CancellationToken cancellationToken);

    /// <summary>Marks a valid ticket used if <paramref name="version"/> is its current version.</summary>
    Task<CheckInOutcome> CheckInAsync(string ticketId, int version, CancellationToken cancellationToken);

    Task<EventSales> SalesAsync(string eventId, CancellationToken cancellationToken);

    /// <summary>Counts a checkout that ended without an order (once per checkout).</summary>
    Task RecordCheckoutFailureAsync(string checkoutId, string eventId, string reason, CancellationToken cancellationToken);
}
