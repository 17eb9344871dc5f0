using FsCheck;
using FsCheck.Fluent;
using TicketFlow.Domain.Inventory;
using TicketFlow.Domain.Purchases;

namespace TicketFlow.Domain.Tests.Purchases;

public sealed class ShopperTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 18, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Ten = TimeSpan.FromMinutes(10);

    private static IReadOnlyList<HoldLine> Lines(int a, int b = 0) =>
        b == 0 ? [Line("t1", a)] : [Line("t1", a), Line("t2", b)];

    private static HoldLine Line(string tier, int quantity) => new(tier, quantity, 5000, new TierTerms(100, 6));

    private static (Shopper Shopper, Hold Hold) WithHold(int seats, DateTimeOffset? at = null)
    {
        var shopper = new Shopper([]);
        var now = at ?? Now;
        var plan = shopper.PlanHold("h1", Lines(seats), eventLimit: 6, Ten, now);
        return (shopper, shopper.Placed("h1", "evt", "ann", Lines(seats), "USD", plan.ExpiresAt, now));
    }

    [Fact]
    public void A_hold_within_the_event_limit_goes_ahead_and_one_past_it_is_refused()
    {
        var (shopper, _) = WithHold(4);
        Assert.True(shopper.PlanHold("h2", Lines(1, 1), eventLimit: 6, Ten, Now).GoAhead);
        Assert.Equal(ProblemCodes.LimitExceeded, shopper.PlanHold("h2", Lines(2, 1), eventLimit: 6, Ten, Now).Refusal);
    }

    [Fact]
    public void The_same_hold_id_returns_the_first_hold_without_asking_the_tiers_again()
    {
        var (shopper, hold) = WithHold(2);
        var again = shopper.PlanHold("h1", Lines(5), eventLimit: 6, Ten, Now.AddMinutes(1));
        Assert.Equal((hold, false), (again.Existing, again.GoAhead));
    }

    [Fact]
    public void Expired_holds_stop_counting_but_a_hold_in_checkout_counts_until_the_saga_ends_it()
    {
        var (shopper, _) = WithHold(4);
        Assert.Equal(0, shopper.SeatsCounted(Now + Ten));
        Assert.Equal(HoldStates.Expired, shopper.Find("h1", Now + Ten)!.State);

        var (checkingOut, _) = WithHold(4);
        Assert.Null(checkingOut.BeginCheckout("h1", Now).Error);
        Assert.Equal((4, HoldStates.Active), (checkingOut.SeatsCounted(Now + Ten), checkingOut.Find("h1", Now + Ten)!.State));
    }

    [Fact]
    public void Sold_out_wins_over_other_tier_refusals_so_the_buyer_hears_the_useful_one()
    {
        Assert.Equal(ProblemCodes.SoldOut, Shopper.OutcomeOf([null, ProblemCodes.Unavailable, ProblemCodes.SoldOut]));
        Assert.Equal(ProblemCodes.Unavailable, Shopper.OutcomeOf([null, ProblemCodes.Unavailable]));
        Assert.Null(Shopper.OutcomeOf([null, null]));
    }

    [Fact]
    public void Releasing_needs_an_active_hold_not_in_checkout_and_releasing_twice_is_harmless()
    {
        var (shopper, hold) = WithHold(2);
        Assert.Equal((null, hold), shopper.PlanRelease("h1", Now));
        shopper.Released("h1");
        Assert.Equal((null, null), shopper.PlanRelease("h1", Now));
        Assert.Equal(ProblemCodes.HoldNotFound, shopper.PlanRelease("nope", Now).Error);

        var (checkingOut, _) = WithHold(2);
        checkingOut.BeginCheckout("h1", Now);
        Assert.Equal(ProblemCodes.CheckoutInProgress, checkingOut.PlanRelease("h1", Now).Error);
        var (expired, _) = WithHold(2);
        Assert.Equal(ProblemCodes.HoldExpired, expired.PlanRelease("h1", Now + Ten).Error);
    }

    [Fact]
    public void A_checkout_begins_once_and_only_on_an_active_hold()
    {
        var (shopper, _) = WithHold(2);
        Assert.True(shopper.BeginCheckout("h1", Now).Changed);
        Assert.Equal((null, false), (shopper.BeginCheckout("h1", Now).Error, shopper.BeginCheckout("h1", Now).Changed));

        var (released, _) = WithHold(2);
        released.Released("h1");
        Assert.Equal(ProblemCodes.HoldExpired, released.BeginCheckout("h1", Now).Error);
        var (expired, _) = WithHold(2);
        Assert.Equal(ProblemCodes.HoldExpired, expired.BeginCheckout("h1", Now + Ten).Error);
        Assert.Equal(ProblemCodes.HoldNotFound, expired.BeginCheckout("nope", Now).Error);
    }

    [Fact]
    public void Only_the_saga_that_owns_a_hold_ends_it_and_a_late_or_repeated_end_changes_nothing()
    {
        var (shopper, _) = WithHold(2);
        Assert.False(shopper.EndCheckout("h1", HoldStates.Expired, null)); // no saga owns it: a stale saga must not touch it
        shopper.BeginCheckout("h1", Now);
        Assert.True(shopper.EndCheckout("h1", HoldStates.Purchased, "ord_1"));
        Assert.False(shopper.EndCheckout("h1", HoldStates.Purchased, "ord_1"));
        Assert.False(shopper.EndCheckout("h1", HoldStates.Expired, null));
        Assert.True(shopper.EndCheckout("h1", HoldStates.Refunded, null)); // a refund ends a purchase
        Assert.Equal((HoldStates.Refunded, "ord_1", false), (shopper.Holds["h1"].State, shopper.Holds["h1"].OrderId, shopper.Holds["h1"].CheckingOut));
    }

    [Fact]
    public void Holds_that_ended_a_day_ago_are_forgotten_when_a_new_one_is_placed()
    {
        var (shopper, _) = WithHold(2);
        shopper.Released("h1");
        var later = Now + Ten + Shopper.KeepFinishedHolds + TimeSpan.FromSeconds(1);
        shopper.Placed("h2", "evt", "ann", Lines(1), "USD", later + Ten, later);
        Assert.Equal(["h2"], shopper.Holds.Keys);
    }

    private enum Op { Place, Release, Begin, Purchase, Decline, Refund, Wait }

    /// <summary>The test's own account of one hold: what the shopper should know about it, kept by the plain rules of the API.</summary>
    private sealed record Modelled(int Seats, DateTimeOffset ExpiresAt, string State, bool Saga);

    [Fact]
    public void The_shopper_agrees_with_a_plain_model_of_holds_and_never_passes_the_event_limit()
    {
        var ops = Gen.ListOf(from op in Gen.Elements(Enum.GetValues<Op>())
                             from hold in Gen.Choose(1, 5)
                             from a in Gen.Choose(1, 4)
                             from b in Gen.Choose(0, 3)
                             from minutes in Gen.Choose(1, 8)
                             select (op, $"h{hold}", a, b, minutes));
        Prop.ForAll(Arb.From(ops), Arb.From(Gen.Choose(1, 8)), (steps, limit) =>
        {
            var shopper = new Shopper([]);
            var model = new Dictionary<string, Modelled>();
            var now = Now;
            bool Live(Modelled h) => h.State == HoldStates.Active && (h.Saga || h.ExpiresAt > now);
            int Counted() => model.Values.Where(h => Live(h) || h.State == HoldStates.Purchased).Sum(h => h.Seats);
            foreach (var (op, id, a, b, minutes) in steps)
            {
                model.TryGetValue(id, out var known);
                switch (op)
                {
                    case Op.Place:
                        var plan = shopper.PlanHold(id, Lines(a, b), limit, Ten, now);
                        var expected = known is not null ? "existing" : Counted() + a + b > limit ? ProblemCodes.LimitExceeded : "go";
                        if ((plan.Existing is not null ? "existing" : plan.Refusal ?? "go") != expected) return false;
                        if (plan.GoAhead)
                        {
                            shopper.Placed(id, "evt", "ann", Lines(a, b), "USD", plan.ExpiresAt, now);
                            model[id] = new Modelled(a + b, plan.ExpiresAt, HoldStates.Active, Saga: false);
                        }
                        break;
                    case Op.Release:
                        var (_, toRelease) = shopper.PlanRelease(id, now);
                        var releasable = known is not null && known.State == HoldStates.Active && !known.Saga && known.ExpiresAt > now;
                        if ((toRelease is not null) != releasable) return false;
                        if (toRelease is not null)
                        {
                            shopper.Released(id);
                            model[id] = known! with { State = HoldStates.Released };
                        }
                        break;
                    case Op.Begin:
                        var begun = shopper.BeginCheckout(id, now).Error is null;
                        if (begun != (known is not null && Live(known))) return false;
                        if (begun) model[id] = known! with { Saga = true };
                        break;
                    case Op.Purchase or Op.Decline or Op.Refund:
                        var state = op switch { Op.Purchase => HoldStates.Purchased, Op.Decline => HoldStates.Released, _ => HoldStates.Refunded };
                        var owned = known is not null && (known.Saga || (state == HoldStates.Refunded && known.State == HoldStates.Purchased));
                        shopper.EndCheckout(id, state, op == Op.Purchase ? "ord_" + id : null);
                        if (owned) model[id] = known! with { State = state, Saga = false };
                        if (shopper.Holds.TryGetValue(id, out var stored) && (stored.State, stored.CheckingOut) != (model[id].State, model[id].Saga)) return false;
                        break;
                    case Op.Wait:
                        now = now.AddMinutes(minutes);
                        break;
                }
                if (shopper.SeatsCounted(now) != Counted() || Counted() > limit) return false;
            }
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(500).WithReplay(31337, 1203 * 2 + 1));
    }

    [Fact]
    public void Every_change_is_a_journal_entry_and_replaying_them_from_a_snapshot_or_from_the_start_gives_the_same_holds()
    {
        var shopper = new Shopper([]);
        var journal = new List<ShopperEvent>();
        void Take() => journal.AddRange(shopper.TakeChanges());
        shopper.Placed("h1", "evt", "ann", Lines(1), "USD", Now + Ten, Now);
        shopper.Placed("h2", "evt", "ann", Lines(2), "USD", Now + Ten, Now);
        Take();
        var snapshot = shopper.ToSnapshot();
        var sinceSnapshot = journal.Count;
        shopper.Released("h1");
        shopper.BeginCheckout("h2", Now);
        shopper.EndCheckout("h2", HoldStates.Purchased, "ord_1");
        Take();
        Assert.Empty(shopper.TakeChanges()); // taken once
        shopper.Placed("h3", "evt", "ann", Lines(1), "USD", Now.AddDays(2) + Ten, Now.AddDays(2)); // forgets h1, released two days ago
        Take();

        Assert.Equal(["h2", "h3"], shopper.Holds.Keys.Order());
        foreach (var replayed in new[] { Shopper.Restore(null, journal), Shopper.Restore(snapshot, journal.Skip(sinceSnapshot)) })
        {
            Assert.Equal(shopper.Holds.Keys.Order(), replayed.Holds.Keys.Order());
            Assert.All(shopper.Holds.Values, hold => Assert.Equal((hold.State, hold.OrderId, hold.CheckingOut),
                (replayed.Holds[hold.HoldId].State, replayed.Holds[hold.HoldId].OrderId, replayed.Holds[hold.HoldId].CheckingOut)));
        }
        Assert.Single(journal.OfType<HoldsForgotten>());
    }

    [Fact]
    public void A_refused_or_repeated_request_changes_nothing_and_journals_nothing()
    {
        var (shopper, _) = WithHold(4);
        shopper.TakeChanges();
        shopper.PlanHold("h2", Lines(3), eventLimit: 6, Ten, Now); // over the limit
        shopper.PlanHold("h1", Lines(4), eventLimit: 6, Ten, Now); // the same hold again
        shopper.EndCheckout("h1", HoldStates.Purchased, "ord"); // no checkout owns it
        Assert.Empty(shopper.TakeChanges());
    }
}
