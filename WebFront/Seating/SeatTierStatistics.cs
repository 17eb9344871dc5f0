using TicketFlow.Grains.Inventory;
using TicketFlow.Grains.Seating;

namespace TicketFlow.WebFront.Seating;

/// <summary>A reserved tier's statistics in the shape a general-admission tier's grain answers them: the sum over its sections.</summary>
public static class SeatTierStatistics
{
    public static TierStatistics Sum(string eventId, string tierId, IReadOnlyList<SectionStatistics> sections)
    {
        var counts = sections.SelectMany(s => s.Status.Tiers).Where(t => t.TierId == tierId).ToList();
        var activity = sections.SelectMany(s => s.Tiers).Where(t => t.TierId == tierId).ToList();
        return new TierStatistics(
            new TierCounts(eventId, tierId, counts.Sum(c => c.Capacity), counts.Sum(c => c.Available), counts.Sum(c => c.Held), counts.Sum(c => c.Sold),
                sections.Count == 0 ? DateTimeOffset.UtcNow : sections.Max(s => s.Status.AsOf)),
            activity.Sum(a => a.HoldsPlaced), activity.Sum(a => a.HoldsReleased), activity.Sum(a => a.HoldsExpired), activity.Sum(a => a.HoldsSold),
            activity.Sum(a => a.Refunds), sections.Sum(s => s.Status.Version));
    }
}
