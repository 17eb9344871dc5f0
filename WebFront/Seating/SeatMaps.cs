using System.Collections.Concurrent;
using TicketFlow.WebFront.Catalog;
using TicketFlow.WebFront.Venues;

namespace TicketFlow.WebFront.Seating;

/// <summary>Events' seat maps, built once per event and layout version and kept (layouts are immutable per version).</summary>
public sealed class SeatMaps(IVenueStore venues)
{
    private readonly ConcurrentDictionary<(string EventId, int Version, int Seating), Lazy<Task<EventSeatMap?>>> maps = new();

    /// <summary>The event's seat map; null when it has none (general admission only) or its layout is missing.</summary>
    public Task<EventSeatMap?> GetAsync(EventDetails details, CancellationToken cancellationToken)
    {
        if (!details.HasSeatMap) return Task.FromResult<EventSeatMap?>(null);
        if (maps.Count > 1_000) maps.Clear(); // a bound; maps are rebuilt on demand
        var key = (details.Id, details.LayoutVersion!.Value, SeatingHash(details));
        var entry = maps.GetOrAdd(key, _ => new Lazy<Task<EventSeatMap?>>(() => BuildAsync(details)));
        if (entry.Value.IsFaulted) maps.TryRemove(key, out _);
        return entry.Value.WaitAsync(cancellationToken);
    }

    private async Task<EventSeatMap?> BuildAsync(EventDetails details)
    {
        var layout = await venues.GetLayoutAsync(details.VenueId!, details.LayoutVersion!.Value, CancellationToken.None);
        return layout is null ? null : new EventSeatMap(details, layout);
    }

    // A draft's seating may change; a different mapping is a different map.
    private static int SeatingHash(EventDetails details)
    {
        var hash = new HashCode();
        foreach (var entry in details.Seating ?? []) hash.Add(entry);
        foreach (var tier in details.Tiers) hash.Add(tier.Reserved ? tier.Id : "");
        return hash.ToHashCode();
    }
}
