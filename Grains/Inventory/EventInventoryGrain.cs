using Microsoft.Extensions.Logging;
using TicketFlow.Grains.Purchases;
using TicketFlow.Runtime;

namespace TicketFlow.Grains.Inventory;

/// <summary>
/// Adapts <see cref="Inventory"/> to the runtime: changes go to the tier's journal and are acknowledged after the
/// group commit that stores them; a durable reminder expires holds when nobody calls; counts are pushed to
/// WebFronts at most every <see cref="PublishPeriod"/>.
/// </summary>
[GrainType(InventoryJournal.GrainType)]
public sealed class EventInventoryGrain(
    [PersistentState(InventoryJournal.Name)] IJournaledState<InventorySnapshot, InventoryChange> journal,
    ILogger<EventInventoryGrain> logger) : Grain, IEventInventoryGrain, IRemindable
{
    public const string ExpiryReminder = "expire-holds";
    public static readonly TimeSpan PublishPeriod = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1); // a fallback tick; each tick re-aims at the next expiry

    private Inventory inventory = new();
    private string eventId = "", tierId = "";
    private DateTimeOffset? reminderDueAt;
    private IDisposable? publisher;
    private bool countsChanged;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (eventId, tierId) = TierKey.Parse(GetPrimaryKeyString());
        inventory = journal.Recover(Inventory.Restore);
        await AimReminderAsync(); // holds recovered from storage still expire if nobody calls
    }

    public Task<TierCounts> Configure(TierTerms terms)
    {
        inventory.Configure(terms, Time.GetUtcNow());
        JournalChanges();
        return Task.FromResult(Counts());
    }

    public async Task<TierHoldReply> Hold(TierHoldRequest request)
    {
        // The reminder is aimed first (I/O before any change): a hold is never stored without a reminder that will expire it.
        await AimReminderAsync(request.ExpiresAt);
        var now = Time.GetUtcNow();
        inventory.Configure(request.Terms, now);
        var error = inventory.TryHold(request.HoldId, request.UserId, request.Quantity, request.ExpiresAt, now);
        JournalChanges();
        return new TierHoldReply(error, Counts());
    }

    public Task<bool> Release(string holdId)
    {
        var released = inventory.Release(holdId, Time.GetUtcNow());
        JournalChanges();
        return Task.FromResult(released);
    }

    public Task<ConfirmReply> Confirm(string holdId)
    {
        var error = inventory.Confirm(holdId, Time.GetUtcNow());
        JournalChanges();
        return Task.FromResult(new ConfirmReply(error));
    }

    public Task<bool> Refund(string holdId)
    {
        var refunded = inventory.Refund(holdId, Time.GetUtcNow());
        JournalChanges();
        return Task.FromResult(refunded);
    }

    public Task<TierCounts> Close()
    {
        inventory.Close(Time.GetUtcNow());
        JournalChanges();
        return Task.FromResult(Counts());
    }

    public Task<TierCounts> GetCounts() => Task.FromResult(Counts());

    public Task<TierStatistics> GetStatistics() => Task.FromResult(new TierStatistics(Counts(), inventory.HoldsPlaced, inventory.HoldsReleased,
        inventory.HoldsExpired, inventory.HoldsSold, inventory.Refunds, journal.Version + journal.PendingCount));

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ExpiryReminder) return;
        var expired = inventory.ExpireDue(Time.GetUtcNow());
        JournalChanges();
        await journal.WriteStateAsync(); // not a group-commit turn: store the expiries before acknowledging the tick
        if (expired > 0) logger.LogDebug("EventInventory {GrainKey} expired {Count} holds", GetPrimaryKeyString(), expired);
        reminderDueAt = null;
        await AimReminderAsync();
    }

    private TierCounts Counts()
    {
        var now = Time.GetUtcNow();
        var (available, held, sold) = inventory.CountsAt(now);
        return new TierCounts(eventId, tierId, inventory.Capacity, available, held, sold, now);
    }

    private void JournalChanges()
    {
        var changes = inventory.TakeChanges();
        if (changes.Count == 0) return;
        foreach (var change in changes) journal.Append(change);
        PurchaseMetrics.Applied(eventId, changes, inventory.SoldQuantity);
        // Snapshot once the entries since the last one outnumber the state's size: replay stays short, the cost amortised.
        var sinceSnapshot = journal.Version + journal.PendingCount - journal.SnapshotVersion;
        if (sinceSnapshot > 1000 + 2L * (inventory.ActiveHolds + inventory.HoldsSold)) journal.SaveSnapshot(inventory.ToSnapshot());
        countsChanged = true;
        publisher ??= RegisterTimer(PublishCountsAsync, PublishPeriod, PublishPeriod);
    }

    /// <summary>Keeps the expiry reminder due no later than the earliest hold's expiry (one write only when that moves earlier);
    /// <paramref name="upcoming"/> is an expiry about to be added. Only holds add expiries, so only they (and ticks) aim it.</summary>
    private async Task AimReminderAsync(DateTimeOffset? upcoming = null)
    {
        var next = upcoming is { } added && (inventory.NextExpiry is not { } current || added < current) ? added : inventory.NextExpiry;
        if (next is null)
        {
            if (reminderDueAt is null) return;
            await UnregisterReminder(ExpiryReminder);
            reminderDueAt = null;
            return;
        }
        if (reminderDueAt is { } due && due <= next) return;
        var delay = next.Value - Time.GetUtcNow();
        await RegisterOrUpdateReminder(ExpiryReminder, delay > TimeSpan.Zero ? delay : TimeSpan.Zero, ReminderPeriod);
        reminderDueAt = next;
    }

    // A timer tick is a turn of its own, so it runs after the batch that changed the counts was stored.
    private Task PublishCountsAsync(CancellationToken cancellationToken)
    {
        if (countsChanged)
        {
            countsChanged = false;
            Publish(AvailabilityTopic.For(eventId), Counts());
        }
        else
        {
            publisher?.Dispose();
            publisher = null;
        }
        return Task.CompletedTask;
    }
}
