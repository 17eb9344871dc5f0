namespace TicketFlow.Domain.Seating;

/// <summary>
/// The seats of one section of one event as a plain state machine: each seat free, held by one hold until its expiry, or
/// sold to one hold; no runtime, no I/O, time passed in. Every change is a <see cref="SectionEvent"/> applied by
/// <see cref="Apply"/>, the code that also replays the journal. A seat is held or sold to at most one hold at a time
/// (invariant 7): <see cref="Apply"/> refuses any entry that would take a seat that is not free.
/// </summary>
public sealed class SectionSeats
{
    private readonly Dictionary<string, ActiveHold> holds = new(StringComparer.Ordinal);
    private readonly SortedSet<(DateTimeOffset ExpiresAt, string HoldId)> byExpiry = [];
    private readonly Dictionary<string, Sale> sales = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tally> tallies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> seatIndex = new(StringComparer.Ordinal);
    private readonly List<SectionEvent> uncommitted = [];
    private byte[] states = [];
    private string?[] tierOf = [];
    private int[] rowOf = [];
    private int[] rowStarts = [];

    public SectionPlan? Plan { get; private set; }
    public bool IsConfigured => Plan is not null;
    public bool IsClosed { get; private set; }
    public int SeatCount => states.Length;
    public int ActiveHolds => holds.Count;
    public int SoldHolds => sales.Count;
    public long HoldsPlaced { get; private set; }
    public long HoldsReleased { get; private set; }
    public long HoldsExpired { get; private set; }
    public long HoldsSold { get; private set; }
    public long Refunds { get; private set; }

    /// <summary>When the earliest active hold expires; null when none is active.</summary>
    public DateTimeOffset? NextExpiry => byExpiry.Count == 0 ? null : byExpiry.Min.ExpiresAt;

    /// <summary>Each seat's state (index = position in the plan), as the status bitmap shows it.</summary>
    public ReadOnlySpan<byte> States => states;

    /// <summary>Sets the section up once; a section's seats and tiers are fixed for its event after that.</summary>
    public void Configure(SectionPlan plan, DateTimeOffset now)
    {
        if (plan.SeatCount is 0 or > LayoutRules.MaxSeatsPerSection) throw new ArgumentOutOfRangeException(nameof(plan), plan.SeatCount, "A section has 1 to 10,000 seats.");
        if (!IsConfigured) Emit(new SectionConfigured(now, plan));
    }

    /// <summary>Holds exactly these seats (all or none). The same hold id again returns the seats it holds.</summary>
    public SeatHoldOutcome TryHoldSeats(string holdId, string userId, string tierId, IReadOnlyList<string> seatIds, DateTimeOffset expiresAt, DateTimeOffset now)
    {
        if (seatIds.Count == 0) throw new ArgumentException("A hold takes at least one seat.", nameof(seatIds));
        if (Preamble(holdId, expiresAt, now) is { } decided) return decided;
        var seats = new int[seatIds.Count];
        List<string>? unknown = null, wrongTier = null, taken = null;
        for (var i = 0; i < seatIds.Count; i++)
        {
            if (!seatIndex.TryGetValue(seatIds[i], out var seat)) (unknown ??= []).Add(seatIds[i]);
            else if (tierOf[seat] != tierId) (wrongTier ??= []).Add(seatIds[i]);
            else if (states[seat] != SeatState.Free) (taken ??= []).Add(seatIds[i]);
            seats[i] = seat;
        }
        if (unknown is not null) return SeatHoldOutcome.Refused(ProblemCodes.SeatNotFound, unknown);
        if (wrongTier is not null) return SeatHoldOutcome.Refused(ProblemCodes.SeatWrongTier, wrongTier);
        if (seats.Distinct().Count() != seats.Length) throw new ArgumentException("A seat is named twice.", nameof(seatIds));
        if (taken is not null) return SeatHoldOutcome.Refused(ProblemCodes.SeatTaken, taken);
        Emit(new SeatsHeld(now, holdId, userId, tierId, seats, expiresAt));
        return Granted(seats);
    }

    /// <summary>Holds the best <paramref name="quantity"/> free seats of the tier here (<see cref="BestAvailable"/>): <c>sold_out</c> when
    /// fewer are free, <c>not_together</c> when <paramref name="together"/> and no row has them side by side.</summary>
    public SeatHoldOutcome TryHoldBest(string holdId, string userId, string tierId, int quantity, bool together, DateTimeOffset expiresAt, DateTimeOffset now)
    {
        if (quantity < 1) throw new ArgumentOutOfRangeException(nameof(quantity), quantity, "A hold takes at least one seat.");
        if (Preamble(holdId, expiresAt, now) is { } decided) return decided;
        var rows = new bool[rowStarts.Length][];
        var free = 0;
        for (var r = 0; r < rows.Length; r++)
        {
            var start = rowStarts[r];
            var row = rows[r] = new bool[RowEnd(r) - start];
            for (var s = 0; s < row.Length; s++)
                if (row[s] = states[start + s] == SeatState.Free && tierOf[start + s] == tierId) free++;
        }
        if (free < quantity) return SeatHoldOutcome.Refused(ProblemCodes.SoldOut, []);
        if (BestAvailable.Choose(rows, quantity, together) is not { } chosen) return SeatHoldOutcome.Refused(ProblemCodes.NotTogether, []);
        var seats = chosen.Select(p => rowStarts[p.Row] + p.Seat).ToArray();
        Emit(new SeatsHeld(now, holdId, userId, tierId, seats, expiresAt));
        return Granted(seats);
    }

    public bool Release(string holdId, DateTimeOffset now)
    {
        ExpireDue(now);
        if (!holds.TryGetValue(holdId, out var hold)) return false;
        Emit(new SeatHoldReleased(now, holdId, hold.Seats));
        return true;
    }

    /// <returns>Null when sold (now or before); <c>hold_expired</c> when the hold is gone; <c>event_closed</c> once the section is closed.</returns>
    public string? Confirm(string holdId, DateTimeOffset now)
    {
        ExpireDue(now);
        if (sales.ContainsKey(holdId)) return null;
        if (!holds.TryGetValue(holdId, out var hold)) return ProblemCodes.HoldExpired;
        if (IsClosed) return ProblemCodes.EventClosed;
        Emit(new SeatsSold(now, holdId, hold.Seats));
        return null;
    }

    /// <summary>Returns every seat of a sale not yet returned (a whole refund); true if the hold was ever sold.</summary>
    public bool Refund(string holdId, DateTimeOffset now)
    {
        if (!sales.TryGetValue(holdId, out var sale)) return false;
        var left = sale.Seats.Where(s => !sale.Returned.Contains(s)).ToArray();
        if (left.Length > 0) Emit(new SoldSeatsReturned(now, holdId, "whole", left));
        return true;
    }

    /// <summary>Returns these sold seats of the hold under <paramref name="refundId"/>; the same refund again changes nothing.</summary>
    /// <returns>True if the seats are (now or before) back on sale; false if the hold was never sold here.</returns>
    public bool RefundSeats(string holdId, string refundId, IReadOnlyList<string> seatIds, DateTimeOffset now)
    {
        if (!sales.TryGetValue(holdId, out var sale)) return false;
        if (sale.RefundIds.Contains(refundId)) return true;
        var seats = new int[seatIds.Count];
        for (var i = 0; i < seats.Length; i++)
        {
            if (!seatIndex.TryGetValue(seatIds[i], out seats[i]) || !sale.Seats.Contains(seats[i]))
                throw new ArgumentException($"Seat {seatIds[i]} was not sold to hold {holdId}.", nameof(seatIds));
        }
        var left = seats.Where(s => !sale.Returned.Contains(s)).Distinct().ToArray(); // a whole refund may have returned them already
        if (left.Length > 0) Emit(new SoldSeatsReturned(now, holdId, refundId, left));
        return true;
    }

    /// <summary>The event is cancelled: no more holds, and every held seat is released (a checkout racing this finds its hold
    /// gone and refunds). Sold seats stay sold until their orders are refunded.</summary>
    public void Close(DateTimeOffset now)
    {
        if (IsClosed) return;
        Emit(new SectionClosed(now));
        foreach (var (holdId, hold) in holds.ToList()) Emit(new SeatHoldReleased(now, holdId, hold.Seats));
    }

    /// <summary>Expires every hold whose time has come. Every operation calls it first, so an expired hold never blocks a seat.</summary>
    public int ExpireDue(DateTimeOffset now)
    {
        var expired = 0;
        while (byExpiry.Count > 0 && byExpiry.Min.ExpiresAt <= now)
        {
            var holdId = byExpiry.Min.HoldId;
            Emit(new SeatHoldExpired(now, holdId, holds[holdId].Seats));
            expired++;
        }
        return expired;
    }

    /// <summary>Each tier's counts in this section at <paramref name="now"/>, without changing anything: lapsed holds count as free.</summary>
    public IReadOnlyList<SectionTierCounts> CountsAt(DateTimeOffset now)
    {
        var lapsed = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (expiresAt, holdId) in byExpiry)
        {
            if (expiresAt > now) break;
            var hold = holds[holdId];
            lapsed[hold.TierId] = lapsed.GetValueOrDefault(hold.TierId) + hold.Seats.Length;
        }
        return tallies.Select(t =>
        {
            var gone = lapsed.GetValueOrDefault(t.Key);
            return new SectionTierCounts(t.Key, t.Value.Capacity, t.Value.Capacity - t.Value.Held - t.Value.Sold + gone, t.Value.Held - gone, t.Value.Sold);
        }).OrderBy(c => c.TierId, StringComparer.Ordinal).ToList();
    }

    /// <summary>What happened to each tier's holds here so far (the admin's sales board).</summary>
    public IReadOnlyList<SectionTierActivity> Activity() => tallies
        .Select(t => new SectionTierActivity(t.Key, t.Value.HoldsPlaced, t.Value.HoldsReleased, t.Value.HoldsExpired, t.Value.HoldsSold, t.Value.Refunds))
        .OrderBy(a => a.TierId, StringComparer.Ordinal).ToList();

    public bool IsHeld(string holdId) => holds.ContainsKey(holdId);

    /// <summary>The seats a hold has here (held or sold), or none.</summary>
    public IReadOnlyList<HeldSeat> SeatsOf(string holdId) =>
        holds.TryGetValue(holdId, out var hold) ? Describe(hold.Seats) : sales.TryGetValue(holdId, out var sale) ? Describe(sale.Seats) : [];

    /// <summary>The seat's id and labels.</summary>
    public HeldSeat Describe(int seat)
    {
        var row = Plan!.Rows[rowOf[seat]];
        return new HeldSeat(row.Seats[seat - rowStarts[rowOf[seat]]].Id, Plan.SectionId, Plan.Label, row.Label, row.Seats[seat - rowStarts[rowOf[seat]]].Number);
    }

    public string SeatId(int seat) => Describe(seat).Id;

    /// <summary>Changes made since the last call, in order, for the journal.</summary>
    public IReadOnlyList<SectionEvent> TakeChanges()
    {
        var changes = uncommitted.ToArray();
        uncommitted.Clear();
        return changes;
    }

    private SeatHoldOutcome? Preamble(string holdId, DateTimeOffset expiresAt, DateTimeOffset now)
    {
        ExpireDue(now);
        if (holds.TryGetValue(holdId, out var existing)) return Granted(existing.Seats);
        if (sales.ContainsKey(holdId)) return SeatHoldOutcome.Refused(ProblemCodes.HoldAlreadyUsed, []);
        if (IsClosed || !IsConfigured) return SeatHoldOutcome.Refused(ProblemCodes.EventClosed, []);
        if (expiresAt <= now) return SeatHoldOutcome.Refused(ProblemCodes.HoldExpired, []);
        return null;
    }

    private SeatHoldOutcome Granted(int[] seats) => new(null, Describe(seats), []);

    private IReadOnlyList<HeldSeat> Describe(int[] seats) => seats.Select(Describe).ToList();

    private int RowEnd(int row) => row + 1 < rowStarts.Length ? rowStarts[row + 1] : states.Length;

    private void Emit(SectionEvent change)
    {
        Apply(change);
        uncommitted.Add(change);
    }

    /// <summary>Applies one journal entry. The only place state changes; an entry that would double-book a seat throws.</summary>
    public void Apply(SectionEvent change)
    {
        switch (change)
        {
            case SectionConfigured configured:
                Load(configured.Plan);
                break;
            case SeatsHeld held:
                foreach (var seat in held.Seats)
                {
                    if (states[seat] != SeatState.Free || tierOf[seat] != held.TierId)
                        throw new InvalidOperationException($"Seat {SeatId(seat)} is not free at tier {held.TierId}: hold {held.HoldId} cannot take it.");
                    states[seat] = SeatState.Held;
                }
                holds.Add(held.HoldId, new ActiveHold(held.UserId, held.TierId, held.Seats, held.ExpiresAt));
                byExpiry.Add((held.ExpiresAt, held.HoldId));
                TallyOf(held.TierId).Held += held.Seats.Length;
                TallyOf(held.TierId).HoldsPlaced++;
                HoldsPlaced++;
                break;
            case SeatHoldReleased released:
                TallyOf(EndHold(released.HoldId, SeatState.Free).TierId).HoldsReleased++;
                HoldsReleased++;
                break;
            case SeatHoldExpired expired:
                TallyOf(EndHold(expired.HoldId, SeatState.Free).TierId).HoldsExpired++;
                HoldsExpired++;
                break;
            case SeatsSold sold:
                var hold = EndHold(sold.HoldId, SeatState.Sold);
                sales.Add(sold.HoldId, new Sale(hold.UserId, hold.TierId, hold.Seats, [], []));
                TallyOf(hold.TierId).Sold += hold.Seats.Length;
                TallyOf(hold.TierId).HoldsSold++;
                HoldsSold++;
                break;
            case SoldSeatsReturned returned:
                var sale = sales[returned.HoldId];
                foreach (var seat in returned.Seats)
                {
                    if (states[seat] != SeatState.Sold || !sale.Seats.Contains(seat) || !sale.Returned.Add(seat))
                        throw new InvalidOperationException($"Seat {SeatId(seat)} is not sold to hold {returned.HoldId}.");
                    states[seat] = SeatState.Free;
                }
                sale.RefundIds.Add(returned.RefundId);
                TallyOf(sale.TierId).Sold -= returned.Seats.Length;
                TallyOf(sale.TierId).Refunds++;
                Refunds++;
                break;
            case SectionClosed:
                IsClosed = true;
                break;
            default:
                throw new ArgumentException($"Unknown section event {change.GetType().Name}.", nameof(change));
        }
    }

    private ActiveHold EndHold(string holdId, byte seatsBecome)
    {
        if (!holds.Remove(holdId, out var hold)) throw new InvalidOperationException($"Hold {holdId} is not active.");
        byExpiry.Remove((hold.ExpiresAt, holdId));
        foreach (var seat in hold.Seats) states[seat] = seatsBecome;
        TallyOf(hold.TierId).Held -= hold.Seats.Length;
        return hold;
    }

    private Tally TallyOf(string tierId) => tallies[tierId];

    private void Load(SectionPlan plan)
    {
        Plan = plan;
        var count = plan.SeatCount;
        (states, tierOf, rowOf, rowStarts) = (new byte[count], new string?[count], new int[count], new int[plan.Rows.Count]);
        var seat = 0;
        for (var r = 0; r < plan.Rows.Count; r++)
        {
            rowStarts[r] = seat;
            foreach (var planned in plan.Rows[r].Seats)
            {
                seatIndex.Add(planned.Id, seat);
                (tierOf[seat], rowOf[seat]) = (planned.TierId, r);
                states[seat] = planned.TierId is null ? SeatState.Unavailable : SeatState.Free;
                if (planned.TierId is { } tier)
                {
                    if (!tallies.TryGetValue(tier, out var tally)) tallies[tier] = tally = new Tally();
                    tally.Capacity++;
                }
                seat++;
            }
        }
    }

    public SectionSnapshot ToSnapshot() => new(Plan, IsClosed,
        holds.Select(h => new SeatHoldSnapshot(h.Key, h.Value.UserId, h.Value.TierId, h.Value.Seats, h.Value.ExpiresAt)).ToList(),
        sales.Select(s => new SeatSaleSnapshot(s.Key, s.Value.UserId, s.Value.TierId, s.Value.Seats, s.Value.Returned.Order().ToArray(), s.Value.RefundIds.ToArray())).ToList(),
        HoldsPlaced, HoldsReleased, HoldsExpired, HoldsSold, Refunds, Activity());

    /// <summary>The state a snapshot and the journal entries after it describe.</summary>
    public static SectionSeats Restore(SectionSnapshot? snapshot, IEnumerable<SectionEvent> entries)
    {
        var section = new SectionSeats();
        if (snapshot?.Plan is { } plan)
        {
            section.Load(plan);
            section.IsClosed = snapshot.Closed;
            foreach (var hold in snapshot.Holds)
                section.Apply(new SeatsHeld(hold.ExpiresAt, hold.HoldId, hold.UserId, hold.TierId, hold.Seats, hold.ExpiresAt));
            foreach (var sale in snapshot.Sales)
            {
                section.Apply(new SeatsHeld(DateTimeOffset.MinValue, sale.HoldId, sale.UserId, sale.TierId, sale.Seats, DateTimeOffset.MaxValue));
                section.Apply(new SeatsSold(DateTimeOffset.MinValue, sale.HoldId, sale.Seats));
                var returned = section.sales[sale.HoldId];
                foreach (var seat in sale.Returned) { returned.Returned.Add(seat); section.states[seat] = SeatState.Free; }
                section.TallyOf(sale.TierId).Sold -= sale.Returned.Length;
                returned.RefundIds.AddRange(sale.RefundIds);
            }
            (section.HoldsPlaced, section.HoldsReleased, section.HoldsExpired, section.HoldsSold, section.Refunds) =
                (snapshot.HoldsPlaced, snapshot.HoldsReleased, snapshot.HoldsExpired, snapshot.HoldsSold, snapshot.Refunds);
            foreach (var activity in snapshot.TierActivity ?? [])
            {
                var tally = section.TallyOf(activity.TierId);
                (tally.HoldsPlaced, tally.HoldsReleased, tally.HoldsExpired, tally.HoldsSold, tally.Refunds) =
                    (activity.HoldsPlaced, activity.HoldsReleased, activity.HoldsExpired, activity.HoldsSold, activity.Refunds);
            }
        }
        foreach (var entry in entries) section.Apply(entry);
        return section;
    }

    private sealed record ActiveHold(string UserId, string TierId, int[] Seats, DateTimeOffset ExpiresAt);

    private sealed record Sale(string UserId, string TierId, int[] Seats, HashSet<int> Returned, List<string> RefundIds);

    private sealed class Tally
    {
        public int Capacity, Held, Sold;
        public long HoldsPlaced, HoldsReleased, HoldsExpired, HoldsSold, Refunds;
    }
}

/// <param name="Error">Null when held; else a problem code (<c>seat_taken</c>, <c>seat_not_found</c>, <c>seat_wrong_tier</c>, <c>sold_out</c>,
/// <c>not_together</c>, <c>event_closed</c>, <c>hold_expired</c>, <c>hold_already_used</c>).</param>
/// <param name="SeatIds">The seats the refusal is about (taken, unknown, or of another tier).</param>
public sealed record SeatHoldOutcome(string? Error, IReadOnlyList<HeldSeat> Seats, IReadOnlyList<string> SeatIds)
{
    public static SeatHoldOutcome Refused(string code, IReadOnlyList<string> seatIds) => new(code, [], seatIds);
}

public sealed record SectionTierCounts(string TierId, int Capacity, int Available, int Held, int Sold);

public sealed record SeatHoldSnapshot(string HoldId, string UserId, string TierId, int[] Seats, DateTimeOffset ExpiresAt);

public sealed record SeatSaleSnapshot(string HoldId, string UserId, string TierId, int[] Seats, int[] Returned, string[] RefundIds);

public sealed record SectionSnapshot(SectionPlan? Plan, bool Closed, IReadOnlyList<SeatHoldSnapshot> Holds, IReadOnlyList<SeatSaleSnapshot> Sales,
    long HoldsPlaced, long HoldsReleased, long HoldsExpired, long HoldsSold, long Refunds, IReadOnlyList<SectionTierActivity>? TierActivity = null);

public sealed record SectionTierActivity(string TierId, long HoldsPlaced, long HoldsReleased, long HoldsExpired, long HoldsSold, long Refunds);
