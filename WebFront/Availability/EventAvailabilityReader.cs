using TicketFlow.Grains.Inventory;
using TicketFlow.WebFront.Catalog;
using TicketFlow.WebFront.Seating;

namespace TicketFlow.WebFront.Availability;

/// <summary>An event's counts per tier from memory kept fresh by pushes: a general-admission tier's from its inventory grain
/// (<see cref="AvailabilityCache"/>), a reserved tier's summed over its sections (<see cref="SeatStatusCache"/>).</summary>
public sealed class EventAvailabilityReader(AvailabilityCache availability, SeatMaps maps, SeatStatusCache seats, IGrainFactory grains)
{
    public async Task<EventAvailability> ReadAsync(EventDetails details, CancellationToken cancellationToken)
    {
        var general = details.Tiers.Where(t => !t.Reserved).ToList();
        var counts = (await availability.GetAsync(details.Id, general.Select(t => t.Id))).ToList();
        for (var i = 0; i < counts.Count; i++)
        {
            var tier = general[i];
            // An inventory behind its catalog tier (created before inventories existed, or grown while a push was in flight) catches up.
            if (counts[i].Capacity < tier.Capacity)
                counts[i] = await grains.GetGrain<IEventInventoryGrain>(TierKey.For(details.Id, tier.Id)).CatchUp(new TierTerms(tier.Capacity, tier.PerUserLimit));
        }
        if (general.Count < details.Tiers.Count && await maps.GetAsync(details, cancellationToken) is { } map)
            foreach (var tier in details.Tiers.Where(t => t.Reserved))
                counts.Add(await seats.TierCountsAsync(map, tier.Id));
        var byTier = counts.ToDictionary(c => c.TierId);
        var ordered = details.Tiers.Select(t => byTier.GetValueOrDefault(t.Id)).OfType<TierCounts>().ToList();
        return new EventAvailability(details.Id, ordered.Select(c => new TierAvailability(c.TierId, c.Available, c.Held, c.Sold, c.Capacity)).ToList(),
            ordered.Count == 0 ? DateTimeOffset.UtcNow : ordered.Min(c => c.AsOf));
    }
}
