using TicketFlow.Grains.Inventory;

namespace TicketFlow.Grains.Purchases;

/// <summary>Stored as JSON by Orleans' grain storage (provider <c>state</c>): plain property names, no .NET type names.</summary>
public sealed class ShopperState
{
    public Dictionary<string, HoldView> Holds { get; set; } = [];
}

/// <summary>Places a user's holds at one event on the tier grains, all or nothing, within the user's limit for the event.</summary>
[GrainType("shopper")]
public sealed class ShopperGrain([PersistentState("shopper", StorageProviders.State)] IPersistentState<ShopperState> state, TimeProvider time) : Grain, IShopperGrain
{
    private static readonly TimeSpan KeepFinishedHolds = TimeSpan.FromDays(1);

    private Dictionary<string, HoldView> Holds => state.State.Holds;

    public async Task<PlaceHoldReply> PlaceHold(PlaceHoldRequest request)
    {
        var now = time.GetUtcNow();
        if (Holds.TryGetValue(request.HoldId, out var existing)) return new PlaceHoldReply(null, Current(existing, now));
        var wanted = request.Lines.Sum(l => l.Quantity);
        if (SeatsCounted(now) + wanted > request.EventLimit)
        {
            PurchaseMetrics.HoldRequested(request.EventId, "limit_exceeded");
            return new PlaceHoldReply("limit_exceeded", null);
        }

        var expiresAt = now + request.HoldDuration;
        var tiers = request.Lines.Select(l => Tier(request.EventId, l.TierId)).ToList();
        var attempts = request.Lines.Select((line, i) => TryHoldAsync(tiers[i],
            new TierHoldRequest(request.HoldId, request.UserId, line.Quantity, expiresAt, line.Terms))).ToList();
        var outcomes = await Task.WhenAll(attempts);
        var error = outcomes.FirstOrDefault(o => o is not null);
        if (error is not null)
        {
            // All or nothing: give back whatever was held (an unknown outcome is released too; releasing nothing is harmless).
            await Task.WhenAll(tiers.Select(ReleaseQuietlyAsync(request.HoldId)));
            var reported = outcomes.Contains("sold_out") ? "sold_out" : error;
            PurchaseMetrics.HoldRequested(request.EventId, reported);
            return new PlaceHoldReply(reported, null);
        }

        var hold = new HoldView(request.HoldId, request.EventId, request.UserId, request.Lines, request.Currency, now, expiresAt,
            HoldStates.Active, CheckingOut: false, OrderId: null);
        Forget(now);
        Holds[hold.HoldId] = hold;
        await state.WriteStateAsync();
        PurchaseMetrics.HoldRequested(request.EventId, null);
        return new PlaceHoldReply(null, hold);
    }

    public Task<HoldView?> GetHold(string holdId) =>
        Task.FromResult(Holds.TryGetValue(holdId, out var hold) ? Current(hold, time.GetUtcNow()) : null);

    public async Task<string?> ReleaseHold(string holdId)
    {
        if (!Holds.TryGetValue(holdId, out var hold)) return "hold_not_found";
        hold = Current(hold, time.GetUtcNow());
        if (hold.CheckingOut) return "checkout_in_progress";
        if (hold.State == HoldStates.Released) return null;
        if (hold.State != HoldStates.Active) return hold.State == HoldStates.Expired ? "hold_expired" : "hold_already_used";
        await Task.WhenAll(hold.Lines.Select(l => Tier(hold.EventId, l.TierId).Release(holdId)));
        Holds[holdId] = hold with { State = HoldStates.Released };
        await state.WriteStateAsync();
        return null;
    }

    public async Task<PlaceHoldReply> BeginCheckout(string holdId)
    {
        if (!Holds.TryGetValue(holdId, out var hold)) return new PlaceHoldReply("hold_not_found", null);
        hold = Current(hold, time.GetUtcNow());
        if (hold.State == HoldStates.Expired) return new PlaceHoldReply("hold_expired", hold);
        if (hold.State != HoldStates.Active) return new PlaceHoldReply(hold.State == HoldStates.Released ? "hold_expired" : "hold_already_used", hold);
        if (!hold.CheckingOut)
        {
            hold = hold with { CheckingOut = true };
            Holds[holdId] = hold;
            await state.WriteStateAsync();
        }
        return new PlaceHoldReply(null, hold);
    }

    public async Task EndCheckout(string holdId, string newState, string? orderId)
    {
        if (!Holds.TryGetValue(holdId, out var hold) || (hold.State == newState && hold.OrderId == orderId)) return;
        Holds[holdId] = hold with { State = newState, CheckingOut = false, OrderId = orderId ?? hold.OrderId };
        await state.WriteStateAsync();
    }

    /// <summary>Seats this user holds (not expired) or bought at this event: what the event limit counts.</summary>
    private int SeatsCounted(DateTimeOffset now) => Holds.Values
        .Select(h => Current(h, now))
        .Where(h => h.State is HoldStates.Active or HoldStates.Purchased)
        .Sum(h => h.Lines.Sum(l => l.Quantity));

    // A hold past its expiry is expired even if no one recorded it; a checkout in progress decides for itself.
    private static HoldView Current(HoldView hold, DateTimeOffset now) =>
        hold.State == HoldStates.Active && !hold.CheckingOut && hold.ExpiresAt <= now ? hold with { State = HoldStates.Expired } : hold;

    private void Forget(DateTimeOffset now)
    {
        foreach (var hold in Holds.Values.Where(h => h.State is not (HoldStates.Active or HoldStates.Purchased) && h.ExpiresAt + KeepFinishedHolds < now).ToList())
            Holds.Remove(hold.HoldId);
    }

    private IEventInventoryGrain Tier(string eventId, string tierId) => GrainFactory.GetGrain<IEventInventoryGrain>(TierKey.For(eventId, tierId));

    private static async Task<string?> TryHoldAsync(IEventInventoryGrain tier, TierHoldRequest request)
    {
        try
        {
            return (await tier.Hold(request)).Error;
        }
        catch (Exception error) when (GrainCallFailures.IsTransient(error))
        {
            return "unavailable";
        }
    }

    private static Func<IEventInventoryGrain, Task> ReleaseQuietlyAsync(string holdId) => async tier =>
    {
        try { await tier.Release(holdId); }
        catch (Exception error) when (GrainCallFailures.IsTransient(error))
        {
            // The hold expires on its own: the seats come back at its expiry at the latest.
        }
    };
}
