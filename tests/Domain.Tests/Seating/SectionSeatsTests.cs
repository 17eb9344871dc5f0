using TicketFlow.Domain.Seating;

namespace TicketFlow.Domain.Tests.Seating;

public sealed class SectionSeatsTests
{
    private static readonly DateTimeOffset T0 = new(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Later = T0.AddMinutes(10);

    /// <summary>Rows A and B of four seats at tier "stalls", row C of four not for sale; ids "A1".."C4".</summary>
    private static SectionSeats Section()
    {
        var section = new SectionSeats();
        section.Configure(new SectionPlan("s1", "Section 1", new[] { "A", "B", "C" }.Select(row => new PlanRow(row,
            Enumerable.Range(1, 4).Select(n => new PlanSeat($"{row}{n}", $"{n}", row == "C" ? null : "stalls")).ToList())).ToList()), T0);
        return section;
    }

    [Fact]
    public void Exact_seats_are_held_all_or_none_and_a_taken_seat_is_named()
    {
        var section = Section();
        Assert.Null(section.TryHoldSeats("h1", "ann", "stalls", ["A1", "A2"], Later, T0).Error);

        var clash = section.TryHoldSeats("h2", "bob", "stalls", ["A2", "A3"], Later, T0);

        Assert.Equal(ProblemCodes.SeatTaken, clash.Error);
        Assert.Equal(["A2"], clash.SeatIds);
        Assert.Equal([SeatState.Held, SeatState.Held, SeatState.Free, SeatState.Free], section.States[..4].ToArray());
        Assert.Equal(new SectionTierCounts("stalls", 8, 6, 2, 0), Assert.Single(section.CountsAt(T0)));
    }

    [Fact]
    public void Unknown_seats_and_seats_of_another_tier_are_refused_and_change_nothing()
    {
        var section = Section();
        Assert.Equal(ProblemCodes.SeatNotFound, section.TryHoldSeats("h1", "ann", "stalls", ["A1", "Z9"], Later, T0).Error);
        Assert.Equal(ProblemCodes.SeatWrongTier, section.TryHoldSeats("h1", "ann", "stalls", ["C1"], Later, T0).Error);
        Assert.Equal(ProblemCodes.SeatWrongTier, section.TryHoldSeats("h1", "ann", "balcony", ["A1"], Later, T0).Error);
        Assert.Empty(section.TakeChanges().OfType<SeatsHeld>());
        Assert.Equal(8, section.CountsAt(T0).Single().Available);
    }

    [Fact]
    public void The_same_hold_id_again_returns_the_seats_it_holds()
    {
        var section = Section();
        var first = section.TryHoldBest("h1", "ann", "stalls", 2, together: true, Later, T0);
        var again = section.TryHoldBest("h1", "ann", "stalls", 2, together: true, Later, T0);
        Assert.Equal(first.Seats, again.Seats);
        Assert.Equal(1, section.HoldsPlaced);
    }

    [Fact]
    public void Best_available_refuses_sold_out_and_not_together_distinctly()
    {
        var section = Section();
        section.TryHoldSeats("h1", "ann", "stalls", ["A2", "B3"], Later, T0);
        Assert.Equal(ProblemCodes.NotTogether, section.TryHoldBest("h2", "bob", "stalls", 4, together: true, Later, T0).Error);
        Assert.Equal(ProblemCodes.SoldOut, section.TryHoldBest("h2", "bob", "stalls", 7, together: false, Later, T0).Error);
        Assert.Equal(6, section.TryHoldBest("h2", "bob", "stalls", 6, together: false, Later, T0).Seats.Count);
    }

    [Fact]
    public void An_expired_hold_frees_exactly_its_seats_and_no_longer_blocks_them()
    {
        var section = Section();
        section.TryHoldSeats("h1", "ann", "stalls", ["A1", "A2"], T0.AddMinutes(1), T0);
        Assert.Equal(8, section.CountsAt(T0.AddMinutes(2)).Single().Available); // lapsed counts as free before anyone records it

        Assert.Null(section.TryHoldSeats("h2", "bob", "stalls", ["A2"], Later, T0.AddMinutes(2)).Error);
        Assert.Equal(1, section.HoldsExpired);
        Assert.Equal(ProblemCodes.HoldExpired, section.Confirm("h1", T0.AddMinutes(2)));
    }

    [Fact]
    public void A_partial_refund_returns_exactly_its_seats_once_and_a_whole_refund_the_rest()
    {
        var section = Section();
        section.TryHoldSeats("h1", "ann", "stalls", ["B1", "B2", "B3", "B4"], Later, T0);
        Assert.Null(section.Confirm("h1", T0));

        Assert.True(section.RefundSeats("h1", "r1", ["B2", "B4"], T0));
        Assert.True(section.RefundSeats("h1", "r1", ["B2", "B4"], T0)); // the same refund again changes nothing
        Assert.Equal([SeatState.Sold, SeatState.Free, SeatState.Sold, SeatState.Free], section.States[4..8].ToArray());
        Assert.Throws<ArgumentException>(() => section.RefundSeats("h1", "r2", ["A1"], T0)); // not this sale's seat

        Assert.True(section.Refund("h1", T0));
        Assert.Equal(new SectionTierCounts("stalls", 8, 8, 0, 0), section.CountsAt(T0).Single());
        Assert.False(section.RefundSeats("nobody", "r3", ["B1"], T0));
    }

    [Fact]
    public void Closing_a_section_releases_every_held_seat_keeps_sold_ones_and_takes_no_new_hold()
    {
        var section = Section();
        section.TryHoldSeats("h1", "ann", "stalls", ["A1"], Later, T0);
        section.TryHoldSeats("h2", "bob", "stalls", ["B1"], Later, T0);
        section.Confirm("h2", T0);

        section.Close(T0);

        Assert.Equal(ProblemCodes.EventClosed, section.TryHoldSeats("h3", "cy", "stalls", ["A2"], Later, T0).Error);
        Assert.Equal(ProblemCodes.HoldExpired, section.Confirm("h1", T0)); // a checkout racing the cancel refunds
        Assert.Equal(new SectionTierCounts("stalls", 8, 7, 0, 1), section.CountsAt(T0).Single());
        Assert.True(section.Refund("h2", T0));
    }

    [Fact]
    public void An_entry_that_would_take_a_seat_twice_is_refused_by_apply()
    {
        var section = Section();
        section.Apply(new SeatsHeld(T0, "h1", "ann", "stalls", [0], Later));
        Assert.Throws<InvalidOperationException>(() => section.Apply(new SeatsHeld(T0, "h2", "bob", "stalls", [0], Later)));
    }

    [Fact]
    public void The_journal_and_a_snapshot_with_the_entries_after_it_replay_to_the_same_seats()
    {
        var section = Section();
        section.TryHoldSeats("h1", "ann", "stalls", ["A1", "A2"], Later, T0);
        section.Confirm("h1", T0);
        section.TryHoldSeats("h2", "bob", "stalls", ["B1"], Later, T0);
        section.RefundSeats("h1", "r1", ["A2"], T0);
        var snapshot = section.ToSnapshot();
        var journal = section.TakeChanges();
        section.TryHoldSeats("h3", "cy", "stalls", ["A2", "A3"], Later, T0);
        var after = section.TakeChanges();

        var replayed = SectionSeats.Restore(null, journal.Concat(after));
        var restored = SectionSeats.Restore(snapshot, after);

        foreach (var copy in new[] { replayed, restored })
        {
            Assert.Equal(section.States.ToArray(), copy.States.ToArray());
            Assert.Equal(section.CountsAt(T0), copy.CountsAt(T0));
            Assert.True(copy.RefundSeats("h1", "r1", ["A2"], T0)); // the refund id is remembered
            Assert.Equal(["A1", "A2"], copy.SeatsOf("h1").Select(s => s.Id));
        }
    }
}
