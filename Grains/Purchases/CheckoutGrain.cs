using Microsoft.Extensions.Logging;
using TicketFlow.Grains.Inventory;
using TicketFlow.Grains.Orders;
using TicketFlow.Grains.Payments;
using TicketFlow.Grains.WaitingRoom;

namespace TicketFlow.Grains.Purchases;

/// <summary>Stored as JSON by Orleans' grain storage (provider <c>state</c>) before every side effect of the saga.</summary>
public sealed class CheckoutState
{
    public Checkout? Checkout { get; set; }
}

/// <summary>Drives <see cref="Checkout"/> through the gateway, the tier grains and the order book, storing each step first.</summary>
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

    private Checkout? Current => state.State.Checkout;

    public async Task<CheckoutReply> Checkout(CheckoutRequest request)
    {
        var now = time.GetUtcNow();
        if (Current is null)
        {
            // Stored, with its reminder, before anything else happens: no crash can leave the hold locked by a saga nobody resumes.
            await this.RegisterOrUpdateReminder(ResumeReminder, options.ResumeAfter, options.ResumePeriod);
            await SaveAsync(Purchases.Checkout.Start(this.GetPrimaryKeyString(), request.HoldId, request.EventId, request.UserId, request.Simulate, now)
                with { HighDemand = request.HighDemand });
        }
        else if (Current.HoldId != request.HoldId || Current.UserId != request.UserId)
            return Reply("hold_not_found");
        else if (Current.Step is CheckoutStep.Verified or CheckoutStep.Paying)
            state.State.Checkout = Current with { Simulate = request.Simulate }; // a retry of an unsettled payment (same payment id)
        return await DriveAsync();
    }

    public async Task<CheckoutReply> Refund(bool force)
    {
        var checkout = Current;
        if (checkout is null) return new CheckoutReply("not_found", "none", null);
        if (checkout.Step == CheckoutStep.Completed)
        {
            // Reminder first, then the step: whatever happens next (tickets void, seats back, money back) is resumed after a crash.
            await this.RegisterOrUpdateReminder(ResumeReminder, options.ResumeAfter, options.ResumePeriod);
            await SaveAsync(checkout.Refund(force ? "event_cancelled" : "refund_requested", time.GetUtcNow()) with { ForceRefund = force });
        }
        return checkout.Step is CheckoutStep.Completed or CheckoutStep.Refunding or CheckoutStep.Refunded ? await DriveAsync() : Reply("not_refundable");
    }

    public Task<CheckoutView?> GetState() => Task.FromResult(Current is { } c
        ? new CheckoutView(c.Id, c.HoldId, c.EventId, c.UserId, Name(c.Step), c.TotalMinor, c.Currency, c.FailureReason, c.StartedAt, c.UpdatedAt)
        : null);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        var checkout = Current;
        if (checkout is null || checkout.IsFinished)
        {
            await UnregisterResumeAsync();
            return;
        }
        if (checkout.Step is CheckoutStep.New or CheckoutStep.Verified)
        {
            // Before Paying is stored no capture was sent; once the hold is gone no one can finish this checkout.
            var hold = await Shopper(checkout).GetHold(checkout.HoldId);
            if (hold is null || hold.ExpiresAt <= time.GetUtcNow())
            {
                await Shopper(checkout).EndCheckout(checkout.HoldId, HoldStates.Expired, null);
                await RecordFailureAsync(checkout, "hold_expired");
                await SaveAsync(checkout.Abandon("hold_expired", time.GetUtcNow()));
                await UnregisterResumeAsync();
                return;
            }
        }
        if (checkout.Step == CheckoutStep.Paying && await PaymentNeverTakenAsync(checkout))
        {
            // The gateway kept failing until the hold ran out: stop retrying a charge the buyer can no longer use.
            await Shopper(checkout).EndCheckout(checkout.HoldId, HoldStates.Expired, null);
            await RecordFailureAsync(checkout, "payment_failed");
            await SaveAsync(checkout.Abandon("payment_failed", time.GetUtcNow()));
            await UnregisterResumeAsync();
            return;
        }
        logger.LogInformation("Checkout {GrainKey} resumes at {Step}", checkout.Id, checkout.Step);
        await DriveAsync();
    }

    private async Task<CheckoutReply> DriveAsync()
    {
        while (true)
        {
            var checkout = Current!;
            var now = time.GetUtcNow();
            switch (checkout.Step)
            {
                case CheckoutStep.New:
                    var begun = await Shopper(checkout).BeginCheckout(checkout.HoldId);
                    if (begun.Error is not null)
                    {
                        await RecordFailureAsync(checkout, begun.Error);
                        await SaveAsync(checkout.Abandon(begun.Error, now));
                        await UnregisterResumeAsync();
                        return Reply(begun.Error);
                    }
                    await SaveAsync(checkout.Verified(begun.Hold!, now));
                    break;

                case CheckoutStep.Verified:
                    // Stored before the capture, with a reminder: if this silo dies mid-call, someone asks the gateway what happened.
                    await SaveAsync(checkout.Paying(now));
                    await this.RegisterOrUpdateReminder(ResumeReminder, options.ResumeAfter, options.ResumePeriod);
                    break;

                case CheckoutStep.Paying:
                    var paid = await CaptureAsync(checkout);
                    if (paid.Reply is not null) return paid.Reply;
                    break;

                case CheckoutStep.Paid:
                    var confirmations = await Task.WhenAll(checkout.Lines.Select(l => Tier(checkout, l).Confirm(checkout.HoldId)));
                    var lost = confirmations.FirstOrDefault(c => !c.Confirmed)?.Error;
                    await SaveAsync(lost is null ? checkout.SeatsConfirmed(now) : checkout.Refund(lost, now));
                    break;

                case CheckoutStep.Confirmed:
                    await orders.IssueAsync(new NewOrder(checkout.Id, checkout.UserId, checkout.EventId,
                        checkout.Lines.Select(l => new OrderLine(l.TierId, l.Quantity, l.PriceMinor)).ToList(), checkout.Currency, checkout.Id, checkout.UpdatedAt),
                        CancellationToken.None);
                    await Shopper(checkout).EndCheckout(checkout.HoldId, HoldStates.Purchased, checkout.Id);
                    await SaveAsync(checkout.OrderIssued(now));
                    await UnregisterResumeAsync();
                    if (checkout.HighDemand) await FreeShoppingPlaceAsync(checkout);
                    break;

                case CheckoutStep.Refunding:
                    var refunded = await RefundAsync(checkout);
                    if (refunded is not null) return refunded;
                    break;

                case CheckoutStep.Completed:
                    return Reply(null);
                case CheckoutStep.Declined:
                    return Reply("payment_declined");
                case CheckoutStep.Abandoned:
                    return Reply(checkout.FailureReason ?? "hold_expired");
                case CheckoutStep.Refunded:
                    // A refund asked for (buyer, event cancel) succeeded; seats lost after capture were a failed checkout.
                    return Reply(checkout.FailureReason is "hold_expired" or "event_closed" ? checkout.FailureReason : null);
            }
        }
    }

    /// <returns>A reply to stop with, or none to go on (the step moved).</returns>
    private async Task<(CheckoutReply? Reply, bool)> CaptureAsync(Checkout checkout)
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
            PurchaseMetrics.CheckoutEnded(checkout.EventId, "payment_unavailable");
            return (Reply("payment_unavailable", open.RetryAfter), false);
        }
        catch (PaymentGatewayException failure)
        {
            // The capture may or may not have happened: settle it now if the gateway knows, else leave it to the reminder.
            logger.LogWarning("Checkout {GrainKey}: payment outcome unknown ({Reason})", checkout.Id, failure.Message);
            PurchaseMetrics.PaymentCaptured(time.GetElapsedTime(started), "error");
            Payment? known;
            try { known = await gateway.GetAsync(checkout.Id, CancellationToken.None); }
            catch (Exception error) when (error is PaymentGatewayException or PaymentUnavailableException) { return (Reply("payment_unavailable", UnknownOutcomeRetryAfter), false); }
            // Not known yet may still mean "being stored": stay Paying; a later capture with the same id settles it.
            if (known is null) return (Reply("payment_unavailable", UnknownOutcomeRetryAfter), false);
            payment = known;
        }
        PurchaseMetrics.PaymentCaptured(time.GetElapsedTime(started), payment.Status.ToString().ToLowerInvariant());
        if (payment.Status == PaymentStatus.Declined)
        {
            await Task.WhenAll(checkout.Lines.Select(l => Tier(checkout, l).Release(checkout.HoldId)));
            await Shopper(checkout).EndCheckout(checkout.HoldId, HoldStates.Released, null);
            await RecordFailureAsync(checkout, "payment_declined");
            await SaveAsync(checkout.Declined(payment.DeclineReason ?? "declined", time.GetUtcNow()));
            await UnregisterResumeAsync();
            return (Reply("payment_declined"), false);
        }
        await SaveAsync(checkout.Captured(time.GetUtcNow()));
        return (null, true);
    }

    /// <returns>A reply to stop with when the gateway cannot refund yet (the reminder retries); else null.</returns>
    private async Task<CheckoutReply?> RefundAsync(Checkout checkout)
    {
        // The order book decides whether a used ticket blocks the refund (it checks and voids in one transaction).
        if (await orders.VoidAsync(checkout.Id, checkout.ForceRefund, CancellationToken.None) == VoidOutcome.TicketUsed)
        {
            await SaveAsync(checkout.RefundRefused(time.GetUtcNow()));
            await UnregisterResumeAsync();
            return Reply("ticket_used");
        }
        // Sold seats go back on sale; seats still only held (a partial confirm) are released.
        await Task.WhenAll(checkout.Lines.Select(l => Tier(checkout, l).Refund(checkout.HoldId)));
        await Task.WhenAll(checkout.Lines.Select(l => Tier(checkout, l).Release(checkout.HoldId)));
        try
        {
            await gateway.RefundAsync(checkout.Id, CancellationToken.None);
        }
        catch (Exception error) when (error is PaymentGatewayException or PaymentUnavailableException)
        {
            logger.LogWarning("Checkout {GrainKey}: refund not done yet ({Reason}); the reminder retries", checkout.Id, error.Message);
            return Reply("payment_unavailable", UnknownOutcomeRetryAfter);
        }
        await Shopper(checkout).EndCheckout(checkout.HoldId, HoldStates.Refunded, null);
        if (checkout.FailureReason == "hold_expired") await RecordFailureAsync(checkout, "seats_lost_after_capture");
        await SaveAsync(checkout.Refunded(time.GetUtcNow()));
        await UnregisterResumeAsync();
        logger.LogInformation("Checkout {GrainKey} refunded ({Reason})", checkout.Id, checkout.FailureReason);
        return null;
    }

    /// <summary>True only when the hold has expired (minutes after any capture could still be in flight) and the gateway
    /// knows no payment for this checkout; a gateway that cannot answer means "not known", so the reminder asks again later.</summary>
    private async Task<bool> PaymentNeverTakenAsync(Checkout checkout)
    {
        var hold = await Shopper(checkout).GetHold(checkout.HoldId);
        if (hold is not null && hold.ExpiresAt > time.GetUtcNow()) return false;
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

    // Recorded before the final step is stored, so a crash in between records it again on retry (it counts once).
    private Task RecordFailureAsync(Checkout checkout, string reason) =>
        orders.RecordCheckoutFailureAsync(checkout.Id, checkout.EventId, reason, CancellationToken.None);

    private async Task SaveAsync(Checkout next)
    {
        state.State.Checkout = next;
        await state.WriteStateAsync();
        if (next.IsFinished) PurchaseMetrics.CheckoutEnded(next.EventId, next.Step == CheckoutStep.Refunded ? $"refunded_{next.FailureReason}" : Name(next.Step));
    }

    private async Task UnregisterResumeAsync()
    {
        if (await this.GetReminder(ResumeReminder) is { } reminder) await this.UnregisterReminder(reminder);
    }

    private CheckoutReply Reply(string? error, TimeSpan? retryAfter = null) =>
        new(error, Current is { } c ? Name(c.Step) : "none", Current?.Step is CheckoutStep.Completed or CheckoutStep.Refunded or CheckoutStep.Refunding ? Current.Id : null, retryAfter);

    private static string Name(CheckoutStep step) => step.ToString().ToLowerInvariant();

    private IShopperGrain Shopper(Checkout checkout) => GrainFactory.GetGrain<IShopperGrain>(ShopperKey.For(checkout.EventId, checkout.UserId));

    private IEventInventoryGrain Tier(Checkout checkout, HoldLine line) => GrainFactory.GetGrain<IEventInventoryGrain>(TierKey.For(checkout.EventId, line.TierId));
}
