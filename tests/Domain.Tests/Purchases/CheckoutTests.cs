using FsCheck;
using FsCheck.Fluent;
using TicketFlow.Domain.Inventory;
using TicketFlow.Domain.Purchases;

namespace TicketFlow.Domain.Tests.Purchases;

public sealed class CheckoutTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private static readonly Hold TheHold = new("evt.h", "evt", "ann", [new HoldLine("t1", 2, 5000, new TierTerms(10, 4))], "USD", Now, Now.AddMinutes(10),
        HoldStates.Active, CheckingOut: true, OrderId: null);

    private static Checkout Started() => Checkout.Start("ord_h", "evt.h", "evt", "ann", null, Now);

    private static Checkout Paying() => Started().HoldVerified(TheHold, Now).Paying(Now);

    private static Checkout Completed() => Paying().Captured(Now).SeatsConfirmed(Now).OrderIssued(Now);

    private static OrderRefund BuyersRefund(string id = "ord_h.r1", params string[] ticketIds) => new(id, ticketIds.Length == 0 ? null : ticketIds, Force: false);

    private static Checkout Refunding(Checkout completed, OrderRefund refund) => completed.RefundAsked(refund, Now).Next;

    private static IReadOnlyList<RefundedLine> Seats(int quantity) => [new RefundedLine("t1", quantity, 5000)];

    [Fact]
    public void The_happy_path_verifies_pays_confirms_and_issues_the_order()
    {
        var steps = new List<(CheckoutStep, CheckoutWork)>();
        var checkout = Started();
        for (var i = 0; i < 10 && checkout.Work != CheckoutWork.None; i++)
        {
            steps.Add((checkout.Step, checkout.Work));
            checkout = checkout.Work switch
            {
                CheckoutWork.VerifyHold => checkout.HoldVerified(TheHold, Now),
                CheckoutWork.BeginPayment => checkout.Paying(Now),
                CheckoutWork.Capture => checkout.Captured(Now),
                CheckoutWork.ConfirmSeats => checkout.SeatsConfirmed(Now),
                CheckoutWork.IssueOrder => checkout.OrderIssued(Now),
                var other => throw new InvalidOperationException($"Unexpected work {other}."),
            };
        }
        Assert.Equal(
        [
            (CheckoutStep.New, CheckoutWork.VerifyHold), (CheckoutStep.Verified, CheckoutWork.BeginPayment), (CheckoutStep.Paying, CheckoutWork.Capture),
            (CheckoutStep.Paid, CheckoutWork.ConfirmSeats), (CheckoutStep.Confirmed, CheckoutWork.IssueOrder),
        ], steps);
        Assert.Equal((CheckoutStep.Completed, null, "ord_h", 10_000L), (checkout.Step, checkout.Error, checkout.OrderId, checkout.TotalMinor));
        Assert.True(checkout.IsFinished);
    }

    [Fact]
    public void A_decline_is_a_step_of_its_own_that_releases_the_seats_before_the_saga_ends()
    {
        var declining = Paying().Declined("card_declined", Now);
        Assert.Equal((CheckoutStep.Declining, CheckoutWork.ReleaseSeats, ProblemCodes.PaymentDeclined), (declining.Step, declining.Work, declining.RecordedFailure));
        Assert.False(declining.IsFinished);
        var declined = declining.SeatsReleased(Now);
        Assert.Equal((CheckoutStep.Declined, ProblemCodes.PaymentDeclined, null), (declined.Step, declined.Error, declined.OrderId));
    }

    [Fact]
    public void Money_may_have_moved_from_paying_until_the_order_or_the_refund()
    {
        Assert.True(Paying().MoneyMayHaveMoved);
        Assert.True(Paying().Captured(Now).MoneyMayHaveMoved);
        Assert.True(Paying().Captured(Now).SeatsLost(ProblemCodes.HoldExpired, Now).MoneyMayHaveMoved);
        Assert.False(Started().HoldVerified(TheHold, Now).MoneyMayHaveMoved);
        Assert.False(Paying().Declined("card_declined", Now).MoneyMayHaveMoved);
    }

    [Fact]
    public void Seats_lost_after_capture_lead_to_a_refund_never_to_an_order_and_are_recorded_as_a_failure()
    {
        var refunding = Paying().Captured(Now).SeatsLost(ProblemCodes.HoldExpired, Now);
        Assert.Throws<InvalidOperationException>(() => refunding.OrderIssued(Now));
        var voided = refunding.TicketsVoided(Seats(2), Now);
        Assert.Equal((CheckoutWork.ReturnSeatsAndMoney, CheckoutReasons.SeatsLostAfterCapture), (voided.Work, voided.RecordedFailure));
        Assert.True(voided.SeatsLostAfterPayment);
        Assert.Equal(10_000, voided.CurrentRefund.AmountMinor);
        var refunded = voided.Refunded(Now);
        Assert.Equal((CheckoutStep.Refunded, ProblemCodes.HoldExpired), (refunded.Step, refunded.Error));
    }

    [Fact]
    public void A_refund_of_every_ticket_voids_them_then_returns_seats_and_money_and_counts_as_success()
    {
        var refunding = Refunding(Completed(), BuyersRefund());
        Assert.Equal((CheckoutWork.VoidTickets, CheckoutReasons.RefundRequested, false), (refunding.Work, refunding.FailureReason, refunding.SeatsLostAfterPayment));
        var refunded = refunding.TicketsVoided(Seats(2), Now).Refunded(Now);
        Assert.Equal((CheckoutStep.Refunded, null, "ord_h", null), (refunded.Step, refunded.Error, refunded.OrderId, refunded.RecordedFailure));
        Assert.Equal((10_000L, null), (refunded.RefundedMinor, refunded.PendingRefund));
        Assert.Equal(CheckoutReasons.EventCancelled, Refunding(Completed(), new OrderRefund("c", null, Force: true)).FailureReason);
    }

    [Fact]
    public void A_partial_refund_gives_back_only_its_tickets_and_the_order_stands_until_a_later_refund_takes_the_rest()
    {
        var partial = Refunding(Completed(), BuyersRefund("r1", "tkt_a")).TicketsVoided(Seats(1), Now);
        Assert.Equal((CheckoutWork.ReturnSeatsAndMoney, 5_000L, "r1"), (partial.Work, partial.CurrentRefund.AmountMinor, partial.CurrentRefund.Id));
        var standing = partial.Refunded(Now);
        Assert.Equal((CheckoutStep.Completed, 5_000L, null, CheckoutWork.None), (standing.Step, standing.RefundedMinor, standing.FailureReason, standing.Work));
        Assert.True(standing.IsFinished); // nothing owed: the resume reminder goes

        var rest = Refunding(standing, new OrderRefund("cancel", null, Force: true)).TicketsVoided(Seats(1), Now).Refunded(Now);
        Assert.Equal((CheckoutStep.Refunded, 10_000L, "refunded_event_cancelled"), (rest.Step, rest.RefundedMinor, rest.OutcomeLabel));
        Assert.Equal(["r1", "cancel"], rest.Refunds.Select(r => r.Id));
    }

    [Fact]
    public void The_same_refund_asked_again_goes_on_or_is_done_and_another_waits_for_the_one_under_way()
    {
        var refunding = Refunding(Completed(), BuyersRefund("r1"));
        Assert.Same(refunding, refunding.RefundAsked(BuyersRefund("r1"), Now).Next); // a retry: the same refund goes on
        Assert.True(refunding.RefundUnderWay("r2"));
        Assert.False(refunding.RefundUnderWay("r1"));
        var standing = refunding.TicketsVoided(Seats(1), Now).Refunded(Now);
        var (again, refusal) = standing.RefundAsked(BuyersRefund("r1"), Now);
        Assert.Equal((standing, (string?)null), (again, refusal)); // done already: nothing more, no refusal
        Assert.NotNull(standing.RefundDone("r1"));
        Assert.Null(standing.RefundDone("r2"));
    }

    [Fact]
    public void A_refunded_order_refuses_a_buyers_new_refund_and_answers_a_cancellation_with_nothing_to_do()
    {
        var refunded = Refunding(Completed(), BuyersRefund()).TicketsVoided(Seats(2), Now).Refunded(Now);
        Assert.Equal(ProblemCodes.TicketTransferred, refunded.RefundAsked(BuyersRefund("r2"), Now).Refusal);
        Assert.Equal((refunded, (string?)null), refunded.RefundAsked(new OrderRefund("cancel", null, Force: true), Now));
        Assert.Equal(ProblemCodes.NotRefundable, Paying().RefundAsked(new OrderRefund("cancel", null, Force: true), Now).Refusal);
    }

    [Fact]
    public void A_saga_stored_mid_refund_before_refunds_had_ids_refunds_the_whole_order()
    {
        var old = Completed() with { Step = CheckoutStep.Voided, FailureReason = CheckoutReasons.EventCancelled, ForceRefund = true };
        Assert.Equal(("ord_h", true, 10_000L), (old.CurrentRefund.Id, old.CurrentRefund.Force, old.CurrentRefund.AmountMinor));
        Assert.Equal(CheckoutStep.Refunded, old.Refunded(Now).Step);
    }

    [Fact]
    public void A_checkout_that_charged_nothing_cannot_be_refunded_and_a_declined_one_cannot_be_captured()
    {
        Assert.Equal(ProblemCodes.NotRefundable, Started().HoldVerified(TheHold, Now).RefundAsked(BuyersRefund(), Now).Refusal);
        Assert.Throws<InvalidOperationException>(() => Paying().Declined("card_declined", Now).Captured(Now));
        Assert.Throws<InvalidOperationException>(() => Started().Paying(Now));
        Assert.Equal(ProblemCodes.NotRefundable, Paying().Captured(Now).RefundAsked(BuyersRefund(), Now).Refusal); // seats lost is its own move
    }

    [Fact]
    public void A_paying_checkout_can_end_without_a_charge_but_never_once_paid()
    {
        var abandoning = Paying().Abandon(ProblemCodes.PaymentFailed, Now);
        Assert.Equal((CheckoutWork.EndHold, ProblemCodes.PaymentFailed), (abandoning.Work, abandoning.RecordedFailure));
        Assert.Equal((CheckoutStep.Abandoned, ProblemCodes.PaymentFailed), (abandoning.Abandoned(Now).Step, abandoning.Abandoned(Now).Error));
        Assert.Throws<InvalidOperationException>(() => Paying().Captured(Now).Abandon(ProblemCodes.PaymentFailed, Now));
    }

    [Fact]
    public void A_refund_the_order_book_refuses_leaves_the_sale_standing_with_the_reason()
    {
        var refused = Refunding(Completed(), BuyersRefund()).RefundRefused(ProblemCodes.TicketTransferred, Now);
        Assert.Equal((CheckoutStep.Completed, ProblemCodes.TicketTransferred, null, 0L), (refused.Step, refused.FailureReason, refused.PendingRefund, refused.RefundedMinor));
        Assert.Null(refused.Error); // the order itself stands: a retried checkout still answers it
        Assert.Throws<InvalidOperationException>(() => Started().RefundRefused(ProblemCodes.TicketTransferred, Now));
    }

    [Fact]
    public void The_reminder_never_carries_a_saga_into_the_payment_it_ends_it_and_hands_a_valid_hold_back()
    {
        foreach (var before in new[] { Started(), Started().HoldVerified(TheHold, Now) })
        {
            var interrupted = before.OnResume(TheHold, paymentKnownAbsent: false, Now);
            Assert.Equal((CheckoutStep.Abandoning, ProblemCodes.CheckoutInterrupted, true), (interrupted.Step, interrupted.FailureReason, interrupted.HandsHoldBack));
            Assert.Equal(CheckoutWork.EndHold, interrupted.Work); // not BeginPayment: nothing is charged
            Assert.Equal(ProblemCodes.CheckoutInterrupted, interrupted.Abandoned(Now).Error);

            var lapsed = before.OnResume(TheHold, false, TheHold.ExpiresAt);
            Assert.Equal((ProblemCodes.HoldExpired, false), (lapsed.FailureReason, lapsed.HandsHoldBack));
            Assert.Equal(ProblemCodes.HoldExpired, before.OnResume(null, paymentKnownAbsent: false, Now).FailureReason);
        }
    }

    [Fact]
    public void The_reminder_ends_a_paying_saga_only_after_the_hold_expired_and_the_gateway_knows_no_payment()
    {
        var paying = Paying();
        var later = TheHold.ExpiresAt.AddSeconds(1);
        Assert.False(paying.ResumeAsksGateway(TheHold, Now));
        Assert.Same(paying, paying.OnResume(TheHold, paymentKnownAbsent: true, Now));
        Assert.True(paying.ResumeAsksGateway(TheHold, later));
        Assert.Same(paying, paying.OnResume(TheHold, paymentKnownAbsent: false, later));
        Assert.Equal(ProblemCodes.PaymentFailed, paying.OnResume(TheHold, paymentKnownAbsent: true, later).FailureReason);
        var paid = paying.Captured(Now);
        Assert.Same(paid, paid.OnResume(null, paymentKnownAbsent: true, later));
    }

    [Fact]
    public void A_retry_changes_the_simulated_card_only_while_the_payment_is_unsettled()
    {
        Assert.Equal("decline", Paying().Retried("decline").Simulate);
        Assert.Null(Completed().Retried("decline").Simulate);
    }

    [Fact]
    public void Steps_are_stored_as_numbers_that_never_change_so_old_sagas_read_the_same()
    {
        Assert.Equal(
            [(CheckoutStep.New, 0), (CheckoutStep.Verified, 1), (CheckoutStep.Paying, 2), (CheckoutStep.Paid, 3), (CheckoutStep.Confirmed, 4),
             (CheckoutStep.Completed, 5), (CheckoutStep.Declined, 6), (CheckoutStep.Refunding, 7), (CheckoutStep.Refunded, 8),
             (CheckoutStep.Abandoned, 9), (CheckoutStep.Declining, 10), (CheckoutStep.Abandoning, 11), (CheckoutStep.Voided, 12)],
            Enum.GetValues<CheckoutStep>().Select(s => (s, (int)s)));
        var json = System.Text.Json.JsonSerializer.Serialize(Paying(), System.Text.Json.JsonSerializerOptions.Web);
        Assert.Contains("\"step\":2", json);
        Assert.DoesNotContain("\"work\"", json); // derived, not stored
    }

    // ---- Properties: a random world (gateway, tiers, order book, reminders, crashes) drives the saga to its end. ----

    /// <summary>
    /// What the world answers, one choice per step. Failures (a crash that loses a step's outcome so its work runs again,
    /// a gateway that is unavailable or whose answer is lost, a reminder firing, a hold expiring) come from a budget:
    /// the world misbehaves often, but not forever.
    /// </summary>
    private sealed class World(int[] choices)
    {
        private int next, failuresLeft = 8;

        /// <summary>The gateway's record for this saga's payment id: the first capture decides, later ones repeat it.</summary>
        public bool? Paid;
        public bool Refunded, OrderIssued, OrderVoided, TicketUsed, TicketTransferred, ForceAsked;
        public int LiveTickets, Asks;
        /// <summary>What each refund id voided and refunded: the order book and the gateway keep one entry per id.</summary>
        public readonly Dictionary<string, int> VoidedBy = [];
        public readonly Dictionary<string, long> MoneyBackBy = [];
        public long MoneyBack => MoneyBackBy.Values.Sum();
        public bool SeatsHeldOrSold = true;

        public bool Captured => Paid == true;

        public int Next(int range) => choices.Length == 0 ? range - 1 : choices[next++ % choices.Length] % range;

        /// <summary>True when the world chooses to fail here (1 in <paramref name="odds"/>) and still may.</summary>
        public bool Fails(int odds)
        {
            if (failuresLeft <= 0 || Next(odds) != 0) return false;
            failuresLeft--;
            return true;
        }
    }

    private static Gen<int[]> Scripts => Gen.ArrayOf(Gen.Choose(0, 1000));

    /// <summary>Runs the saga as the grain does for at most <paramref name="maxSteps"/> steps; returns where it got and the world it left.</summary>
    private static (Checkout Checkout, World World, int Steps) Run(int[] choices, int maxSteps = 200)
    {
        var world = new World(choices);
        var checkout = Started();
        var holdExpired = false;
        var refundAsked = false;
        var steps = 0;
        for (; steps < maxSteps && !(checkout.IsFinished && refundAsked); steps++)
        {
            var now = Now.AddSeconds(steps);
            if (checkout.IsFinished)
            {
                // Once finished, the buyer (or a cancel) may ask for refunds of a completed order, partial ones too; then we stop.
                refundAsked = checkout.Step != CheckoutStep.Completed || world.Asks >= 3 || world.Next(3) == 0;
                if (!refundAsked) checkout = Asked(checkout, world, force: world.Next(3) == 0, now);
                continue;
            }
            if (checkout.Step == CheckoutStep.Refunding && checkout.PendingRefund is { } pending && world.Fails(6))
                checkout = checkout.RefundAsked(pending, now).Next; // the same refund retried meanwhile
            if (world.Fails(8)) holdExpired = true;
            if (world.Fails(8))
            {
                // The resume reminder fires: it loads the hold and (when paying) asks the gateway, which may not answer.
                var hold = holdExpired ? TheHold with { ExpiresAt = now.AddSeconds(-1) } : TheHold with { ExpiresAt = now.AddMinutes(5) };
                checkout = checkout.OnResume(hold, paymentKnownAbsent: world.Paid is null && !world.Fails(3), now);
                continue;
            }
            var crash = world.Fails(8); // the work happens, the next step is never stored
            var next = DoWork(checkout, world, holdExpired, now);
            if (!crash) checkout = next;
        }
        return (checkout, world, steps);
    }

    private static Checkout Asked(Checkout checkout, World world, bool force, DateTimeOffset now)
    {
        world.ForceAsked |= force;
        return checkout.RefundAsked(new OrderRefund(force ? "cancel" : $"r{++world.Asks}", null, force), now).Next;
    }

    /// <summary>The effects of a step's work on the world (idempotent, as the real calls are) and the step it leads to.</summary>
    private static Checkout DoWork(Checkout checkout, World world, bool holdExpired, DateTimeOffset now)
    {
        switch (checkout.Work)
        {
            case CheckoutWork.VerifyHold:
                return holdExpired ? checkout.HoldRefused(ProblemCodes.HoldExpired, now) : checkout.HoldVerified(TheHold, now);
            case CheckoutWork.BeginPayment:
                return checkout.Paying(now);
            case CheckoutWork.Capture:
                if (world.Fails(4)) return checkout; // the breaker is open: nothing sent, stay Paying
                world.Paid ??= world.Next(4) != 0;   // the first capture decides; the same payment id again gets the same answer
                if (world.Fails(3)) return checkout; // sent, but the answer was lost: stay Paying
                return world.Captured ? checkout.Captured(now) : checkout.Declined("card_declined", now);
            case CheckoutWork.ReleaseSeats:
                world.SeatsHeldOrSold = false;
                return checkout.SeatsReleased(now);
            case CheckoutWork.ConfirmSeats:
                if (world.Next(5) == 0)
                {
                    world.SeatsHeldOrSold = false; // the hold expired before the money was in
                    return checkout.SeatsLost(ProblemCodes.HoldExpired, now);
                }
                return checkout.SeatsConfirmed(now);
            case CheckoutWork.IssueOrder:
                if (!world.OrderIssued)
                {
                    // Of the two tickets, one may be used at the door and one transferred to someone else.
                    (world.TicketUsed, world.TicketTransferred, world.LiveTickets) = (world.Next(4) == 0, world.Next(3) == 0, 2);
                }
                world.OrderIssued = true;
                return checkout.OrderIssued(now);
            case CheckoutWork.VoidTickets:
            {
                var refund = checkout.CurrentRefund;
                if (!world.OrderIssued) return checkout.TicketsVoided(Seats(2), now); // seats lost: no order, everything goes back
                if (!world.VoidedBy.TryGetValue(refund.Id, out var voided))
                {
                    // The buyer's refund takes only their own unused tickets; a cancellation takes every live one.
                    var others = (world.TicketUsed ? 1 : 0) + (world.TicketTransferred ? 1 : 0);
                    voided = refund.Force ? world.LiveTickets : Math.Max(0, world.LiveTickets - others);
                    if (voided == 0) return checkout.RefundRefused(ProblemCodes.TicketTransferred, now);
                    world.VoidedBy[refund.Id] = voided;
                    world.LiveTickets -= voided;
                }
                world.OrderVoided = world.LiveTickets == 0;
                return checkout.TicketsVoided(Seats(voided), now);
            }
            case CheckoutWork.ReturnSeatsAndMoney:
                world.SeatsHeldOrSold = world.OrderIssued && world.LiveTickets > 0;
                if (world.Fails(3)) return checkout; // the gateway cannot refund yet: the reminder retries
                if (world.Captured) world.MoneyBackBy.TryAdd(checkout.CurrentRefund.Id, checkout.CurrentRefund.AmountMinor);
                world.Refunded = world.Captured && world.MoneyBack == checkout.TotalMinor;
                return checkout.Refunded(now);
            case CheckoutWork.EndHold:
                world.SeatsHeldOrSold = checkout.HandsHoldBack; // the buyer's hold again, until it expires; else gone
                return checkout.Abandoned(now);
            default:
                throw new InvalidOperationException($"{checkout.Step} owes no work.");
        }
    }

    [Fact]
    public void Whatever_happens_money_taken_ends_in_tickets_or_a_refund_never_both_and_nothing_taken_ends_in_neither()
    {
        Prop.ForAll(Arb.From(Scripts), choices =>
        {
            var (checkout, world, _) = Run(choices);
            if (!checkout.IsFinished) return true; // the liveness property below covers this
            return checkout.Step switch
            {
                // The sale stands with what is left: the money back is exactly the voided tickets' price, never more.
                CheckoutStep.Completed => world.Captured && world.OrderIssued && world.LiveTickets > 0 && !world.Refunded
                    && world.MoneyBack == (2 - world.LiveTickets) * 5000L && checkout.RefundedMinor == world.MoneyBack,
                CheckoutStep.Refunded => world.Refunded == world.Captured && world.OrderVoided == world.OrderIssued && !world.SeatsHeldOrSold
                    && world.MoneyBack == (world.Captured ? checkout.TotalMinor : 0),
                CheckoutStep.Declined => !world.Captured && !world.OrderIssued && !world.SeatsHeldOrSold,
                // Interrupted before the payment: the hold (and its seats) is the buyer's again; else the seats went back.
                CheckoutStep.Abandoned => !world.Captured && !world.OrderIssued
                    && world.SeatsHeldOrSold == (checkout.FailureReason == ProblemCodes.CheckoutInterrupted),
                _ => false,
            };
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(1000).WithReplay(2026, 1203));
    }

    [Fact]
    public void Every_saga_finishes_when_the_world_answers_and_only_finished_steps_owe_no_work()
    {
        Prop.ForAll(Arb.From(Scripts), choices =>
        {
            var (checkout, _, steps) = Run(choices.Length == 0 ? [7] : choices);
            return checkout.IsFinished && steps < 200 && checkout.Work == CheckoutWork.None;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(500).WithReplay(1203, 2027));
    }

    [Fact]
    public void No_move_leaves_money_that_was_taken_without_the_order_or_a_refund_and_a_finished_saga_only_reopens_for_a_refund()
    {
        var moves = new Func<Checkout, Checkout>[]
        {
            c => c.HoldVerified(TheHold, Now), c => c.HoldRefused(ProblemCodes.HoldExpired, Now), c => c.Paying(Now), c => c.Captured(Now),
            c => c.Declined("card_declined", Now), c => c.SeatsReleased(Now), c => c.SeatsConfirmed(Now), c => c.SeatsLost(ProblemCodes.HoldExpired, Now),
            c => c.OrderIssued(Now), c => c.RefundAsked(BuyersRefund(), Now).Next, c => c.TicketsVoided(Seats(1), Now),
            c => c.RefundRefused(ProblemCodes.TicketTransferred, Now), c => c.Refunded(Now),
            c => c.Abandon(ProblemCodes.PaymentFailed, Now), c => c.Abandoned(Now),
        };
        static bool Taken(Checkout c) => c.Step is CheckoutStep.Paid or CheckoutStep.Confirmed or CheckoutStep.Refunding or CheckoutStep.Voided;
        static bool Settled(Checkout c) => c.Step is CheckoutStep.Completed or CheckoutStep.Refunded;
        var seen = new HashSet<CheckoutStep>();
        Prop.ForAll(Arb.From(Scripts), Arb.From(Gen.Choose(0, 12)), Arb.From(Gen.Choose(0, moves.Length - 1)), (choices, cut, move) =>
        {
            var (reached, _, _) = Run(choices, cut);
            seen.Add(reached.Step);
            Checkout after;
            try { after = moves[move](reached); }
            catch (InvalidOperationException) { return true; } // refused: the saga is unchanged
            if (ReferenceEquals(after, reached)) return true; // a refund refused (or already done) leaves it as it was
            if (reached.IsFinished && !(reached.Step == CheckoutStep.Completed && after.Step == CheckoutStep.Refunding)) return false;
            return !Taken(reached) || Taken(after) || Settled(after);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(1000).WithReplay(77, 7));
        Assert.Superset(Enum.GetValues<CheckoutStep>().ToHashSet(), seen);
        Assert.True(seen.Count >= 10, $"The cuts reached only {string.Join(", ", seen)}.");
    }
}
