using TicketFlow.Domain.Purchases;
using TicketFlow.Grains.Inventory;
using TicketFlow.Grains.Seating;

namespace TicketFlow.Grains.Purchases;

/// <summary>
/// The grains that keep a hold line's seats: a general-admission line's tier inventory, a reserved line's sections. The
/// shopper and the checkout saga end, sell and refund holds through this one place, whatever the kind of tier.
/// </summary>
internal static class HoldLineGrains
{
    public static Task ReleaseAsync(IGrainFactory grains, string eventId, HoldLine line, string holdId) => line.IsReserved
        ? Task.WhenAll(line.Sections.Select(s => Section(grains, eventId, s).Release(holdId)))
        : Tier(grains, eventId, line.TierId).Release(holdId);

    /// <returns>Null when every seat of the line is sold; else the first refusal (<c>hold_expired</c>, <c>event_closed</c>).</returns>
    public static async Task<string?> ConfirmAsync(IGrainFactory grains, string eventId, HoldLine line, string holdId)
    {
        if (!line.IsReserved) return (await Tier(grains, eventId, line.TierId).Confirm(holdId)).Error;
        var replies = await Task.WhenAll(line.Sections.Select(s => Section(grains, eventId, s).Confirm(holdId)));
        return replies.FirstOrDefault(r => !r.Confirmed)?.Error;
    }

    /// <summary>Every sold seat of the line back on sale (the sale did not stand).</summary>
    public static Task RefundAsync(IGrainFactory grains, string eventId, HoldLine line, string holdId) => line.IsReserved
        ? Task.WhenAll(line.Sections.Select(s => Section(grains, eventId, s).Refund(holdId)))
        : Tier(grains, eventId, line.TierId).Refund(holdId);

    /// <summary>Exactly the refunded tickets' seats back on sale, once per refund id.</summary>
    public static Task RefundSeatsAsync(IGrainFactory grains, string eventId, IReadOnlyList<HoldLine> lines, RefundedLine refunded, string holdId, string refundId)
    {
        if (refunded.SeatIds is not { Count: > 0 } seatIds)
            return Tier(grains, eventId, refunded.TierId).RefundSeats(holdId, refundId, refunded.Quantity);
        var sectionOf = lines.Where(l => l.TierId == refunded.TierId).SelectMany(l => l.Seats ?? []).ToDictionary(s => s.Id, s => s.SectionId);
        return Task.WhenAll(seatIds.GroupBy(id => sectionOf[id]).Select(bySection =>
            Section(grains, eventId, bySection.Key).RefundSeats(holdId, refundId, bySection.ToList())));
    }

    public static IEventInventoryGrain Tier(IGrainFactory grains, string eventId, string tierId) =>
        grains.GetGrain<IEventInventoryGrain>(TierKey.For(eventId, tierId));

    public static ISeatSectionGrain Section(IGrainFactory grains, string eventId, string sectionId) =>
        grains.GetGrain<ISeatSectionGrain>(SectionKey.For(eventId, sectionId));
}
