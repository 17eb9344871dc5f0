using System.Collections.Concurrent;
using TicketFlow.Grains.Inventory;
using TicketFlow.Runtime;
using TicketFlow.Runtime.Notifications;

namespace TicketFlow.WebFront.Availability;

/// <summary>
/// Every tier's latest counts, kept fresh by the tier grains' pushes: a page view reads memory, not a grain.
/// A tier never pushed to this WebFront (or silent for <see cref="MaxAge"/>, in case a push was lost) is read from its grain once.
/// </summary>
public sealed class AvailabilityCache : IDisposable
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, (TierCounts Counts, DateTimeOffset ReceivedAt)> tiers = new();
    private readonly IGrainFactory grains;
    private readonly TimeProvider time;
    private readonly IDisposable subscription;

    public AvailabilityCache(IClusterNotifications notifications, IGrainFactory grains, TimeProvider time)
    {
        this.grains = grains;
        this.time = time;
        subscription = notifications.Subscribe(AvailabilityTopic.Prefix, n => { if (n.Read<TierCounts>() is { } counts) Store(counts); });
    }

    /// <summary>Raised for every newer count stored (the SignalR broadcaster listens).</summary>
    public event Action<TierCounts>? Changed;

    public async Task<IReadOnlyList<TierCounts>> GetAsync(string eventId, IEnumerable<string> tierIds)
    {
        var now = time.GetUtcNow();
        return await Task.WhenAll(tierIds.Select(async tierId =>
        {
            var key = TierKey.For(eventId, tierId);
            if (tiers.TryGetValue(key, out var cached) && now - cached.ReceivedAt < MaxAge) return cached.Counts;
            var counts = await grains.GetGrain<IEventInventoryGrain>(key).GetCounts();
            Store(counts);
            return counts;
        }));
    }

    private void Store(TierCounts counts)
    {
        var key = TierKey.For(counts.EventId, counts.TierId);
        var received = (counts, time.GetUtcNow());
        var stored = tiers.AddOrUpdate(key, received, (_, current) => current.Counts.AsOf > counts.AsOf ? current : received);
        if (stored.Item1 == counts) Changed?.Invoke(counts);
    }

    public void Dispose() => subscription.Dispose();
}
