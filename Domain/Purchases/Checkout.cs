using System.Text.Json.Serialization;

namespace TicketFlow.Domain.Purchases;

/// <summary>
/// Where a checkout saga stands. Every step owes at most one piece of <see cref="CheckoutWork"/>, made of idempotent calls:
/// a crash inside it repeats it, and its outcome moves the saga on. Stored as its number: the numbers never change, and
/// new steps take new numbers (so a saga stored in an old step reads the same after an upgrade, and back after a rollback).
/// </summary>
public enum CheckoutStep
{
    New = 0,
    /// <summary>The hold is ours to pay for; nothing charged.</summary>
    Verified = 1,
    /// <summary>A capture may have been sent: until the gateway says otherwise, money may have moved.</summary>
    Paying = 2,
    Paid = 3,
    /// <summary>Every tier sold the hold's seats.</summary>
    Confirmed = 4,
    Completed = 5,
    Declined = 6,
    /// <summary>Money was taken but (part of) the sale cannot stand (seats lost, a refund asked, event cancelled): void the tickets first.</summary>
    Refunding = 7,
    Refunded = 8,
    /// <summary>Ended before any capture (hold gone); nothing to give back.</summary>
    Abandoned = 9,
    /// <summary>The gateway declined: the seats go back and the hold is released.</summary>
    Declining = 10,
    /// <summary>No capture and none coming: the hold is marked expired and the failure recorded.</summary>
    Abandoning = 11,
    /// <summary>The refund's tickets are void (or were never issued): their seats and their money go back.</summary>
    Voided = 12,
}

/// <summary>What the grain owes the current step: calls to other grains, the gateway or the order book, all idempotent.</summary>
public enum CheckoutWork
{
    /// <summary>Finished: nothing to do.</summary>
    None,
    /// <summary>Ask the shopper to hand the hold to this saga (<see cref="Checkout.HoldVerified"/> or <see cref="Checkout.HoldRefused"/>).</summary>
    VerifyHold,
    /// <summary>No call: store <see cref="Checkout.Paying"/> (with the resume reminder) before any capture is sent.</summary>
    BeginPayment,
    /// <summary>Capture with the checkout id as the payment id (<see cref="Checkout.Captured"/> or <see cref="Checkout.Declined"/>).</summary>
    Capture,
    /// <summary>Release the seats on every tier, mark the hold released, record the failure (<see cref="Checkout.SeatsReleased"/>).</summary>
    ReleaseSeats,
    /// <summary>Sell the held seats on every tier (<see cref="Checkout.SeatsConfirmed"/> or <see cref="Checkout.SeatsLost"/>).</summary>
    ConfirmSeats,
    /// <summary>Write the order and its tickets, mark the hold purchased (<see cref="Checkout.OrderIssued"/>).</summary>
    IssueOrder,
    /// <summary>Void the pending refund's tickets in the order book (<see cref="Checkout.TicketsVoided"/> or <see cref="Checkout.RefundRefused"/>).</summary>
    VoidTickets,
    /// <summary>The voided tickets' seats back on sale and their money refunded, under the refund's id; the hold marked refunded
    /// once nothing is left (<see cref="Checkout.Refunded"/>).</summary>
    ReturnSeatsAndMoney,
    /// <summary>Mark the hold expired, or hand it back when <see cref="Checkout.HandsHoldBack"/> (if the saga had it), and
    /// record the failure (<see cref="Checkout.Abandoned"/>).</summary>
    EndHold,
}

/// <summary>
/// The checkout saga as a plain state machine: which step it is at, what that step owes, and which moves are allowed.
/// The grain stores each new step before it does the step's work (load → decide → persist → act), so after a crash the
/// stored step says exactly what may already have happened.
/// </summary>
public sealed record Checkout(string Id, string HoldId, string EventId, string UserId, string? Simulate, CheckoutStep Step,
    IReadOnlyList<HoldLine> Lines, string Currency, string? FailureReason, DateTimeOffset StartedAt, DateTimeOffset UpdatedAt)
{
    /// <summary>Sold through a waiting room (the room is told when the order is issued).</summary>
    public bool HighDemand { get; init; }

    /// <summary>Read from sagas stored mid-refund before refunds had ids (a whole-order refund); new sagas keep it false.</summary>
    public bool ForceRefund { get; init; }

    /// <summary>The refund under way (in <see cref="CheckoutStep.Refunding"/> and <see cref="CheckoutStep.Voided"/>).</summary>
    public OrderRefund? PendingRefund { get; init; }

    /// <summary>Refunds done, in order: each voided its tickets and gave back their seats and money exactly once.</summary>
    public IReadOnlyList<OrderRefund> Refunds { get; init; } = [];

    [JsonIgnore]
    public long TotalMinor => Lines.Sum(l => l.PriceMinor * l.Quantity);

    [JsonIgnore]
    public long RefundedMinor => Refunds.Sum(r => r.AmountMinor);

    /// <summary>The refund the current step works on; a saga stored mid-refund by the old layout refunds the whole order.</summary>
    [JsonIgnore]
    public OrderRefund CurrentRefund => PendingRefund ?? new OrderRefund(Id, null, ForceRefund)
        { Lines = Step == CheckoutStep.Voided ? Lines.Select(RefundedLine.Whole).ToList() : [] };

    /// <summary>The refund gives back a payment whose seats were lost before any order existed (every seat, the whole amount).</summary>
    [JsonIgnore]
    public bool SeatsLostAfterPayment => FailureReason is not (CheckoutReasons.RefundRequested or CheckoutReasons.EventCancelled);

    [JsonIgnore]
    public bool IsFinished => Step is CheckoutStep.Completed or CheckoutStep.Declined or CheckoutStep.Refunded or CheckoutStep.Abandoned;

    /// <summary>Steps after which money may have been captured and not yet settled.</summary>
    [JsonIgnore]
    public bool MoneyMayHaveMoved => Step is CheckoutStep.Paying or CheckoutStep.Paid or CheckoutStep.Confirmed or CheckoutStep.Refunding
        or CheckoutStep.Voided;

    [JsonIgnore]
    public CheckoutWork Work => Step switch
    {
        CheckoutStep.New => CheckoutWork.VerifyHold,
        CheckoutStep.Verified => CheckoutWork.BeginPayment,
        CheckoutStep.Paying => CheckoutWork.Capture,
        CheckoutStep.Declining => CheckoutWork.ReleaseSeats,
        CheckoutStep.Paid => CheckoutWork.ConfirmSeats,
        CheckoutStep.Confirmed => CheckoutWork.IssueOrder,
        CheckoutStep.Refunding => CheckoutWork.VoidTickets,
        CheckoutStep.Voided => CheckoutWork.ReturnSeatsAndMoney,
        CheckoutStep.Abandoning => CheckoutWork.EndHold,
        _ => CheckoutWork.None,
    };

    /// <summary>How a finished checkout answers its caller: null when the buyer has their order (or asked for the refund they got).</summary>
    [JsonIgnore]
    public string? Error => Step switch
    {
        CheckoutStep.Declined => ProblemCodes.PaymentDeclined,
        CheckoutStep.Abandoned => FailureReason ?? ProblemCodes.HoldExpired,
        // Seats lost after capture are a failed checkout; a refund asked for (by the buyer, by a cancel) is a success.
        CheckoutStep.Refunded => FailureReason is ProblemCodes.HoldExpired or ProblemCodes.EventClosed ? FailureReason : null,
        _ => null,
    };

    /// <summary>The order id, once an order exists (or existed).</summary>
    [JsonIgnore]
    public string? OrderId => Step is CheckoutStep.Completed or CheckoutStep.Refunding or CheckoutStep.Voided or CheckoutStep.Refunded ? Id : null;

    /// <summary>What a failure is recorded as in the order book's failure counts (checkouts that did not become orders).</summary>
    [JsonIgnore]
    public string? RecordedFailure => Step switch
    {
        CheckoutStep.Declining => ProblemCodes.PaymentDeclined,
        CheckoutStep.Abandoning => FailureReason,
        CheckoutStep.Voided when FailureReason == ProblemCodes.HoldExpired => CheckoutReasons.SeatsLostAfterCapture,
        _ => null,
    };

    /// <summary>Ending without a payment while the hold is still valid: the buyer gets it back (active) to pay again.</summary>
    [JsonIgnore]
    public bool HandsHoldBack => Step == CheckoutStep.Abandoning && FailureReason == ProblemCodes.CheckoutInterrupted;

    /// <summary>The resume reminder needs the hold (and maybe the gateway) to decide: only before the money is known taken.</summary>
    [JsonIgnore]
    public bool ResumeLooksUpHold => Step is CheckoutStep.New or CheckoutStep.Verified or CheckoutStep.Paying;

    /// <summary>How the saga ended, as the checkouts metric labels it.</summary>
    [JsonIgnore]
    public string OutcomeLabel => Step == CheckoutStep.Refunded ? $"refunded_{FailureReason}" : StepName;

    /// <summary>The step as the API shows it (<c>paying</c>, <c>completed</c>, …).</summary>
    [JsonIgnore]
    public string StepName => Step.ToString().ToLowerInvariant();

    public static Checkout Start(string id, string holdId, string eventId, string userId, string? simulate, DateTimeOffset now) =>
        new(id, holdId, eventId, userId, simulate, CheckoutStep.New, [], "", null, now, now);

    /// <summary>The same buyer asks again: a payment not yet settled is retried (same payment id) with what they chose now.</summary>
    public Checkout Retried(string? simulate) => Step is CheckoutStep.Verified or CheckoutStep.Paying ? this with { Simulate = simulate } : this;

    public Checkout HoldVerified(Hold hold, DateTimeOffset now) =>
        Move(now, CheckoutStep.Verified, [CheckoutStep.New]) with { Lines = hold.Lines, Currency = hold.Currency };

    /// <summary>The shopper would not hand over the hold (gone, expired, used): nothing was charged.</summary>
    public Checkout HoldRefused(string reason, DateTimeOffset now) => Move(now, CheckoutStep.Abandoning, [CheckoutStep.New]) with { FailureReason = reason };

    public Checkout Paying(DateTimeOffset now) => Move(now, CheckoutStep.Paying, [CheckoutStep.Verified]);

    public Checkout Captured(DateTimeOffset now) => Move(now, CheckoutStep.Paid, [CheckoutStep.Paying]);

    public Checkout Declined(string reason, DateTimeOffset now) => Move(now, CheckoutStep.Declining, [CheckoutStep.Paying]) with { FailureReason = reason };

    public Checkout SeatsReleased(DateTimeOffset now) => Move(now, CheckoutStep.Declined, [CheckoutStep.Declining]);

    public Checkout SeatsConfirmed(DateTimeOffset now) => Move(now, CheckoutStep.Confirmed, [CheckoutStep.Paid]);

    /// <summary>A tier no longer had the hold when the money was in: the sale cannot stand.</summary>
    public Checkout SeatsLost(string reason, DateTimeOffset now) =>
        Move(now, CheckoutStep.Refunding, [CheckoutStep.Paid]) with { FailureReason = reason, PendingRefund = new OrderRefund(Id, null, Force: true) };

    public Checkout OrderIssued(DateTimeOffset now) => Move(now, CheckoutStep.Completed, [CheckoutStep.Confirmed]);

    /// <summary>
    /// A refund is asked (the buyer's, or a cancellation's with <see cref="OrderRefund.Force"/>): a completed order starts it,
    /// the same refund asked again (a retry, same id) goes on or is already done, and anything else is refused. Another
    /// refund still under way must finish first (<see cref="RefundUnderWay"/>: the grain drives it, then asks again).
    /// </summary>
    public (Checkout Next, string? Refusal) RefundAsked(OrderRefund refund, DateTimeOffset now)
    {
        if (Refunds.Any(r => r.Id == refund.Id) || PendingRefund?.Id == refund.Id) return (this, null);
        return Step switch
        {
            CheckoutStep.Completed => (Move(now, CheckoutStep.Refunding, [CheckoutStep.Completed]) with { PendingRefund = refund, FailureReason = refund.Reason }, null),
            // A cancellation finds the order refunded already: nothing is left to give back, and that is its success.
            CheckoutStep.Refunded when refund.Force => (this, null),
            CheckoutStep.Refunded => (this, ProblemCodes.TicketTransferred),
            _ => (this, ProblemCodes.NotRefundable),
        };
    }

    /// <summary>Another refund than <paramref name="refundId"/> is between its steps: it is finished first.</summary>
    public bool RefundUnderWay(string refundId) => Step is CheckoutStep.Refunding or CheckoutStep.Voided && CurrentRefund.Id != refundId;

    /// <summary>The refund asked under <paramref name="refundId"/> is done (its tickets void, their seats and money back).</summary>
    public OrderRefund? RefundDone(string refundId) => Refunds.FirstOrDefault(r => r.Id == refundId);

    /// <summary>The refund asked under <paramref name="refundId"/> has its answer: it is done, or it was a cancellation
    /// that found nothing left to refund.</summary>
    public bool RefundSettled(string refundId, bool force) => RefundDone(refundId) is not null || (force && FullyRefunded);

    /// <summary>No ticket of the order is left: every seat was refunded (or lost after payment).</summary>
    [JsonIgnore]
    public bool FullyRefunded => Step == CheckoutStep.Refunded;

    /// <summary>The order book voided these tickets (per tier, with their price); for seats lost there was no order: every seat.</summary>
    public Checkout TicketsVoided(IReadOnlyList<RefundedLine> voided, DateTimeOffset now) =>
        Move(now, CheckoutStep.Voided, [CheckoutStep.Refunding]) with { PendingRefund = CurrentRefund with { Lines = voided } };

    /// <summary>The order book refused the refund (<paramref name="reason"/>: nothing left, a named ticket not refundable): the
    /// sale stands as it was, and the reason stays for the caller.</summary>
    public Checkout RefundRefused(string reason, DateTimeOffset now) =>
        Move(now, CheckoutStep.Completed, [CheckoutStep.Refunding]) with { FailureReason = reason, ForceRefund = false, PendingRefund = null };

    /// <summary>The refund's seats and money are back: the order stands with what is left, or is refunded once no seat is left.</summary>
    public Checkout Refunded(DateTimeOffset now)
    {
        var refunds = Refunds.Append(CurrentRefund).ToList();
        var left = Lines.Sum(l => l.Quantity) - refunds.Sum(r => r.Quantity);
        return Move(now, left > 0 ? CheckoutStep.Completed : CheckoutStep.Refunded, [CheckoutStep.Voided]) with
        {
            Refunds = refunds, PendingRefund = null, ForceRefund = false, FailureReason = left > 0 ? null : FailureReason,
        };
    }

    /// <summary>Nothing was charged: before any capture, or (from <see cref="CheckoutStep.Paying"/>) once the gateway, asked well
    /// after any capture could still be in flight, knows no payment.</summary>
    public Checkout Abandon(string reason, DateTimeOffset now) =>
        Move(now, CheckoutStep.Abandoning, [CheckoutStep.New, CheckoutStep.Verified, CheckoutStep.Paying]) with { FailureReason = reason };

    public Checkout Abandoned(DateTimeOffset now) => Move(now, CheckoutStep.Abandoned, [CheckoutStep.Abandoning]);

    /// <summary>
    /// The resume reminder's decision, from what it looked up. Before the payment step a saga is never carried on by the
    /// reminder: nobody is waiting for it (a call in progress would hold the grain), and a buyer who left must not be
    /// charged later; it ends, handing a still-valid hold back to the buyer (<see cref="HandsHoldBack"/>). While paying,
    /// only a hold past its expiry together with a gateway that knows no payment ends it; after the capture it goes on.
    /// </summary>
    /// <param name="hold">The hold as its shopper has it now (null: gone).</param>
    /// <param name="paymentKnownAbsent">The gateway answered that it holds no payment under this checkout's id.</param>
    public Checkout OnResume(Hold? hold, bool paymentKnownAbsent, DateTimeOffset now) => Step switch
    {
        CheckoutStep.New or CheckoutStep.Verified => Abandon(Lapsed(hold, now) ? ProblemCodes.HoldExpired : ProblemCodes.CheckoutInterrupted, now),
        CheckoutStep.Paying when Lapsed(hold, now) && paymentKnownAbsent => Abandon(ProblemCodes.PaymentFailed, now),
        _ => this,
    };

    /// <summary>True when <see cref="OnResume"/> needs to know whether the gateway holds a payment (only then is it asked).</summary>
    public bool ResumeAsksGateway(Hold? hold, DateTimeOffset now) => Step == CheckoutStep.Paying && Lapsed(hold, now);

    /// <summary>The hold is gone or past its expiry (by its own clock: a hold in checkout never reads as expired).</summary>
    private static bool Lapsed(Hold? hold, DateTimeOffset now) => hold is null || hold.ExpiresAt <= now;

    private Checkout Move(DateTimeOffset now, CheckoutStep to, CheckoutStep[] from) => from.Contains(Step)
        ? this with { Step = to, UpdatedAt = now }
        : throw new InvalidOperationException($"Checkout {Id} cannot move from {Step} to {to}.");
}

/// <summary>
/// One refund of an order, under its own id (from the buyer's Idempotency-Key, or the cancellation's): the buyer's covers
/// the tickets they still own and that are unused, or those of them in <paramref name="TicketIds"/>; a forced one
/// (event cancelled) every ticket not void yet, whoever holds it.
/// </summary>
public sealed record OrderRefund(string Id, IReadOnlyList<string>? TicketIds, bool Force)
{
    /// <summary>What the order book voided (set once the tickets are void): the seats and money this refund gives back.</summary>
    public IReadOnlyList<RefundedLine> Lines { get; init; } = [];

    [JsonIgnore]
    public long AmountMinor => Lines.Sum(l => l.PriceMinor * l.Quantity);

    [JsonIgnore]
    public int Quantity => Lines.Sum(l => l.Quantity);

    [JsonIgnore]
    public string Reason => Force ? CheckoutReasons.EventCancelled : CheckoutReasons.RefundRequested;
}

/// <summary>Tickets of one tier a refund voided, at the order line's price.</summary>
/// <param name="SeatIds">The reserved seats these tickets held (null for general admission): exactly those go back on sale.</param>
public sealed record RefundedLine(string TierId, int Quantity, long PriceMinor, IReadOnlyList<string>? SeatIds = null)
{
    /// <summary>Every seat of a hold line.</summary>
    public static RefundedLine Whole(HoldLine line) => new(line.TierId, line.Quantity, line.PriceMinor, line.Seats?.Select(s => s.Id).ToList());
}

/// <summary>Why a checkout was refunded or failed, besides the problem codes a step can end with.</summary>
public static class CheckoutReasons
{
    public const string RefundRequested = "refund_requested";
    public const string EventCancelled = "event_cancelled";
    /// <summary>Recorded (not answered): the money was in but a tier no longer had the hold.</summary>
    public const string SeatsLostAfterCapture = "seats_lost_after_capture";
}
