using System.Collections.Concurrent;
using TicketFlow.WebFront.Catalog;

namespace TicketFlow.WebFront.Purchases;

/// <summary>
/// Event details for the purchase path, cached briefly in memory: a hold must not cost a catalog query. Staleness is
/// safe: capacity only grows (inventory grains adopt the larger one), a per-user limit reaches the grains only from the admin's
/// change (never from a hold's copy), and a cancelled event's inventory grains refuse holds.
/// </summary>
public sealed class EventLookup(ICatalogStore catalog, TimeProvider time)
{
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, (EventDetails? Details, DateTimeOffset ReadAt)> cache = new();

    public async Task<EventDetails?> GetAsync(string eventId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (cache.TryGetValue(eventId, out var entry) && now - entry.ReadAt < Freshness) return entry.Details;
        var details = await catalog.GetAsync(eventId, cancellationToken);
        if (cache.Count > 10_000) cache.Clear(); // unknown ids must not grow it without bound
        cache[eventId] = (details, now);
        return details;
    }

    public void Forget(string eventId) => cache.TryRemove(eventId, out _);
}
