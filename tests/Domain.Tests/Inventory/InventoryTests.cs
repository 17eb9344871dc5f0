using FsCheck;
using FsCheck.Fluent;
using TicketFlow.Domain.Inventory;

namespace TicketFlow.Domain.Tests.Inventory;

using Inventory = TicketFlow.Domain.Inventory.Inventory;

public sealed class InventoryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private static Inventory Tier(int capacity = 10, int perUser = 4)
    {
        var inventory = new Inventory();
        inventory.Configure(new TierTerms(capacity, perUser), T0);
        return inventory;
    }

    [Fact]
    public void Hold_is_rejected_when_it_would_exceed_capacity()
    {
        var tier = Tier(capacity: 5, perUser: 5);
        Assert.Null(tier.TryHold("h1", "ann", 4, T0.AddMinutes(10), T0));
        Assert.Equal(ProblemCodes.SoldOut, tier.TryHold("h2", "bob", 2, T0.AddMinutes(10), T0));
        Assert.Equal((1, 4, 0), tier.CountsAt(T0));
    }

    [Fact]
    public void Per_user_limit_counts_active_holds_and_purchases()
    {
        var tier = Tier(capacity: 100, perUser: 4);
        Assert.Null(tier.TryHold("h1", "ann", 2, T0.AddMinutes(10), T0));
        Assert.Null(tier.Confirm("h1", T0));
        Assert.Null(tier.TryHold("h2", "ann", 2, T0.AddMinutes(10), T0));
        Assert.Equal(ProblemCodes.LimitExceeded, tier.TryHold("h3", "ann", 1, T0.AddMinutes(10), T0));
        Assert.Null(tier.TryHold("h4", "bob", 4, T0.AddMinutes(10), T0));
    }

    [Fact]
    public void An_expired_hold_never_counts_against_availability_even_before_it_is_expired()
    {
        var tier = Tier(capacity: 3, perUser: 3);
        tier.TryHold("h1", "ann", 3, T0.AddMinutes(1), T0);
        Assert.Equal((3, 0, 0), tier.CountsAt(T0.AddMinutes(1)));
        Assert.Null(tier.TryHold("h2", "bob", 3, T0.AddMinutes(5), T0.AddMinutes(2)));
        Assert.Equal(1, tier.HoldsExpired);
        Assert.Equal(ProblemCodes.HoldExpired, tier.Confirm("h1", T0.AddMinutes(2)));
    }

    [Fact]
    public void Repeating_a_hold_id_returns_the_first_outcome_and_changes_nothing()
    {
        var tier = Tier();
        Assert.Null(tier.TryHold("h1", "ann", 2, T0.AddMinutes(10), T0));
        tier.TakeChanges();
        Assert.Null(tier.TryHold("h1", "ann", 2, T0.AddMinutes(10), T0));
        Assert.Empty(tier.TakeChanges());
        Assert.Null(tier.Confirm("h1", T0));
        Assert.Null(tier.Confirm("h1", T0));
        Assert.Equal(ProblemCodes.HoldAlreadyUsed, tier.TryHold("h1", "ann", 2, T0.AddMinutes(10), T0));
        Assert.Equal(2, tier.Sold);
    }

    [Fact]
    public void Refund_returns_sold_seats_once()
    {
        var tier = Tier(capacity: 4, perUser: 4);
        tier.TryHold("h1", "ann", 4, T0.AddMinutes(10), T0);
        tier.Confirm("h1", T0);
        Assert.True(tier.Refund("h1", T0));
        Assert.True(tier.Refund("h1", T0));
        Assert.Equal((4, 0, 0), tier.CountsAt(T0));
        Assert.False(tier.Refund("never-sold", T0));
    }

    [Fact]
    public void A_partial_refund_returns_exactly_its_seats_once_per_refund_id_and_a_whole_refund_only_the_rest()
    {
        var tier = Tier(capacity: 4, perUser: 4);
        tier.TryHold("h1", "ann", 3, T0.AddMinutes(10), T0);
        tier.Confirm("h1", T0);
        Assert.True(tier.RefundSeats("h1", "r1", 1, T0));
        Assert.True(tier.RefundSeats("h1", "r1", 1, T0)); // the same refund again: nothing more
        Assert.Equal((2, 0, 2), tier.CountsAt(T0));
        Assert.Throws<ArgumentOutOfRangeException>(() => tier.RefundSeats("h1", "r2", 3, T0)); // more than is left: never
        Assert.True(tier.Refund("h1", T0));
        Assert.Equal((4, 0, 0), tier.CountsAt(T0));
        Assert.Null(tier.TryHold("h2", "ann", 4, T0.AddMinutes(10), T0)); // the buyer's seats count no more against the limit
        Assert.False(tier.RefundSeats("never-sold", "r3", 1, T0));
        var journal = tier.TakeChanges();
        Assert.Single(journal.OfType<SeatsRefunded>());
        var replayed = Inventory.Restore(Inventory.Restore(null, journal.Take(4)).ToSnapshot(), journal.Skip(4));
        Assert.Equal((tier.Sold, tier.Held, tier.Refunds), (replayed.Sold, replayed.Held, replayed.Refunds));
    }

    [Fact]
    public void Capacity_only_grows_and_a_closed_tier_takes_no_holds()
    {
        var tier = Tier(capacity: 10);
        tier.Configure(new TierTerms(5, 4), T0);
        Assert.Equal(10, tier.Capacity);
        tier.Configure(new TierTerms(12, 4), T0);
        Assert.Equal(12, tier.Capacity);
        tier.Close(T0);
        Assert.Equal(ProblemCodes.EventClosed, tier.TryHold("h1", "ann", 1, T0.AddMinutes(1), T0));
    }

    [Fact]
    public void A_changed_per_user_limit_refuses_new_holds_beyond_it_and_keeps_seats_already_held_or_sold()
    {
        var tier = Tier(capacity: 100, perUser: 6);
        Assert.Null(tier.TryHold("h1", "ann", 2, T0.AddMinutes(10), T0));
        Assert.Null(tier.Confirm("h1", T0));
        Assert.Null(tier.TryHold("h2", "ann", 2, T0.AddMinutes(10), T0));
        var journal = new List<InventoryEvent>(tier.TakeChanges());

        tier.Configure(new TierTerms(100, 1), T0);
        Assert.Equal(1, tier.PerUserLimit);
        Assert.Equal(ProblemCodes.LimitExceeded, tier.TryHold("h3", "ann", 1, T0.AddMinutes(10), T0));
        Assert.Equal(ProblemCodes.LimitExceeded, tier.TryHold("h4", "bob", 2, T0.AddMinutes(10), T0));
        Assert.Null(tier.TryHold("h5", "bob", 1, T0.AddMinutes(10), T0));
        Assert.Null(tier.Confirm("h2", T0)); // a hold placed under the old limit still sells
        Assert.Equal((95, 1, 4), tier.CountsAt(T0));

        tier.Configure(new TierTerms(100, 3), T0);
        Assert.Equal(ProblemCodes.LimitExceeded, tier.TryHold("h6", "ann", 1, T0.AddMinutes(10), T0)); // ann owns 4
        Assert.Null(tier.TryHold("h7", "bob", 2, T0.AddMinutes(10), T0));
        journal.AddRange(tier.TakeChanges());
        var replayed = Inventory.Restore(null, journal);
        Assert.Equal((100, 3), (replayed.Capacity, replayed.PerUserLimit));

        tier.Configure(new TierTerms(100, 3), T0);
        Assert.Empty(tier.TakeChanges()); // the same terms again change nothing
    }

    [Fact]
    public void A_holds_copy_of_the_terms_grows_capacity_but_never_changes_the_limit()
    {
        var tier = Tier(capacity: 10, perUser: 6);
        tier.Configure(new TierTerms(10, 1), T0);
        tier.CatchUp(new TierTerms(12, 6), T0); // a WebFront's cached copy from before the admin's change
        Assert.Equal((12, 1), (tier.Capacity, tier.PerUserLimit));
        tier.CatchUp(new TierTerms(8, 6), T0);
        Assert.Equal((12, 1), (tier.Capacity, tier.PerUserLimit));

        var fresh = new Inventory();
        fresh.CatchUp(new TierTerms(5, 3), T0); // an inventory that has none starts from it
        Assert.Equal((true, 5, 3), (fresh.IsConfigured, fresh.Capacity, fresh.PerUserLimit));
    }

    private enum Op { Hold, Release, Confirm, Refund, RefundSeats, Advance, Grow, Limit }

    private sealed record Step(Op Op, int Hold, int User, int Quantity, int Minutes);

    private static Gen<Step> StepGen =>
        from op in Gen.Elements(Op.Hold, Op.Hold, Op.Hold, Op.Release, Op.Confirm, Op.Confirm, Op.Refund, Op.RefundSeats, Op.Advance, Op.Grow, Op.Limit)
        from hold in Gen.Choose(0, 30)
        from user in Gen.Choose(0, 5)
        from quantity in Gen.Choose(1, 4)
        from minutes in Gen.Choose(1, 12)
        select new Step(op, hold, user, quantity, minutes);

    [Fact]
    public void Any_sequence_keeps_the_counts_consistent_the_limits_respected_and_the_journal_replayable()
    {
        Prop.ForAll(Arb.From(Gen.ListOf(StepGen)), steps =>
        {
            var tier = Tier(capacity: 12, perUser: 5);
            var journal = new List<InventoryEvent>(tier.TakeChanges());
            var refunded = new Dictionary<string, int>(); // seats partial refunds asked per hold (a whole refund makes the rest a no-op)
            var now = T0;
            foreach (var step in steps)
            {
                var id = $"h{step.Hold}";
                switch (step.Op)
                {
                    case Op.Hold: tier.TryHold(id, $"u{step.User}", step.Quantity, now.AddMinutes(step.Minutes), now); break;
                    case Op.Release: tier.Release(id, now); break;
                    case Op.Confirm: tier.Confirm(id, now); break;
                    case Op.Refund: tier.Refund(id, now); break;
                    case Op.RefundSeats when tier.SoldQuantity(id) > 0 && refunded.GetValueOrDefault(id) < tier.SoldQuantity(id):
                        tier.RefundSeats(id, $"r{step.User}", 1, now);
                        refunded[id] = refunded.GetValueOrDefault(id) + 1;
                        break;
                    case Op.Advance: now = now.AddMinutes(step.Minutes); tier.ExpireDue(now); break;
                    case Op.Grow: tier.Configure(new TierTerms(tier.Capacity + step.Quantity, tier.PerUserLimit), now); break;
                    case Op.Limit: tier.Configure(new TierTerms(tier.Capacity, step.Quantity + 1), now); break;
                }
                journal.AddRange(tier.TakeChanges());
                var (available, held, sold) = tier.CountsAt(now);
                if (available < 0 || held < 0 || sold < 0 || available + held + sold != tier.Capacity) return false;
            }
            var replayed = Inventory.Restore(null, journal);
            var snapshotThenRest = Inventory.Restore(Inventory.Restore(null, journal.Take(journal.Count / 2)).ToSnapshot(), journal.Skip(journal.Count / 2));
            return Same(replayed, tier) && Same(snapshotThenRest, tier) && PerUserWithinLimit(journal);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(500).WithReplay(12345, 67891));
    }

    private static bool Same(Inventory a, Inventory b) =>
        (a.Capacity, a.PerUserLimit, a.Held, a.Sold, a.ActiveHolds, a.HoldsPlaced, a.HoldsExpired, a.HoldsReleased, a.HoldsSold, a.Refunds)
        == (b.Capacity, b.PerUserLimit, b.Held, b.Sold, b.ActiveHolds, b.HoldsPlaced, b.HoldsExpired, b.HoldsReleased, b.HoldsSold, b.Refunds);

    // Recompute each user's holds + purchases from the journal alone: no hold takes its user past the limit in force when
    // it is placed (a limit lowered later keeps what users already hold or own).
    private static bool PerUserWithinLimit(IEnumerable<InventoryEvent> journal)
    {
        var limit = 0;
        var holds = new Dictionary<string, (string User, int Quantity)>();
        var sales = new Dictionary<string, (string User, int Quantity)>();
        var perUser = new Dictionary<string, int>();
        foreach (var change in journal)
        {
            switch (change)
            {
                case TermsSet t: limit = t.PerUserLimit; break;
                case HoldPlaced h:
                    holds[h.HoldId] = (h.UserId, h.Quantity);
                    perUser[h.UserId] = perUser.GetValueOrDefault(h.UserId) + h.Quantity;
                    if (perUser[h.UserId] > limit) return false;
                    break;
                case HoldReleased r: Drop(holds, r.HoldId); break;
                case HoldExpired e: Drop(holds, e.HoldId); break;
                case SaleConfirmed s: sales[s.HoldId] = holds[s.HoldId]; holds.Remove(s.HoldId); break;
                case SaleRefunded r: Drop(sales, r.HoldId); break;
                case SeatsRefunded p:
                    sales[p.HoldId] = (sales[p.HoldId].User, sales[p.HoldId].Quantity - p.Quantity);
                    perUser[sales[p.HoldId].User] -= p.Quantity;
                    break;
            }
        }
        return true;

        void Drop(Dictionary<string, (string User, int Quantity)> from, string id)
        {
            var (user, quantity) = from[id];
            from.Remove(id);
            perUser[user] -= quantity;
        }
    }
}
