using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Storage;
using TicketFlow.Data.Journal;
using TicketFlow.Domain;
using TicketFlow.Domain.Purchases;
using TicketFlow.Grains.Inventory;
using TicketFlow.Grains.Journaling;

namespace TicketFlow.Grains.Purchases;

/// <summary>
/// How an older TicketFlow stored a shopper: Orleans grain state (provider <c>state</c>, plain JSON). A shopper whose
/// journal is empty adopts it once, so holds and purchases made before the journal still count.
/// </summary>
public sealed class ShopperState
{
    public Dictionary<string, Hold> Holds { get; set; } = [];
}

/// <summary>
/// Orleans' shell around <see cref="Shopper"/>: one user's requests at one event, one at a time, so the event limit is
/// exact. Each method lets the machine decide, calls the inventory grains, and answers once the machine's changes are in
/// the shopper's journal: its appends share the silo's group commits with every other grain's (one transaction for the
/// holds of many shoppers), instead of one write of the whole state per request.
/// </summary>
[GrainType(GrainType)]
public sealed class ShopperGrain(IJournalStore journals, TimeProvider time, ILogger<ShopperGrain> logger) : Grain, IShopperGrain
{
    public const string GrainType = "shopper";

    private Shopper shopper = new();
    private GroupCommit<ShopperEvent> journal = null!;

    /// <summary>The journal of one shopper (key <c>{eventId}/{userId}</c>).</summary>
    public static JournalId JournalFor(string shopperKey) => new(GrainType, shopperKey, "holds");

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var id = JournalFor(this.GetPrimaryKeyString());
        var stored = await journals.ReadAsync(id, cancellationToken);
        var (snapshot, entries) = JournalFormat.Read<ShopperSnapshot, ShopperEvent>(stored);
        shopper = Shopper.Restore(snapshot, entries);
        journal = new GroupCommit<ShopperEvent>(journals, id, stored.Version, stored.SnapshotVersion, GrainContext,
            shopper.TakeChanges, since => since > 50 + 2L * shopper.Holds.Count ? shopper.ToSnapshot() : null, logger);
        if (stored.Version == 0 && await LegacyHoldsAsync() is { Count: > 0 } legacy)
        {
            shopper.Adopt(legacy);
            await journal.WhenDurable();
        }
    }

    public async Task<PlaceHoldReply> PlaceHold(PlaceHoldRequest request)
    {
        var now = time.GetUtcNow();
        var plan = shopper.PlanHold(request.HoldId, request.Lines, request.EventLimit, request.HoldDuration, now);
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

        var hold = shopper.Placed(request.HoldId, request.EventId, request.UserId, outcomes.Select(o => o.Line).ToList(), request.Currency, plan.ExpiresAt, now);
        await journal.WhenDurable();
        PurchaseMetrics.HoldRequested(request.EventId, null);
        return new PlaceHoldReply(null, hold);
    }

    public Task<Hold?> GetHold(string holdId) => journal.Acknowledge(shopper.Find(holdId, time.GetUtcNow()));

    public async Task<string?> ReleaseHold(string holdId)
    {
        var (error, toRelease) = shopper.PlanRelease(holdId, time.GetUtcNow());
        if (toRelease is null) return error;
        await Task.WhenAll(toRelease.Lines.Select(l => HoldLineGrains.ReleaseAsync(GrainFactory, toRelease.EventId, l, holdId)));
        shopper.Released(holdId);
        await journal.WhenDurable();
        return null;
    }

    public Task<PlaceHoldReply> BeginCheckout(string holdId)
    {
        var (error, hold, _) = shopper.BeginCheckout(holdId, time.GetUtcNow());
        return journal.Acknowledge(new PlaceHoldReply(error, hold));
    }

    public Task EndCheckout(string holdId, string newState, string? orderId)
    {
        shopper.EndCheckout(holdId, newState, orderId);
        return journal.WhenDurable();
    }

    // The state an older TicketFlow stored for this shopper, if any (read only while the journal is empty).
    private async Task<IReadOnlyCollection<Hold>> LegacyHoldsAsync()
    {
        var storage = ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageProviders.State);
        var state = new GrainState<ShopperState>(new ShopperState());
        await storage.ReadStateAsync("shopper", GrainContext.GrainId, state);
        return state.RecordExists && state.State?.Holds is { } holds ? holds.Values : [];
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
