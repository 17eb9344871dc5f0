using Microsoft.Extensions.Logging;
using Orleans.Utilities;
using TicketFlow.Data.Journal;
using TicketFlow.Domain.Seating;
using TicketFlow.Grains.Inventory;
using TicketFlow.Grains.Journaling;
using TicketFlow.Grains.Purchases;

namespace TicketFlow.Grains.Seating;

/// <summary>
/// Adapts <see cref="SectionSeats"/> to Orleans exactly as <see cref="EventInventoryGrain"/> adapts a tier: a decision on the
/// state machine per call, acknowledged once the group commit holding it is durable; a durable reminder expires holds
/// nobody releases; seat changes go to watchers (the WebFronts) as deltas, at most every <see cref="PublishPeriod"/>.
/// </summary>
/// <remarks>One grain per section: best available needs a whole row in one place, a section (≤ 10,000 seats) keeps its
/// state and bitmap small, and the sections of a stadium take holds on different silos at once.</remarks>
[Reentrant] // calls interleave at awaits, so many share one journal append; the state machine is only touched between awaits
[GrainType(SeatJournal.GrainType)]
public sealed class SeatSectionGrain(IJournalStore journals, TimeProvider time, ILogger<SeatSectionGrain> logger)
    : Grain, ISeatSectionGrain, IRemindable
{
    public static readonly TimeSpan PublishPeriod = TimeSpan.FromMilliseconds(100);

    private SectionSeats section = new();
    private GroupCommit<SectionEvent> journal = null!;
    private HoldExpiryReminder expiry = null!;
    private ObserverManager<ISeatMapObserver> watchers = null!;
    private string eventId = "", sectionId = "";
    private IGrainTimer? publisher;
    private readonly Dictionary<int, byte> unpublished = []; // seat → its durable state, changed since the last delta
    private long publishedVersion;

    private DateTimeOffset Now => time.GetUtcNow();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (eventId, sectionId) = SectionKey.Parse(this.GetPrimaryKeyString());
        var id = SeatJournal.For(this.GetPrimaryKeyString());
        var stored = await journals.ReadAsync(id, cancellationToken);
        var (snapshot, entries) = JournalFormat.Read<SectionSnapshot, SectionEvent>(stored);
        section = SectionSeats.Restore(snapshot, entries);
        publishedVersion = stored.Version;
        journal = new GroupCommit<SectionEvent>(journals, id, stored.Version, stored.SnapshotVersion, GrainContext,
            section.TakeChanges, SnapshotIfDue, logger, OnDurable);
        watchers = new ObserverManager<ISeatMapObserver>(AvailabilityWatch.Lifetime, logger);
        expiry = new HoldExpiryReminder(this, time);
        await expiry.AimAsync(section.NextExpiry); // holds recovered from storage still expire if nobody calls
    }

    public Task<SectionStatus> Configure(SectionPlan plan)
    {
        section.Configure(plan, Now);
        return journal.Acknowledge(Status());
    }

    public async Task<SeatHoldReply> Hold(SeatHoldRequest request)
    {
        // The reminder is aimed first (I/O before any change): a hold is never stored without a reminder that will expire it.
        await expiry.AimBeforeHoldAsync(request.ExpiresAt, section.NextExpiry);
        var now = Now;
        var outcome = request.SeatIds is { Count: > 0 } seats
            ? section.TryHoldSeats(request.HoldId, request.UserId, request.TierId, seats, request.ExpiresAt, now)
            : section.TryHoldBest(request.HoldId, request.UserId, request.TierId, request.Quantity, request.Together, request.ExpiresAt, now);
        var free = section.CountsAt(now).FirstOrDefault(c => c.TierId == request.TierId)?.Available ?? 0;
        return await journal.Acknowledge(new SeatHoldReply(outcome.Error, outcome.Seats, outcome.SeatIds, free));
    }

    public Task<bool> Release(string holdId) => journal.Acknowledge(section.Release(holdId, Now));

    public Task<ConfirmReply> Confirm(string holdId) => journal.Acknowledge(new ConfirmReply(section.Confirm(holdId, Now)));

    public Task<bool> Refund(string holdId) => journal.Acknowledge(section.Refund(holdId, Now));

    public Task<bool> RefundSeats(string holdId, string refundId, IReadOnlyList<string> seatIds) =>
        journal.Acknowledge(section.RefundSeats(holdId, refundId, seatIds, Now));

    public Task<SectionStatus> Close()
    {
        section.Close(Now);
        return journal.Acknowledge(Status());
    }

    public Task<SectionStatus> GetStatus()
    {
        section.ExpireDue(Now);
        return journal.Acknowledge(Status());
    }

    public Task<SectionStatistics> GetStatistics()
    {
        section.ExpireDue(Now);
        return journal.Acknowledge(new SectionStatistics(Status(),
            section.Activity().Select(a => new TierActivity(a.TierId, a.HoldsPlaced, a.HoldsReleased, a.HoldsExpired, a.HoldsSold, a.Refunds)).ToList()));
    }

    public Task<SectionStatus> Watch(ISeatMapObserver watcher)
    {
        watchers.Subscribe(watcher, watcher);
        section.ExpireDue(Now);
        return journal.Acknowledge(Status());
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != HoldExpiryReminder.Name) return;
        expiry.Fired();
        var expired = section.ExpireDue(Now);
        await journal.WhenDurable(); // the expiries are stored before the tick is done
        if (expired > 0) logger.LogDebug("SeatSection {GrainKey} expired {Count} holds", this.GetPrimaryKeyString(), expired);
        await expiry.AimAsync(section.NextExpiry);
    }

    // The status as of every entry applied so far: Acknowledge releases it only once they are all durable.
    private SectionStatus Status() =>
        new(eventId, sectionId, journal.Version + journal.Uncommitted, SeatBits.Pack(section.States), section.CountsAt(Now), Now);

    // Snapshot once the entries since the last one outnumber the state's size: replay stays short, the cost amortised.
    private object? SnapshotIfDue(long sinceSnapshot) =>
        sinceSnapshot > 1000 + 2L * (section.ActiveHolds + section.SoldHolds) ? section.ToSnapshot() : null;

    private void OnDurable(IReadOnlyList<SectionEvent> events)
    {
        PurchaseMetrics.Applied(eventId, events);
        // The states these entries left their seats in (not the state now: later entries may not be durable yet).
        foreach (var change in events)
        {
            var (seats, state) = change.SeatChanges();
            foreach (var seat in seats) unpublished[seat] = state;
        }
        // No timer means no push for a period at least (it stops after a quiet tick): this change goes out at once.
        publisher ??= this.RegisterGrainTimer(PublishAsync, new GrainTimerCreationOptions(TimeSpan.Zero, PublishPeriod) { Interleave = true });
    }

    // Coalesced: at most one delta per period, covering every durable change since the last one.
    private async Task PublishAsync(CancellationToken cancellationToken)
    {
        var version = journal.Version;
        if (version == publishedVersion)
        {
            publisher?.Dispose();
            publisher = null;
            return;
        }
        var counts = await journal.Acknowledge(section.CountsAt(Now));
        version = journal.Version; // batches stored while waiting are in this delta too
        var seats = unpublished.Keys.ToArray();
        var delta = new SeatDelta(eventId, sectionId, publishedVersion, version, seats, seats.Select(s => unpublished[s]).ToArray(), counts, Now);
        unpublished.Clear();
        publishedVersion = version;
        await watchers.Notify(watcher => watcher.SeatsChanged(delta));
    }
}
