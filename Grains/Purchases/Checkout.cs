namespace TicketFlow.Grains.Purchases;

public enum CheckoutStep
{
    New,
    /// <summary>The hold is ours to pay for; nothing charged.</summary>
    Verified,
    /// <summary>A capture was sent: until the gateway says otherwise, money may have moved.</summary>
    Paying,
    Paid,
    /// <summary>Every tier sold the hold's seats.</summary>
    Confirmed,
    Completed,
    Declined,
    /// <summary>Money was taken but the sale cannot stand (seats lost, order refunded, event cancelled): give everything back.</summary>
    Refunding,
    Refunded,
    /// <summary>Ended before any capture (hold gone); nothing to give back.</summary>
    Abandoned,
}

/// <summary>
/// The checkout saga as a plain state machine: which step it is at and which moves are allowed. The grain stores
/// it before every side effect, so after a crash the step says what may already have happened.
/// </summary>
public sealed record Checkout(string Id, string HoldId, string EventId, string UserId, string? Simulate, CheckoutStep Step,
    IReadOnlyList<HoldLine> Lines, string Currency, string? FailureReason, DateTimeOffset StartedAt, DateTimeOffset UpdatedAt)
{
    /// <summary>Sold through a waiting room (the room is told when the order is issued).</summary>
    public bool HighDemand { get; init; }

    /// <summary>The refund goes ahead even if a ticket was used (the event was cancelled).</summary>
    public bool ForceRefund { get; init; }

    public long TotalMinor => Lines.Sum(l => l.PriceMinor * l.Quantity);

    public bool IsFinished => Step is CheckoutStep.Completed or CheckoutStep.Declined or CheckoutStep.Refunded or CheckoutStep.Abandoned;

    /// <summary>Steps after which money may have been captured and not yet settled: a reminder must drive them on.</summary>
    public bool NeedsResume => Step is CheckoutStep.Paying or CheckoutStep.Paid or CheckoutStep.Confirmed or CheckoutStep.Refunding;


    public static Checkout Start(string id, string holdId, string eventId, string userId, string? simulate, DateTimeOffset now) =>
        new(id, holdId, eventId, userId, simulate, CheckoutStep.New, [], "", null, now, now);

    public Checkout Verified(HoldView hold, DateTimeOffset now) =>
        Move(now, CheckoutStep.Verified, [CheckoutStep.New]) with { Lines = hold.Lines, Currency = hold.Currency };

    public Checkout Paying(DateTimeOffset now) => Move(now, CheckoutStep.Paying, [CheckoutStep.Verified]);

    public Checkout Captured(DateTimeOffset now) => Move(now, CheckoutStep.Paid, [CheckoutStep.Paying]);

    public Checkout Declined(string reason, DateTimeOffset now) => Move(now, CheckoutStep.Declined, [CheckoutStep.Paying]) with { FailureReason = reason };

    public Checkout SeatsConfirmed(DateTimeOffset now) => Move(now, CheckoutStep.Confirmed, [CheckoutStep.Paid]);

    public Checkout OrderIssued(DateTimeOffset now) => Move(now, CheckoutStep.Completed, [CheckoutStep.Confirmed]);

    /// <summary>Seats lost after capture, or a completed order refunded.</summary>
    public Checkout Refund(string reason, DateTimeOffset now) =>
        Move(now, CheckoutStep.Refunding, [CheckoutStep.Paid, CheckoutStep.Confirmed, CheckoutStep.Completed]) with { FailureReason = reason };

    public Checkout Refunded(DateTimeOffset now) => Move(now, CheckoutStep.Refunded, [CheckoutStep.Refunding]);

    /// <summary>A buyer's refund the order book refused (a ticket was used at the door): the sale stands.</summary>
    public Checkout RefundRefused(DateTimeOffset now) =>
        Move(now, CheckoutStep.Completed, [CheckoutStep.Refunding]) with { FailureReason = null, ForceRefund = false };

    /// <summary>Nothing was charged: before any capture, or (from <see cref="CheckoutStep.Paying"/>) once the gateway, asked well
    /// after any capture could still be in flight, knows no payment.</summary>
    public Checkout Abandon(string reason, DateTimeOffset now) =>
        Move(now, CheckoutStep.Abandoned, [CheckoutStep.New, CheckoutStep.Verified, CheckoutStep.Paying]) with { FailureReason = reason };

    private Checkout Move(DateTimeOffset now, CheckoutStep to, CheckoutStep[] from) => from.Contains(Step)
        ? this with { Step = to, UpdatedAt = now }
        : throw new InvalidOperationException($"Checkout {Id} cannot move from {Step} to {to}.");
}
