using System.Collections.Concurrent;
using TicketFlow.Domain.Seating;
using TicketFlow.Grains;
using TicketFlow.Grains.Inventory;
using TicketFlow.Grains.Seating;
using TicketFlow.WebFront.Availability;

namespace TicketFlow.WebFront.Seating;

/// <summary>
/// Every watched section's seat states (the packed bitmap) and tier counts, kept by the deltas its grain pushes to this
/// WebFront, so a seat map's status is read from memory, not from grains. Like <see cref="Availability.AvailabilityCache"/>: the first
/// read of a section subscribes (<see cref="ISeatSectionGrain.Watch"/>, which answers the whole status), subscriptions are
/// renewed every <see cref="WatchRenewals.Period"/> while read and at once when gateways come back, dropped after <see cref="WatchRenewals.IdleAfter"/>.
/// A delta that does not start at the version held (one was lost) makes the section reload its whole status.
/// </summary>
public sealed class SeatStatusCache(IGrainFactory grains, TimeProvider time, ILogger<SeatStatusCache> logger, IServiceProvider services)
    : BackgroundService, ISeatMapObserver
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, Section> sections = new(StringComparer.Ordinal);
    private readonly WatchRenewals renewals = new(services, time);
    private ISeatMapObserver? reference;

    /// <summary>Raised for every delta applied, with the seat ids it changed (the hub sends them on as <c>seats</c> messages).</summary>
    public event Action<SeatsMessage>? DeltaApplied;

    /// <summary>Raised when a reserved tier's counts (the sum over its sections) may have changed.</summary>
    public event Action<TierCounts>? TierChanged;

    /// <summary>Each section of the map that sells seats, as held now (subscribing to those not watched yet).</summary>
    public async Task<IReadOnlyList<SectionStatus>> GetAsync(EventSeatMap map)
    {
        var now = time.GetUtcNow();
        return await Task.WhenAll(map.Plans.Where(Sells).Select(async plan =>
        {
            var section = sections.GetOrAdd(SectionKey.For(map.EventId, plan.SectionId), _ => new Section(map, plan));
            section.ReadAt = now;
            if (section.Status is { } status && now - section.ConfirmedAt < MaxAge && !section.Gap) return status;
            return await WatchAsync(section);
        }));
    }

    /// <summary>
    /// Sets up the sections of a published event's map whose grains have no plan yet (version 0: the publish, or the demo
    /// seeder's background set-up, has not reached them), so a seat map never shows a section without seats. Only for
    /// published events: a section's plan is fixed once set, and a draft's seating may still change.
    /// </summary>
    public async Task<IReadOnlyList<SectionStatus>> GetConfiguredAsync(EventSeatMap map)
    {
        var statuses = await GetAsync(map);
        var missing = statuses.Where(s => s.Version == 0).Select(s => s.SectionId).ToHashSet();
        if (missing.Count == 0) return statuses;
        await Task.WhenAll(map.Plans.Where(p => missing.Contains(p.SectionId))
            .Select(plan => grains.GetGrain<ISeatSectionGrain>(SectionKey.For(map.EventId, plan.SectionId)).Configure(plan)));
        foreach (var sectionId in missing)
            if (sections.TryGetValue(SectionKey.For(map.EventId, sectionId), out var section)) await WatchAsync(section);
        return await GetAsync(map);
    }

    /// <summary>A reserved tier's counts: the sum over its sections.</summary>
    public async Task<TierCounts> TierCountsAsync(EventSeatMap map, string tierId) => Sum(map.EventId, tierId, await GetAsync(map));

    /// <summary>A push from a section grain (one-way; deltas only leave a grain once durable).</summary>
    public Task SeatsChanged(SeatDelta delta)
    {
        if (!sections.TryGetValue(SectionKey.For(delta.EventId, delta.SectionId), out var section)) return Task.CompletedTask;
        SectionStatus? applied;
        lock (section)
        {
            applied = section.Status is { } status && delta.Version > status.Version && delta.FromVersion <= status.Version
                ? status with { Version = delta.Version, Bits = Apply(status.Bits, delta), Tiers = delta.Tiers, AsOf = delta.AsOf }
                : null;
            if (applied is not null) section.Status = applied;
            else if (section.Status is { } held && delta.FromVersion > held.Version) section.Gap = true; // missed one: reload
            section.ConfirmedAt = time.GetUtcNow();
        }
        if (section.Gap) renewals.RenewSoon();
        if (applied is null) return Task.CompletedTask;
        DeltaApplied?.Invoke(new SeatsMessage(delta.EventId, delta.SectionId, delta.FromVersion, delta.Version,
            delta.Seats.Select((seat, i) => new SeatChange(section.SeatIds[seat], SeatState.Name(delta.States[i]))).ToList()));
        RaiseTiers(section.Map, delta.Tiers);
        return Task.CompletedTask;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        renewals.RunAsync(sections, entry => entry.ReadAt, (_, section) => RenewAsync(section), stoppingToken);

    private static bool Sells(SectionPlan plan) => plan.Rows.Any(r => r.Seats.Any(s => s.TierId is not null));

    private async Task RenewAsync(Section section)
    {
        try { await WatchAsync(section); }
        catch (Exception error) when (GrainCallFailures.IsTransient(error))
        {
            logger.LogDebug("Renewing the watch of section {Section} of {EventId} failed ({Reason})", section.Plan.SectionId, section.Map.EventId, error.Message);
        }
    }

    private async Task<SectionStatus> WatchAsync(Section section)
    {
        reference ??= grains.CreateObjectReference<ISeatMapObserver>(this);
        var status = await grains.GetGrain<ISeatSectionGrain>(SectionKey.For(section.Map.EventId, section.Plan.SectionId)).Watch(reference);
        bool newer;
        SectionStatus? before;
        lock (section)
        {
            before = section.Status;
            newer = before is null || status.Version > before.Version || section.Gap;
            if (newer) (section.Status, section.Gap) = (status, false);
            section.ConfirmedAt = time.GetUtcNow();
        }
        if (!newer) return section.Status!;
        // Pages hold the version this WebFront sent them: what a reload changed goes to them as one delta from that version.
        if (before is not null && status.Version > before.Version) Announce(section, before, status);
        RaiseTiers(section.Map, status.Tiers);
        return section.Status!;
    }

    private void Announce(Section section, SectionStatus before, SectionStatus after)
    {
        var changed = new List<SeatChange>();
        for (var seat = 0; seat < section.SeatIds.Length; seat++)
        {
            var state = SeatBits.StateAt(after.Bits, seat);
            if (state != SeatBits.StateAt(before.Bits, seat)) changed.Add(new SeatChange(section.SeatIds[seat], SeatState.Name(state)));
        }
        DeltaApplied?.Invoke(new SeatsMessage(after.EventId, after.SectionId, before.Version, after.Version, changed));
    }

    private void RaiseTiers(EventSeatMap map, IReadOnlyList<SectionTierCounts> changed)
    {
        if (TierChanged is null) return;
        foreach (var tier in changed.Select(t => t.TierId).Distinct())
        {
            var held = map.SectionsOfTier.GetValueOrDefault(tier) ?? [];
            var statuses = held.Select(id => sections.GetValueOrDefault(SectionKey.For(map.EventId, id))?.Status).OfType<SectionStatus>().ToList();
            if (statuses.Count == held.Count) TierChanged.Invoke(Sum(map.EventId, tier, statuses)); // only once every section is known
        }
    }

    private static TierCounts Sum(string eventId, string tierId, IEnumerable<SectionStatus> statuses)
    {
        int capacity = 0, available = 0, held = 0, sold = 0;
        var asOf = DateTimeOffset.MinValue;
        foreach (var status in statuses)
        {
            foreach (var tier in status.Tiers.Where(t => t.TierId == tierId))
                (capacity, available, held, sold) = (capacity + tier.Capacity, available + tier.Available, held + tier.Held, sold + tier.Sold);
            if (status.AsOf > asOf) asOf = status.AsOf;
        }
        return new TierCounts(eventId, tierId, capacity, available, held, sold, asOf);
    }

    // Copy on write: readers hold the bitmap they read, unchanged.
    private static byte[] Apply(byte[] bits, SeatDelta delta)
    {
        var copy = (byte[])bits.Clone();
        for (var i = 0; i < delta.Seats.Length; i++) SeatBits.Set(copy, delta.Seats[i], delta.States[i]);
        return copy;
    }

    private sealed class Section(EventSeatMap map, SectionPlan plan)
    {
        public readonly EventSeatMap Map = map;
        public readonly SectionPlan Plan = plan;
        public readonly string[] SeatIds = plan.Rows.SelectMany(r => r.Seats).Select(s => s.Id).ToArray();
        public SectionStatus? Status;
        public DateTimeOffset ConfirmedAt;
        public DateTimeOffset ReadAt;
        public bool Gap;
    }
}

/// <summary>A hub <c>seats</c> message: the seats of one section that changed between two versions, and their state now.</summary>
public sealed record SeatsMessage(string EventId, string SectionId, long FromVersion, long Version, IReadOnlyList<SeatChange> Changed);

public sealed record SeatChange(string SeatId, string State);
