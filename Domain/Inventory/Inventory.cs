namespace TicketFlow.Domain.Inventory;

/// <summary>
/// The seat counts of one tier as a plain state machine: no runtime, no I/O, time passed in. Every change is an
/// <see cref="InventoryEvent"/> applied by <see cref="Apply"/>, the same code that replays the journal, so the
/// journal always recomputes the state. <c>available + held + sold = capacity</c>, each ≥ 0, after every change.
/// </summary>
public sealed class Inventory
{
    private readonly Dictionary<string, ActiveHold> holds = new(StringComparer.Ordinal);
    private readonly SortedSet<(DateTimeOffset ExpiresAt, string HoldId)> byExpiry = [];
    private readonly Dictionary<string, Sale> sales = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> perUser = new(StringComparer.Ordinal); // active holds + sold seats
    private readonly List<InventoryEvent> uncommitted = [];

    public bool IsConfigured { get; private set; }
    public int Capacity { get; private set; }
    public int PerUserLimit { get; private set; }
    public bool IsClosed { get; private set; }
    /// <summary>Seats in holds not yet expired by a change (see <see cref="CountsAt"/> for the view at a given time).</summary>
    public int Held { get; private set; }
    public int Sold { get; private set; }
    public int Available => Capacity - Held - Sold;
    public int ActiveHolds => holds.Count;
    public long HoldsPlaced { get; private set; }
    public long HoldsReleased { get; private set; }
    public long HoldsExpired { get; private set; }
    public long HoldsSold { get; private set; }
    public long Refunds { get; private set; }

    /// <summary>When the earliest active hold expires; null when none is active.</summary>
    public DateTimeOffset? NextExpiry => byExpiry.Count == 0 ? null : byExpiry.Min.ExpiresAt;

    /// <summary>
    /// Takes the catalog's current terms (an admin's change): creates the inventory, grows its capacity (a smaller one is
    /// ignored: it never shrinks) and sets the per-user limit, down or up. A lower limit takes no seat already held or
    /// sold; it refuses new holds beyond it.
    /// </summary>
    public void Configure(TierTerms terms, DateTimeOffset now)
    {
        Validate(terms);
        var capacity = Math.Max(terms.Capacity, Capacity);
        if (!IsConfigured || capacity != Capacity || terms.PerUserLimit != PerUserLimit) Emit(new TermsSet(now, capacity, terms.PerUserLimit));
    }

    /// <summary>
    /// Catches up with terms that may be an older, cached copy (a hold's): creates the inventory if it has none, or grows
    /// its capacity, but keeps its per-user limit, since only <see cref="Configure"/> knows the limit is current.
    /// </summary>
    public void CatchUp(TierTerms terms, DateTimeOffset now)
    {
        Validate(terms);
        if (!IsConfigured) Emit(new TermsSet(now, terms.Capacity, terms.PerUserLimit));
        else if (terms.Capacity > Capacity) Emit(new TermsSet(now, terms.Capacity, PerUserLimit));
    }

    private static void Validate(TierTerms terms)
    {
        if (terms.Capacity < 0 || terms.PerUserLimit < 1) throw new ArgumentOutOfRangeException(nameof(terms), terms, "Capacity ≥ 0 and a per-user limit ≥ 1.");
    }

    /// <returns>Null when held (or already held under this id); else the problem code.</returns>
    public string? TryHold(string holdId, string userId, int quantity, DateTimeOffset expiresAt, DateTimeOffset now)
    {
        if (quantity < 1) throw new ArgumentOutOfRangeException(nameof(quantity), quantity, "A hold takes at least one seat.");
        ExpireDue(now);
        if (holds.ContainsKey(holdId)) return null;
        if (sales.ContainsKey(holdId)) return ProblemCodes.HoldAlreadyUsed;
        if (IsClosed || !IsConfigured) return ProblemCodes.EventClosed;
        if (expiresAt <= now) return ProblemCodes.HoldExpired;
        if (perUser.GetValueOrDefault(userId) + quantity > PerUserLimit) return ProblemCodes.LimitExceeded;
        if (Available < quantity) return ProblemCodes.SoldOut;
        Emit(new HoldPlaced(now, holdId, userId, quantity, expiresAt));
        return null;
    }

    public bool Release(string holdId, DateTimeOffset now)
    {
        ExpireDue(now);
        if (!holds.ContainsKey(holdId)) return false;
        Emit(new HoldReleased(now, holdId));
        return true;
    }

    /// <returns>Null when sold (now or before); <c>hold_expired</c> when the hold is gone; <c>event_closed</c> once the tier
    /// is closed (a cancelled event sells nothing more, so a checkout racing the cancel is refunded).</returns>
    public string? Confirm(string holdId, DateTimeOffset now)
    {
        ExpireDue(now);
        if (sales.TryGetValue(holdId, out var sale)) return sale.Refunded ? ProblemCodes.HoldAlreadyUsed : null;
        if (!holds.ContainsKey(holdId)) return ProblemCodes.HoldExpired;
        if (IsClosed) return ProblemCodes.EventClosed;
        Emit(new SaleConfirmed(now, holdId));
        return null;
    }

    /// <returns>True if the hold's seats are (now or before) back on sale; false if it was never sold.</returns>
    public bool Refund(string holdId, DateTimeOffset now)
    {
        if (!sales.TryGetValue(holdId, out var sale)) return false;
        if (!sale.Refunded) Emit(new SaleRefunded(now, holdId));
        return true;
    }

    /// <summary>Returns <paramref name="quantity"/> of a sale's seats under <paramref name="refundId"/>; the same refund again changes nothing.</summary>
    /// <returns>True if those seats are (now or before) back on sale; false if the hold was never sold.</returns>
    public bool RefundSeats(string holdId, string refundId, int quantity, DateTimeOffset now)
    {
        if (!sales.TryGetValue(holdId, out var sale)) return false;
        if (sale.Refunded || sale.RefundIds.Contains(refundId)) return true; // a whole refund already gave back every seat
        if (quantity < 1 || quantity > sale.Quantity - sale.Returned)
            throw new ArgumentOutOfRangeException(nameof(quantity), quantity, $"Hold {holdId} has {sale.Quantity - sale.Returned} sold seats left to refund.");
        Emit(new SeatsRefunded(now, holdId, refundId, quantity));
        return true;
    }

    public void Close(DateTimeOffset now)
    {
        if (!IsClosed) Emit(new TierClosed(now));
    }

    /// <summary>Expires every hold whose time has come. Every operation calls it first, so an expired hold never blocks a seat.</summary>
    public int ExpireDue(DateTimeOffset now)
    {
        var expired = 0;
        while (byExpiry.Count > 0 && byExpiry.Min.ExpiresAt <= now)
        {
            Emit(new HoldExpired(now, byExpiry.Min.HoldId));
            expired++;
        }
        return expired;
    }

    /// <summary>The counts at <paramref name="now"/> without changing anything: holds past their expiry are not counted as held.</summary>
    public (int Available, int Held, int Sold) CountsAt(DateTimeOffset now)
    {
        var lapsed = 0;
        foreach (var (expiresAt, holdId) in byExpiry)
        {
            if (expiresAt > now) break;
            lapsed += holds[holdId].Quantity;
        }
        return (Available + lapsed, Held - lapsed, Sold);
    }

    public bool IsHeld(string holdId) => holds.ContainsKey(holdId);

    /// <summary>Seats a hold sold (0 if it never sold).</summary>
    public int SoldQuantity(string holdId) => sales.TryGetValue(holdId, out var sale) ? sale.Quantity : 0;

    /// <summary>Changes made since the last call, in order, for the journal.</summary>
    public IReadOnlyList<InventoryEvent> TakeChanges()
    {
        var changes = uncommitted.ToArray();
        uncommitted.Clear();
        return changes;
    }

    private void Emit(InventoryEvent change)
    {
        Apply(change);
        uncommitted.Add(change);
    }

    /// <summary>Applies one journal entry. The only place state changes.</summary>
    public void Apply(InventoryEvent change)
    {
        switch (change)
        {
            case TermsSet terms:
                (IsConfigured, Capacity, PerUserLimit) = (true, terms.Capacity, terms.PerUserLimit);
                break;
            case HoldPlaced held:
                holds.Add(held.HoldId, new ActiveHold(held.UserId, held.Quantity, held.ExpiresAt));
                byExpiry.Add((held.ExpiresAt, held.HoldId));
                Held += held.Quantity;
                AddToUser(held.UserId, held.Quantity);
                HoldsPlaced++;
                break;
            case HoldReleased released:
                RemoveHold(released.HoldId, countsForUser: true);
                HoldsReleased++;
                break;
            case HoldExpired expired:
                RemoveHold(expired.HoldId, countsForUser: true);
                HoldsExpired++;
                break;
            case SaleConfirmed sold:
                var hold = RemoveHold(sold.HoldId, countsForUser: false);
                Sold += hold.Quantity;
                sales.Add(sold.HoldId, new Sale(hold.UserId, hold.Quantity, Refunded: false, Returned: 0, []));
                HoldsSold++;
                break;
            case SaleRefunded refunded:
                var sale = sales[refunded.HoldId];
                sales[refunded.HoldId] = sale with { Refunded = true, Returned = sale.Quantity };
                Sold -= sale.Quantity - sale.Returned;
                AddToUser(sale.UserId, -(sale.Quantity - sale.Returned));
                Refunds++;
                break;
            case SeatsRefunded partial:
                var part = sales[partial.HoldId];
                var returned = part.Returned + partial.Quantity;
                sales[partial.HoldId] = part with { Refunded = returned == part.Quantity, Returned = returned, RefundIds = [.. part.RefundIds, partial.RefundId] };
                Sold -= partial.Quantity;
                AddToUser(part.UserId, -partial.Quantity);
                Refunds++;
                break;
            case TierClosed:
                IsClosed = true;
                break;
            default:
                throw new ArgumentException($"Unknown inventory event {change.GetType().Name}.", nameof(change));
        }
        if (Held < 0 || Sold < 0 || Available < 0)
            throw new InvalidOperationException($"Inventory invariant broken by {change}: capacity {Capacity}, held {Held}, sold {Sold}.");
    }

    private ActiveHold RemoveHold(string holdId, bool countsForUser)
    {
        if (!holds.Remove(holdId, out var hold)) throw new InvalidOperationException($"Hold {holdId} is not active.");
        byExpiry.Remove((hold.ExpiresAt, holdId));
        Held -= hold.Quantity;
        if (countsForUser) AddToUser(hold.UserId, -hold.Quantity);
        return hold;
    }

    private void AddToUser(string userId, int quantity)
    {
        var total = perUser.GetValueOrDefault(userId) + quantity;
        if (total == 0) perUser.Remove(userId);
        else perUser[userId] = total;
    }

    public InventorySnapshot ToSnapshot() => new(IsConfigured, Capacity, PerUserLimit, IsClosed,
        holds.Select(h => new HoldSnapshot(h.Key, h.Value.UserId, h.Value.Quantity, h.Value.ExpiresAt)).ToList(),
        sales.Select(s => new SaleSnapshot(s.Key, s.Value.UserId, s.Value.Quantity, s.Value.Refunded, s.Value.Returned, s.Value.RefundIds)).ToList(),
        HoldsPlaced, HoldsReleased, HoldsExpired, HoldsSold, Refunds);

    /// <summary>The state a snapshot and the journal entries after it describe.</summary>
    public static Inventory Restore(InventorySnapshot? snapshot, IEnumerable<InventoryEvent> entries)
    {
        var inventory = new Inventory();
        if (snapshot is not null) inventory.Load(snapshot);
        foreach (var entry in entries) inventory.Apply(entry);
        return inventory;
    }

    private void Load(InventorySnapshot snapshot)
    {
        (IsConfigured, Capacity, PerUserLimit, IsClosed) = (snapshot.Configured, snapshot.Capacity, snapshot.PerUserLimit, snapshot.Closed);
        foreach (var hold in snapshot.Holds)
        {
            holds.Add(hold.HoldId, new ActiveHold(hold.UserId, hold.Quantity, hold.ExpiresAt));
            byExpiry.Add((hold.ExpiresAt, hold.HoldId));
            Held += hold.Quantity;
            AddToUser(hold.UserId, hold.Quantity);
        }
        foreach (var sale in snapshot.Sales)
        {
            // A snapshot from before partial refunds has no Returned: a refunded sale returned every seat.
            var returned = sale.Refunded ? sale.Quantity : sale.Returned;
            sales.Add(sale.HoldId, new Sale(sale.UserId, sale.Quantity, sale.Refunded, returned, sale.RefundIds ?? []));
            if (sale.Refunded) continue;
            Sold += sale.Quantity - returned;
            AddToUser(sale.UserId, sale.Quantity - returned);
        }
        (HoldsPlaced, HoldsReleased, HoldsExpired, HoldsSold, Refunds) =
            (snapshot.HoldsPlaced, snapshot.HoldsReleased, snapshot.HoldsExpired, snapshot.HoldsSold, snapshot.Refunds);
    }

    private sealed record ActiveHold(string UserId, int Quantity, DateTimeOffset ExpiresAt);

    /// <param name="Returned">Seats given back so far (by partial refunds, or all by a whole one).</param>
    /// <param name="RefundIds">The partial refunds applied: each gives its seats back once.</param>
    private sealed record Sale(string UserId, int Quantity, bool Refunded, int Returned, IReadOnlyList<string> RefundIds);
}

public sealed record HoldSnapshot(string HoldId, string UserId, int Quantity, DateTimeOffset ExpiresAt);

/// <param name="Returned">Seats given back by partial refunds (absent from snapshots stored before them).</param>
public sealed record SaleSnapshot(string HoldId, string UserId, int Quantity, bool Refunded, int Returned = 0, IReadOnlyList<string>? RefundIds = null);

public sealed record InventorySnapshot(bool Configured, int Capacity, int PerUserLimit, bool Closed, IReadOnlyList<HoldSnapshot> Holds,
    IReadOnlyList<SaleSnapshot> Sales, long HoldsPlaced, long HoldsReleased, long HoldsExpired, long HoldsSold, long Refunds);
