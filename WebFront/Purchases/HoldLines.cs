using TicketFlow.Domain.Purchases;
using TicketFlow.WebFront.Catalog;
using TicketFlow.WebFront.Seating;

namespace TicketFlow.WebFront.Purchases;

/// <summary>
/// A hold request's items as the shopper grain's lines: a general-admission tier by quantity; a reserved tier by exact
/// seats (each looked up in the event's seat map: unknown ids and seats of another tier are refused here, before any
/// grain is asked) or by quantity, the best available over the tier's sections nearest the stage first.
/// </summary>
public static class HoldLines
{
    public static async Task<(IReadOnlyList<HoldLine> Lines, IResult? Refusal)> BuildAsync(IReadOnlyList<HoldItemRequest> items, EventDetails details,
        SeatMaps maps, SeatStatusCache seatStatus, CancellationToken cancellationToken)
    {
        var lines = new List<HoldLine>();
        EventSeatMap? map = null;
        IReadOnlyList<Grains.Seating.SectionStatus>? statuses = null;
        foreach (var item in items)
        {
            var tier = details.Tiers.Single(t => t.Id == item.TierId);
            var terms = new TierTerms(tier.Capacity, tier.PerUserLimit);
            if (!tier.Reserved)
            {
                if (item.Seats is not null || item.Together is not null)
                    return ([], Problems.Validation(new Dictionary<string, string[]> { ["items"] = [$"Tier {tier.Id} is general admission: ask for a quantity, not seats."] }));
                lines.Add(new HoldLine(tier.Id, item.Quantity!.Value, tier.PriceMinor, terms));
                continue;
            }
            map ??= await maps.GetAsync(details, cancellationToken);
            if (map is null) return ([], Problems.Of(ProblemCodes.Unavailable, "This event's seat map cannot be read right now; nothing is held. Try again."));
            // Read from memory once set up; a section not set up yet (just after a start) is set up here, not refused as closed.
            statuses ??= await seatStatus.GetConfiguredAsync(map);
            if (item.Seats is { } seatIds)
            {
                var unknown = seatIds.Where(id => !map.TryFind(id, out _, out _)).ToList();
                if (unknown.Count > 0) return ([], Problems.OfSeats(ProblemCodes.SeatNotFound, unknown));
                var otherTier = seatIds.Where(id => map.TierOf(id) != tier.Id).ToList();
                if (otherTier.Count > 0) return ([], Problems.OfSeats(ProblemCodes.SeatWrongTier, otherTier));
                var exact = seatIds.GroupBy(id => { map.TryFind(id, out var section, out _); return section.SectionId; })
                    .Select(g => new SectionSeatIds(g.Key, g.ToList())).ToList();
                lines.Add(new HoldLine(tier.Id, seatIds.Count, tier.PriceMinor, terms, Choice: new SeatChoice(exact, [], Together: false)));
            }
            else
            {
                // Sections the pushed status says have nothing free of this tier are not asked (it lags by at most ~100 ms;
                // a section that just freed seats is tried by the next request).
                var freeSomewhere = statuses.Where(s => s.Tiers.Any(t => t.TierId == tier.Id && t.Available > 0)).Select(s => s.SectionId).ToHashSet();
                var candidates = map.SectionsOfTier.GetValueOrDefault(tier.Id, []).Where(freeSomewhere.Contains).ToList();
                lines.Add(new HoldLine(tier.Id, item.Quantity!.Value, tier.PriceMinor, terms, Choice: new SeatChoice([], candidates, item.Together ?? false)));
            }
        }
        return (lines, null);
    }
}
