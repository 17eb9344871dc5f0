using System.Collections.Concurrent;
using TicketFlow.Grains;
using TicketFlow.Grains.Inventory;

namespace TicketFlow.WebFront.Availability;

/// <summary>
/// Every watched tier's latest durable counts, pushed by the inventory grains to this WebFront (a grain observer): a page view
/// reads memory, not a grain. The first read of a tier subscribes to it (<see cref="IEventInventoryGrain.Watch"/>, which
/// also answers the counts); subscriptions are renewed every <see cref="WatchRenewals.Period"/> while the tier is read, at once when
/// gateways come back (a silo died: its grains lost their watchers), and dropped after <see cref="WatchRenewals.IdleAfter"/> unread.
/// A tier whose counts were not confirmed for <see cref="MaxAge"/> (a lost push, a failed renewal) is read from its grain again.
/// </summary>
public sealed class AvailabilityCache(IGrainFactory grains, TimeProvider time, ILogger<AvailabilityCache> logger, IServiceProvider services)
    : BackgroundService, IAvailabilityObserver
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, Tier> tiers = new(StringComparer.Ordinal);
    private readonly WatchRenewals renewals = new(services, time);
    private IAvailabilityObserver? reference;

    /// <summary>Raised for every newer count stored (the SignalR broadcaster listens).</summary>
    public event Action<TierCounts>? Changed;

    public async Task<IReadOnlyList<TierCounts>> GetAsync(string eventId, IEnumerable<string> tierIds)
    {
        var now = time.GetUtcNow();
        return await Task.WhenAll(tierIds.Select(async tierId =>
        {
            var key = TierKey.For(eventId, tierId);
            var tier = tiers.GetOrAdd(key, _ => new Tier());
            tier.ReadAt = now;
            if (tier.Counts is { } counts && now - tier.ConfirmedAt < MaxAge) return counts;
            return await WatchAsync(key, tier);
        }));
    }

    /// <summary>A push from an inventory grain (one-way; counts only leave a grain once durable).</summary>
    public Task CountsChanged(TierCounts counts)
    {
        Store(TierKey.For(counts.EventId, counts.TierId), tiers.GetOrAdd(TierKey.For(counts.EventId, counts.TierId), _ => new Tier()), counts);
        return Task.CompletedTask;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        renewals.RunAsync(tiers, entry => entry.ReadAt, RenewAsync, stoppingToken);

    private async Task RenewAsync(string key, Tier tier)
    {
        try { await WatchAsync(key, tier); }
        catch (Exception error) when (GrainCallFailures.IsTransient(error))
        {
            logger.LogDebug("Renewing the watch of tier {Tier} failed ({Reason}); next try in {Period}", key, error.Message, WatchRenewals.Period);
        }
    }

    private async Task<TierCounts> WatchAsync(string key, Tier tier)
    {
        reference ??= grains.CreateObjectReference<IAvailabilityObserver>(this);
        var counts = await grains.GetGrain<IEventInventoryGrain>(key).Watch(reference);
        return Store(key, tier, counts);
    }

    private TierCounts Store(string key, Tier tier, TierCounts counts)
    {
        bool newer;
        lock (tier)
        {
            newer = tier.Counts is null || counts.AsOf > tier.Counts.AsOf;
            if (newer) tier.Counts = counts;
            tier.ConfirmedAt = time.GetUtcNow();
        }
        if (newer) Changed?.Invoke(counts);
        return tier.Counts!;
    }

    private sealed class Tier
    {
        public TierCounts? Counts;
        public DateTimeOffset ConfirmedAt;
        public DateTimeOffset ReadAt;
    }
}
