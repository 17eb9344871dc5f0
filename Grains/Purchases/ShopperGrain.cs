using TicketFlow.Domain;
using TicketFlow.Domain.Purchases;
using TicketFlow.Grains.Inventory;

namespace TicketFlow.Grains.Purchases;

/// <summary>Stored as JSON by Orleans' grain storage (provider <c>state</c>): plain property names, no .NET type names.</summary>
public sealed class ShopperState
{
    public Dictionary<string, Hold> Holds { get; set; } = [];
}

/// <summary>
/// Orleans' shell around <see cref="Shopper"/>: one user's requests at one event, one at a time, so the event limit is
/// exact. Each method loads the machine, lets it decide, stores what changed and then calls the inventory grains.
/// </summary>
[GrainType("shopper")]
public sealed class ShopperGrain([PersistentState("shopper", StorageProviders.State)] IPersistentState<ShopperState> state, TimeProvider time) : Grain, IShopperGrain
{
    // A thin wrapper over the stored holds, made per call: it always sees the state Orleans loaded.
    private Shopper Shopper => new(state.State.Holds);

    public async Task<PlaceHoldReply> PlaceHold(PlaceHoldRequest request)
    {
        var now = time.GetUtcNow();
        var plan = Shopper.PlanHold(request.HoldId, request.Lines, request.EventLimit, request.HoldDuration, now);
        if (plan.Existing is not null) return new PlaceHoldReply(null, plan.Existing);
        if (plan.Refusal is not null) return Refused(request, plan.Refusal);

        var touched = new List<Func<Task>>(); // every grain asked to hold something: all of them release on a refusal
        var outcomes = await Task.WhenAll(request.Lines.Select(line => line.IsReserved
            ? new SeatPicker(GrainFactory, request, line, plan.ExpiresAt, touched).HoldAsync()
            : HoldTierAsync(request, line, plan.ExpiresAt, touched)));
        if (Shopper.OutcomeOf(outcomes.Select(o => o.Error).ToList()) is { } refusal)
        {
            // All or nothing: give back whatever was held (an unknown outcome is released too; releasing nothing is harmless).
            await Task.WhenAll(touched.Select(ReleaseQuietlyAsync));
            return Refused(request, refusal, outcomes.Where(o => o.Error == refusal).SelectMany(o => o.SeatIds).ToList());
        }

        var hold = Shopper.Placed(request.HoldId, request.EventId, request.UserId, outcomes.Select(o => o.Line).ToList(), request.Currency, plan.ExpiresAt, now);
        await state.WriteStateAsync();
        PurchaseMetrics.HoldRequested(request.EventId, null);
        return new PlaceHoldReply(null, hold);
    }

    public Task<Hold?> GetHold(string holdId) => Task.FromResult(Shopper.Find(holdId, time.GetUtcNow()));

    public async Task<string?> ReleaseHold(string holdId)
    {
        var (error, toRelease) = Shopper.PlanRelease(holdId, time.GetUtcNow());
        if (toRelease is null) return error;
        await Task.WhenAll(toRelease.Lines.Select(l => HoldLineGrains.ReleaseAsync(GrainFactory, toRelease.EventId, l, holdId)));
        Shopper.Released(holdId);
        await state.WriteStateAsync();
        return null;
    }

    public async Task<PlaceHoldReply> BeginCheckout(string holdId)
    {
        var (error, hold, changed) = Shopper.BeginCheckout(holdId, time.GetUtcNow());
        if (changed) await state.WriteStateAsync();
        return new PlaceHoldReply(error, hold);
    }

    public async Task EndCheckout(string holdId, string newState, string? orderId)
    {
        if (Shopper.EndCheckout(holdId, newState, orderId)) await state.WriteStateAsync();
    }

    private static PlaceHoldReply Refused(PlaceHoldRequest request, string code, IReadOnlyList<string>? seatIds = null)
    {
        PurchaseMetrics.HoldRequested(request.EventId, code);
        return new PlaceHoldReply(code, null, seatIds is { Count: > 0 } ? seatIds : null);
    }

    private async Task<LineOutcome> HoldTierAsync(PlaceHoldRequest request, HoldLine line, DateTimeOffset expiresAt, List<Func<Task>> touched)
    {
        var inventory = HoldLineGrains.Tier(GrainFactory, request.EventId, line.TierId);
        touched.Add(() => inventory.Release(request.HoldId));
        try
        {
            var reply = await inventory.Hold(new TierHoldRequest(request.HoldId, request.UserId, line.Quantity, expiresAt, line.Terms));
            return new LineOutcome(reply.Error, line, []);
        }
        catch (Exception error) when (GrainCallFailures.IsTransient(error))
        {
            return new LineOutcome(ProblemCodes.Unavailable, line, []);
        }
    }

    private static async Task ReleaseQuietlyAsync(Func<Task> release)
    {
        try { await release(); }
        catch (Exception error) when (GrainCallFailures.IsTransient(error))
        {
            // The hold expires on its own: the seats come back at its expiry at the latest.
        }
    }
}
