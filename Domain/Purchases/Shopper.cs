namespace TicketFlow.Domain.Purchases;

/// <summary>
/// One user's holds at one event as a plain state machine: the per-user-per-event limit, all-or-nothing multi-tier
/// holds, and who may end a hold. It decides; its grain asks the tiers, journals <see cref="TakeChanges"/> and answers.
/// A hold past its expiry reads as expired even before anyone records it, unless a checkout owns it (the saga decides).
/// </summary>
public sealed class Shopper
{
    private readonly Dictionary<string, Hold> holds;
    private readonly List<ShopperEvent> changes = [];

    /// <param name="holds">Holds to start from (kept as they are: a restore, not a change).</param>
    public Shopper(IEnumerable<Hold>? holds = null) => this.holds = (holds ?? []).ToDictionary(h => h.HoldId);

    /// <summary>The state a journal holds: its snapshot (null if none) and the entries after it, applied in order.</summary>
    public static Shopper Restore(ShopperSnapshot? snapshot, IEnumerable<ShopperEvent> entries)
    {
        var shopper = new Shopper(snapshot?.Holds);
        foreach (var entry in entries) shopper.Apply(entry);
        return shopper;
    }

    /// <summary>The entries for every change since the last call, in order (for the journal).</summary>
    public IReadOnlyList<ShopperEvent> TakeChanges()
    {
        if (changes.Count == 0) return [];
        var taken = changes.ToList();
        changes.Clear();
        return taken;
    }

    public ShopperSnapshot ToSnapshot() => new([.. holds.Values]);

    /// <summary>Takes over holds stored before the journal existed: recorded as changes, so the journal has them from now on.</summary>
    public void Adopt(IEnumerable<Hold> stored)
    {
        foreach (var hold in stored) Record(hold);
    }

    /// <summary>How long a hold that ended without a purchase is kept, so a retry still finds its outcome.</summary>
    public static readonly TimeSpan KeepFinishedHolds = TimeSpan.FromDays(1);

    public IReadOnlyDictionary<string, Hold> Holds => holds;

    /// <summary>The hold as it stands at <paramref name="now"/>; null when this user has no such hold.</summary>
    public Hold? Find(string holdId, DateTimeOffset now) => holds.TryGetValue(holdId, out var hold) ? AsOf(hold, now) : null;

    /// <summary>Seats this user holds (not expired) or bought at this event: what the event limit counts.</summary>
    public int SeatsCounted(DateTimeOffset now) => holds.Values
        .Select(h => AsOf(h, now))
        .Where(h => h.State is HoldStates.Active or HoldStates.Purchased)
        .Sum(h => h.Seats);

    /// <summary>Seats of one tier this user holds (not expired) or bought at this event.</summary>
    public int SeatsCounted(DateTimeOffset now, string tierId) => holds.Values
        .Select(h => AsOf(h, now))
        .Where(h => h.State is HoldStates.Active or HoldStates.Purchased)
        .Sum(h => h.Lines.Where(l => l.TierId == tierId).Sum(l => l.Quantity));

    /// <summary>
    /// The first step of placing a hold: the same hold id again returns the first outcome; a hold that would pass the
    /// event limit is refused; otherwise the grain is to hold <paramref name="lines"/> on their tiers until the plan's expiry.
    /// </summary>
    public HoldPlan PlanHold(string holdId, IReadOnlyList<HoldLine> lines, int eventLimit, TimeSpan duration, DateTimeOffset now)
    {
        if (Find(holdId, now) is { } existing) return new HoldPlan(existing, null, now + duration);
        var wanted = lines.Sum(l => l.Quantity);
        // A tier's own limit: general admission's is exact in its inventory grain; a reserved tier's seats live in many
        // section grains, so this user's grain, which sees every hold of theirs at the event, counts them.
        var overTierLimit = lines.Any(l => l.IsReserved && SeatsCounted(now, l.TierId) + l.Quantity > l.Terms.PerUserLimit);
        return overTierLimit || SeatsCounted(now) + wanted > eventLimit
            ? new HoldPlan(null, ProblemCodes.LimitExceeded, now + duration)
            : new HoldPlan(null, null, now + duration);
    }

    /// <summary>
    /// What the tiers answered, one outcome per line (null = held). All or nothing: any refusal means every line is
    /// released again, and the buyer hears <c>sold_out</c> if any tier was sold out, else the first refusal.
    /// </summary>
    public static string? OutcomeOf(IReadOnlyList<string?> tierOutcomes) =>
        tierOutcomes.Contains(ProblemCodes.SoldOut) ? ProblemCodes.SoldOut : tierOutcomes.FirstOrDefault(o => o is not null);

    /// <summary>Every tier held its line: the hold is recorded (and holds that ended a day ago are forgotten).</summary>
    public Hold Placed(string holdId, string eventId, string userId, IReadOnlyList<HoldLine> lines, string currency, DateTimeOffset expiresAt,
        DateTimeOffset now)
    {
        Forget(now);
        var hold = new Hold(holdId, eventId, userId, lines, currency, now, expiresAt, HoldStates.Active, CheckingOut: false, OrderId: null);
        Record(hold);
        return hold;
    }

    /// <summary>
    /// The user gives the seats back. Returns the error, or null with the hold whose seats the grain must release on the
    /// tiers before calling <see cref="Released"/> (null hold: already released, nothing to do).
    /// </summary>
    public (string? Error, Hold? ToRelease) PlanRelease(string holdId, DateTimeOffset now)
    {
        if (Find(holdId, now) is not { } hold) return (ProblemCodes.HoldNotFound, null);
        if (hold.CheckingOut) return (ProblemCodes.CheckoutInProgress, null);
        return hold.State switch
        {
            HoldStates.Released => (null, null),
            HoldStates.Active => (null, hold),
            HoldStates.Expired => (ProblemCodes.HoldExpired, null),
            _ => (ProblemCodes.HoldAlreadyUsed, null),
        };
    }

    public void Released(string holdId) => Record(holds[holdId] with { State = HoldStates.Released });

    /// <summary>
    /// A checkout saga takes the hold: from now on only the saga ends it, and the clock does not expire it here.
    /// Returns the error (the hold is gone, expired, released or used) or the hold; <c>Changed</c> when it must be stored.
    /// </summary>
    public (string? Error, Hold? Hold, bool Changed) BeginCheckout(string holdId, DateTimeOffset now)
    {
        if (Find(holdId, now) is not { } hold) return (ProblemCodes.HoldNotFound, null, false);
        if (hold.State is HoldStates.Expired or HoldStates.Released) return (ProblemCodes.HoldExpired, hold, false);
        if (hold.State != HoldStates.Active) return (ProblemCodes.HoldAlreadyUsed, hold, false);
        if (hold.CheckingOut) return (null, hold, false);
        hold = hold with { CheckingOut = true };
        Record(hold);
        return (null, hold, true);
    }

    /// <summary>
    /// The saga says how its checkout ended (<c>purchased</c>, <c>released</c>, <c>expired</c>, or <c>refunded</c> after a
    /// purchase). Only a hold the saga owns changes (a refund also ends a purchased one): a late or repeated call changes
    /// nothing. Returns true when the hold changed and must be stored.
    /// </summary>
    public bool EndCheckout(string holdId, string newState, string? orderId)
    {
        if (!holds.TryGetValue(holdId, out var hold)) return false;
        var owned = hold.CheckingOut || (newState == HoldStates.Refunded && hold.State == HoldStates.Purchased);
        if (!owned || (hold.State == newState && !hold.CheckingOut)) return false;
        Record(hold with { State = newState, CheckingOut = false, OrderId = orderId ?? hold.OrderId });
        return true;
    }

    private static Hold AsOf(Hold hold, DateTimeOffset now) =>
        hold.State == HoldStates.Active && !hold.CheckingOut && hold.ExpiresAt <= now ? hold with { State = HoldStates.Expired } : hold;

    private void Forget(DateTimeOffset now)
    {
        var forgotten = holds.Values.Where(h => h.State is not (HoldStates.Active or HoldStates.Purchased) && h.ExpiresAt + KeepFinishedHolds < now)
            .Select(h => h.HoldId).ToList();
        if (forgotten.Count > 0) Emit(new HoldsForgotten(forgotten));
    }

    private void Record(Hold hold) => Emit(new HoldRecorded(hold));

    // Every change goes through here: applied, and journaled, the same way a replay applies it.
    private void Emit(ShopperEvent change)
    {
        Apply(change);
        changes.Add(change);
    }

    private void Apply(ShopperEvent change)
    {
        switch (change)
        {
            case HoldRecorded recorded:
                holds[recorded.Hold.HoldId] = recorded.Hold;
                break;
            case HoldsForgotten forgotten:
                foreach (var id in forgotten.HoldIds) holds.Remove(id);
                break;
        }
    }
}

/// <summary>The shopper's decision on a new hold: an earlier outcome to return, a refusal, or go ahead until <see cref="ExpiresAt"/>.</summary>
public sealed record HoldPlan(Hold? Existing, string? Refusal, DateTimeOffset ExpiresAt)
{
    public bool GoAhead => Existing is null && Refusal is null;
}
