using Microsoft.Extensions.Logging;
using TicketFlow.Data.Orders;
using TicketFlow.Domain;
using TicketFlow.Domain.Purchases;
using TicketFlow.Grains.Inventory;
using TicketFlow.Grains.WaitingRoom;
using TicketFlow.Payments;

namespace TicketFlow.Grains.Purchases;

/// <summary>Stored as JSON by Orleans' grain storage (provider <c>state</c>) before every side effect of the saga.</summary>
public sealed class CheckoutState
{
    public Checkout? Checkout { get; set; }
}

/// <summary>
/// Orleans' shell around <see cref="Checkout"/>: it does the work the current step owes (the gateway, the inventory
/// grains, the shopper, the order book), hands the outcome to the machine, and stores the next step before doing its
/// work. A durable reminder drives a saga whose silo died back to where it stood.
/// </summary>
[GrainType("checkout")]
public sealed class CheckoutGrain(
    [PersistentState("checkout", StorageProviders.State)] IPersistentState<CheckoutState> state,
    IPaymentGateway gateway,
    IOrderBook orders,
    CheckoutOptions options,
    TimeProvider time,
    ILogger<CheckoutGrain> logger) : Grain, ICheckoutGrain, IRemindable
{
    private const string ResumeReminder = "resume";
    private static readonly TimeSpan UnknownOutcomeRetryAfter = TimeSpan.FromSeconds(5);

    private IGrainReminder? armed;

    private Checkout? Current => state.State.Checkout;

    private DateTimeOffset Now => time.GetUtcNow();

    public async Task<CheckoutReply> Checkout(CheckoutRequest request)
    {
        if (Current is null)
        {
            // Stored, with its reminder, before anything else happens: no crash can leave the hold locked by a saga nobody resumes.
            await ArmResumeAsync();
            await SaveAsync(Domain.Purchases.Checkout.Start(this.GetPrimaryKeyString(), request.HoldId, request.EventId, request.UserId, request.Simulate, Now)
                with { HighDemand = request.HighDemand });
        }
        else if (Current.HoldId != request.HoldId || Current.UserId != request.UserId)
            return Reply(ProblemCodes.HoldNotFound);
        else
            state.State.Checkout = Current.Retried(request.Simulate); // an unsettled payment is retried with the same payment id
        return await DriveAsync();
    }

    public async Task<CheckoutReply> Refund(RefundRequest request)
    {
        if (Current is null) return new CheckoutReply(ProblemCodes.NotFound, "none", null);
        if (Current.RefundUnderWay(request.RefundId))
        {
            // One refund at a time: finish the one a crash or a wait left between its steps, then this one.
            var earlier = await DriveAsync();
            if (Current.RefundUnderWay(request.RefundId)) return earlier;
        }
        var (next, refusal) = Current.RefundAsked(new OrderRefund(request.RefundId, request.TicketIds, request.Force), Now);
        if (refusal is not null) return Reply(refusal);
        if (next != Current)
        {
            // Reminder first, then the step: whatever happens next (tickets void, seats back, money back) is resumed after a crash.
            await ArmResumeAsync();
            await SaveAsync(next);
        }
        var reply = await DriveAsync();
        if (Current.RefundSettled(request.RefundId, request.Force)) return Reply(null);
        // Not done: still waiting for the gateway (503), or the order book refused it and the saga stands with the reason.
        return Current.PendingRefund?.Id == request.RefundId ? reply : Reply(Current.FailureReason ?? ProblemCodes.NotRefundable);
    }

    public Task<CheckoutView?> GetState() => Task.FromResult(Current is { } c
        ? new CheckoutView(c.Id, c.HoldId, c.EventId, c.UserId, c.StepName, c.TotalMinor, c.Currency, c.FailureReason, c.StartedAt, c.UpdatedAt)
        : null);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (Current is not { IsFinished: false } checkout)
        {
            await DisarmResumeAsync();
            return;
        }
        if (checkout.ResumeLooksUpHold)
        {
            // Load what the machine needs to decide whether the saga can still finish, then let it decide.
            var now = Now;
            var hold = await Shopper(checkout).GetHold(checkout.HoldId);
            var paymentKnownAbsent = checkout.ResumeAsksGateway(hold, now) && await GatewayKnowsNoPaymentAsync(checkout);
            if (checkout.OnResume(hold, paymentKnownAbsent, now) is var decided && decided != checkout) await SaveAsync(decided);
        }
        logger.LogInformation("Checkout {GrainKey} resumes at {Step}", checkout.Id, Current!.Step);
        await DriveAsync();
    }

    /// <summary>Does the current step's work and stores the step its outcome leads to, until the saga finishes or must wait.</summary>
    private async Task<CheckoutReply> DriveAsync()
    {
        while (true)
        {
            var checkout = Current!;
            switch (checkout.Work)
            {
                case CheckoutWork.None:
                    return Reply(checkout.Error);

                case CheckoutWork.VerifyHold:
                    var begun = await Shopper(checkout).BeginCheckout(checkout.HoldId);
                    // Nothing happens between a verified hold and the payment's start but storing it: one write stores both steps.
                    await SaveAsync(begun.Error is null ? checkout.HoldVerified(begun.Hold!, Now).Paying(Now) : checkout.HoldRefused(begun.Error, Now));
                    break;

                case CheckoutWork.BeginPayment: // a saga stored as verified (by an earlier version)
                    // Stored before the capture (the reminder armed at the start is still on): if this silo dies mid-call,
                    // the reminder asks the gateway what happened.
                    await SaveAsync(checkout.Paying(Now));
                    break;

                case CheckoutWork.Capture:
                    var (next, wait) = await CaptureAsync(checkout);
                    if (wait is not null) return wait;
                    await SaveAsync(next!);
                    break;

                case CheckoutWork.ReleaseSeats:
                    await Task.WhenAll(checkout.Lines.Select(l => HoldLineGrains.ReleaseAsync(GrainFactory, checkout.EventId, l, checkout.HoldId)));
                    await Shopper(checkout).EndCheckout(checkout.HoldId, HoldStates.Released, null);
                    await RecordFailureAsync(checkout);
                    await SaveAsync(checkout.SeatsReleased(Now));
                    break;

                case CheckoutWork.ConfirmSeats:
                    var confirmations = await Task.WhenAll(checkout.Lines.Select(l => HoldLineGrains.ConfirmAsync(GrainFactory, checkout.EventId, l, checkout.HoldId)));
                    var lost = confirmations.FirstOrDefault(error => error is not null);
                    await SaveAsync(lost is null ? checkout.SeatsConfirmed(Now) : checkout.SeatsLost(lost, Now));
                    break;

                case CheckoutWork.IssueOrder:
                    await orders.IssueAsync(new NewOrder(checkout.Id, checkout.UserId, checkout.EventId,
                        checkout.Lines.Select(l => new OrderLine(l.TierId, l.Quantity, l.PriceMinor, l.Seats?.Select(s => new TicketSeat(s.Id, s.SectionId, s.Section, s.Row, s.Number)).ToList())).ToList(), checkout.Currency, checkout.Id, checkout.UpdatedAt),
                        CancellationToken.None);
                    await Shopper(checkout).EndCheckout(checkout.HoldId, HoldStates.Purchased, checkout.Id);
                    await SaveAsync(checkout.OrderIssued(Now));
                    if (checkout.HighDemand) await FreeShoppingPlaceAsync(checkout);
                    break;

                case CheckoutWork.VoidTickets:
                    await SaveAsync(await VoidTicketsAsync(checkout));
                    break;

                case CheckoutWork.ReturnSeatsAndMoney:
                    if (await ReturnSeatsAndMoneyAsync(checkout) is { } notYet) return notYet;
                    break;

                case CheckoutWork.EndHold:
                    await Shopper(checkout).EndCheckout(checkout.HoldId, checkout.HandsHoldBack ? HoldStates.Active : HoldStates.Expired, null);
                    await RecordFailureAsync(checkout);
                    await SaveAsync(checkout.Abandoned(Now));
                    break;
            }
        }
    }

    /// <returns>The step the gateway's answer leads to, or a reply to wait with (the outcome is not known yet).</returns>
    private async Task<(Checkout? Next, CheckoutReply? Wait)> CaptureAsync(Checkout checkout)
    {
        Payment payment;
        var started = time.GetTimestamp();
        try
        {
            payment = await gateway.CaptureAsync(new PaymentRequest(checkout.Id, checkout.UserId, checkout.TotalMinor, checkout.Currency, checkout.Simulate),
                CancellationToken.None);
        }
        catch (PaymentUnavailableException open)
        {
            // This attempt sent nothing, but an earlier one (before a crash) may have captured: the saga stays Paying and
            // only the gateway, asked again with the same payment id, can settle it (the reminder keeps asking).
            PurchaseMetrics.CheckoutEnded(checkout.EventId, ProblemCodes.PaymentUnavailable);
            return (null, Reply(ProblemCodes.PaymentUnavailable, open.RetryAfter));
        }
        catch (PaymentGatewayException failure)
        {
            // The capture may or may not have happened: settle it now if the gateway knows, else leave it to the reminder.
            logger.LogWarning("Checkout {GrainKey}: payment outcome unknown ({Reason})", checkout.Id, failure.Message);
            PaymentMetrics.Captured(time.GetElapsedTime(started), "error");
            Payment? known;
            try { known = await gateway.GetAsync(checkout.Id, CancellationToken.None); }
            catch (Exception error) when (error is PaymentGatewayException or PaymentUnavailableException) { known = null; }
            // Not known yet may still mean "being stored": stay Paying; a later capture with the same id settles it.
            if (known is null) return (null, Reply(ProblemCodes.PaymentUnavailable, UnknownOutcomeRetryAfter));
            payment = known;
        }
        PaymentMetrics.Captured(time.GetElapsedTime(started), payment.Status.ToString().ToLowerInvariant());
        return payment.Status == PaymentStatus.Declined
            ? (checkout.Declined(payment.DeclineReason ?? "declined", Now), null)
            : (checkout.Captured(Now), null);
    }

    /// <summary>The order book voids the refund's tickets (checking in one transaction that each is still refundable) or says why not.</summary>
    private async Task<Checkout> VoidTicketsAsync(Checkout checkout)
    {
        var refund = checkout.CurrentRefund;
        var voided = await orders.VoidAsync(new TicketRefund(checkout.Id, refund.Id, checkout.UserId, refund.TicketIds, refund.Force, refund.Reason),
            CancellationToken.None);
        return voided.Outcome switch
        {
            VoidOutcome.Voided => checkout.TicketsVoided(voided.Lines.Select(l => new RefundedLine(l.TierId, l.Quantity, l.PriceMinor, l.SeatIds)).ToList(), Now),
            // No order was ever written (the seats were lost after the capture): every seat and the whole payment go back.
            VoidOutcome.NotFound => checkout.TicketsVoided(checkout.Lines.Select(RefundedLine.Whole).ToList(), Now),
            VoidOutcome.NotRefundable => checkout.RefundRefused(ProblemCodes.TicketNotRefundable, Now),
            _ => checkout.RefundRefused(ProblemCodes.TicketTransferred, Now),
        };
    }

    /// <returns>A reply to wait with when the gateway cannot refund yet (the reminder retries); else null (the saga moved on).</returns>
    private async Task<CheckoutReply?> ReturnSeatsAndMoneyAsync(Checkout checkout)
    {
        var refund = checkout.CurrentRefund;
        if (checkout.SeatsLostAfterPayment)
        {
            // Sold seats go back on sale; seats still only held (a partial confirm) are released.
            await Task.WhenAll(checkout.Lines.Select(l => HoldLineGrains.RefundAsync(GrainFactory, checkout.EventId, l, checkout.HoldId)));
            await Task.WhenAll(checkout.Lines.Select(l => HoldLineGrains.ReleaseAsync(GrainFactory, checkout.EventId, l, checkout.HoldId)));
        }
        else
        {
            // Exactly the voided tickets' seats, once per refund id however often this step is repeated.
            await Task.WhenAll(refund.Lines.Select(l => HoldLineGrains.RefundSeatsAsync(GrainFactory, checkout.EventId, checkout.Lines, l, checkout.HoldId, refund.Id)));
        }
        try
        {
            await gateway.RefundAsync(new PaymentRefund(checkout.Id, refund.Id, refund.AmountMinor), CancellationToken.None);
        }
        catch (Exception error) when (error is PaymentGatewayException or PaymentUnavailableException)
        {
            logger.LogWarning("Checkout {GrainKey}: refund {RefundId} not done yet ({Reason}); the reminder retries", checkout.Id, refund.Id, error.Message);
            return Reply(ProblemCodes.PaymentUnavailable, UnknownOutcomeRetryAfter);
        }
        var next = checkout.Refunded(Now);
        if (next.FullyRefunded) await Shopper(checkout).EndCheckout(checkout.HoldId, HoldStates.Refunded, null);
        await RecordFailureAsync(checkout);
        await SaveAsync(next);
        if (!checkout.SeatsLostAfterPayment) PurchaseMetrics.Refunded(checkout.EventId, refund.Reason, partial: !next.FullyRefunded);
        logger.LogInformation("Checkout {GrainKey} refund {RefundId}: {AmountMinor} back for {Quantity} tickets ({Reason})", checkout.Id, refund.Id,
            refund.AmountMinor, refund.Quantity, checkout.FailureReason);
        return null;
    }

    /// <summary>A gateway that cannot answer means "not known": the reminder asks again later.</summary>
    private async Task<bool> GatewayKnowsNoPaymentAsync(Checkout checkout)
    {
        try { return await gateway.GetAsync(checkout.Id, CancellationToken.None) is null; }
        catch (Exception error) when (error is PaymentGatewayException or PaymentUnavailableException) { return false; }
    }

    // Best effort: if the room does not hear of it, the buyer's admission simply expires and frees the place then.
    private async Task FreeShoppingPlaceAsync(Checkout checkout)
    {
        try { await GrainFactory.GetGrain<IWaitingRoomGrain>(checkout.EventId).CheckoutCompleted(checkout.UserId); }
        catch (Exception error) when (GrainCallFailures.IsTransient(error))
        {
            logger.LogWarning("Checkout {GrainKey}: the waiting room did not hear of it ({Reason})", checkout.Id, error.Message);
        }
    }

    // Recorded before the next step is stored, so a crash in between records it again on retry (it counts once).
    private Task RecordFailureAsync(Checkout checkout) => checkout.RecordedFailure is { } reason
        ? orders.RecordCheckoutFailureAsync(checkout.Id, checkout.EventId, reason, CancellationToken.None)
        : Task.CompletedTask;

    private async Task SaveAsync(Checkout next)
    {
        state.State.Checkout = next;
        await state.WriteStateAsync();
        if (!next.IsFinished) return;
        PurchaseMetrics.CheckoutEnded(next.EventId, next.OutcomeLabel); // first: a retry finds the saga finished and records nothing
        await DisarmResumeAsync();
    }

    // Armed when a checkout or a refund starts and kept until the saga finishes; nothing else unregisters it.
    private async Task ArmResumeAsync() => armed = await this.RegisterOrUpdateReminder(ResumeReminder, options.ResumeAfter, options.ResumePeriod);

    private async Task DisarmResumeAsync()
    {
        // The reminder this activation armed needs no lookup; one armed by an earlier activation (before a crash) is read first.
        if ((armed ?? await this.GetReminder(ResumeReminder)) is { } reminder) await this.UnregisterReminder(reminder);
        armed = null;
    }

    private CheckoutReply Reply(string? error, TimeSpan? retryAfter = null) =>
        new(error, Current?.StepName ?? "none", Current?.OrderId, retryAfter);

    private IShopperGrain Shopper(Checkout checkout) => GrainFactory.GetGrain<IShopperGrain>(ShopperKey.For(checkout.EventId, checkout.UserId));
}
