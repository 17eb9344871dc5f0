using Microsoft.Extensions.Logging;
using Orleans.Utilities;
using TicketFlow.Data.Journal;
using TicketFlow.Grains.Journaling;
using TicketFlow.Grains.Purchases;

namespace TicketFlow.Grains.Inventory;

// The state machine shares its name with this folder's namespace; inside it, "Inventory" means the machine.
using Inventory = TicketFlow.Domain.Inventory.Inventory;

/// <summary>
/// Adapts <see cref="Inventory"/> to Orleans: each call decides on the state machine and is acknowledged once the group
/// commit that stores its journal entries is durable; a durable reminder expires holds when nobody calls; durable counts
/// are pushed to watchers (the WebFronts) at most every <see cref="PublishPeriod"/>.
/// </summary>
[Reentrant] // calls interleave at awaits, so many share one journal append; the state machine is only touched between awaits
[GrainType(InventoryJournal.GrainType)]
public sealed class EventInventoryGrain(IJournalStore journals, TimeProvider time, ILogger<EventInventoryGrain> logger)
    : Grain, IEventInventoryGrain, IRemindable
{
    public static readonly TimeSpan PublishPeriod = TimeSpan.FromMilliseconds(100);

    private Inventory inventory = new();
    private GroupCommit<InventoryEvent> journal = null!;
    private HoldExpiryReminder expiry = null!;
    private ObserverManager<IAvailabilityObserver> watchers = null!;
    private string eventId = "", tierId = "";
    private IGrainTimer? publisher;
    private bool countsChanged;

    private DateTimeOffset Now => time.GetUtcNow();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (eventId, tierId) = TierKey.Parse(this.GetPrimaryKeyString());
        var id = InventoryJournal.For(this.GetPrimaryKeyString());
        var stored = await journals.ReadAsync(id, cancellationToken);
        var (snapshot, entries) = JournalFormat.Read<InventorySnapshot, InventoryEvent>(stored);
        inventory = Inventory.Restore(snapshot, entries);
        journal = new GroupCommit<InventoryEvent>(journals, id, stored.Version, stored.SnapshotVersion, GrainContext,
            inventory.TakeChanges, SnapshotIfDue, logger, OnDurable);
        watchers = new ObserverManager<IAvailabilityObserver>(AvailabilityWatch.Lifetime, logger);
        expiry = new HoldExpiryReminder(this, time);
        await expiry.AimAsync(inventory.NextExpiry); // holds recovered from storage still expire if nobody calls
    }

    public Task<TierCounts> Configure(TierTerms terms)
    {
        inventory.Configure(terms, Now);
        return journal.Acknowledge(Counts());
    }

    public Task<TierCounts> CatchUp(TierTerms terms)
    {
        inventory.CatchUp(terms, Now);
        return journal.Acknowledge(Counts());
    }

    public async Task<TierHoldReply> Hold(TierHoldRequest request)
    {
        // The reminder is aimed first (I/O before any change): a hold is never stored without a reminder that will expire it.
        await expiry.AimBeforeHoldAsync(request.ExpiresAt, inventory.NextExpiry);
        var now = Now;
        inventory.CatchUp(request.Terms, now); // the WebFront's copy of the terms may be seconds old
        var error = inventory.TryHold(request.HoldId, request.UserId, request.Quantity, request.ExpiresAt, now);
        return await journal.Acknowledge(new TierHoldReply(error, Counts()));
    }

    public Task<bool> Release(string holdId) => journal.Acknowledge(inventory.Release(holdId, Now));

    public Task<ConfirmReply> Confirm(string holdId) => journal.Acknowledge(new ConfirmReply(inventory.Confirm(holdId, Now)));

    public Task<bool> Refund(string holdId) => journal.Acknowledge(inventory.Refund(holdId, Now));

    public Task<bool> RefundSeats(string holdId, string refundId, int quantity) => journal.Acknowledge(inventory.RefundSeats(holdId, refundId, quantity, Now));

    public Task<TierCounts> Close()
    {
        inventory.Close(Now);
        return journal.Acknowledge(Counts());
    }

    public Task<TierCounts> GetCounts() => journal.Acknowledge(Counts());

    public Task<TierStatistics> GetStatistics() => journal.Acknowledge(new TierStatistics(Counts(), inventory.HoldsPlaced, inventory.HoldsReleased,
        inventory.HoldsExpired, inventory.HoldsSold, inventory.Refunds, journal.Version + journal.Uncommitted));

    public Task<TierCounts> Watch(IAvailabilityObserver watcher)
    {
        watchers.Subscribe(watcher, watcher);
        return journal.Acknowledge(Counts());
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != HoldExpiryReminder.Name) return;
        expiry.Fired();
        var expired = inventory.ExpireDue(Now);
        await journal.WhenDurable(); // the expiries are stored before the tick is done
        if (expired > 0) logger.LogDebug("EventInventory {GrainKey} expired {Count} holds", this.GetPrimaryKeyString(), expired);
        await expiry.AimAsync(inventory.NextExpiry);
    }

    private TierCounts Counts()
    {
        var now = Now;
        var (available, held, sold) = inventory.CountsAt(now);
        return new TierCounts(eventId, tierId, inventory.Capacity, available, held, sold, now);
    }

    // Snapshot once the entries since the last one outnumber the state's size: replay stays short, the cost amortised.
    private object? SnapshotIfDue(long sinceSnapshot) =>
        sinceSnapshot > 1000 + 2L * (inventory.ActiveHolds + inventory.HoldsSold) ? inventory.ToSnapshot() : null;

    private void OnDurable(IReadOnlyList<InventoryEvent> events)
    {
        PurchaseMetrics.Applied(eventId, events, inventory.SoldQuantity);
        countsChanged = true;
        // No timer means no push for a period at least (it stops after a quiet tick): this change goes out at once.
        publisher ??= this.RegisterGrainTimer(PublishCountsAsync, new GrainTimerCreationOptions(TimeSpan.Zero, PublishPeriod) { Interleave = true });
    }

    // Coalesced: at most one push per period, and only counts that are durable.
    private async Task PublishCountsAsync(CancellationToken cancellationToken)
    {
        if (!countsChanged)
        {
            publisher?.Dispose();
            publisher = null;
            return;
        }
        countsChanged = false;
        var counts = await journal.Acknowledge(Counts());
        await watchers.Notify(watcher => watcher.CountsChanged(counts));
    }
}
