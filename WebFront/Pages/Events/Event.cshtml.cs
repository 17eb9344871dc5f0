using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Options;
using TicketFlow.Grains;
using TicketFlow.WebFront.Availability;
using TicketFlow.WebFront.Catalog;
using TicketFlow.WebFront.Purchases;
using TicketFlow.WebFront.Site;

namespace TicketFlow.WebFront.Pages.Events;

/// <summary>
/// An event: venue, date, tiers with prices and available counts, and the quantity pickers. Cached and the same for every
/// fan; the counts rendered here are a starting point that the hub (or, past its connection limit, polling) keeps current.
/// </summary>
[OutputCache(PolicyName = PageCachePolicy.Name)]
public sealed class EventModel(EventLookup events, EventAvailabilityReader availability, IOptions<PurchaseOptions> limits,
    TimeProvider time) : PageModel
{
    public EventDetails Event { get; private set; } = null!;

    /// <summary>Counts per tier id; empty when the cluster could not answer (the script fills them in).</summary>
    public IReadOnlyDictionary<string, TierAvailability> Counts { get; private set; } = new Dictionary<string, TierAvailability>();

    public PurchaseOptions Limits => limits.Value;
    public DateTimeOffset Now { get; private set; }

    public bool OnSale => Event.Status == EventStatus.OnSale && Event.OnSaleAt <= Now;

    public async Task<IActionResult> OnGetAsync(string eventId, CancellationToken cancellationToken)
    {
        Now = time.GetUtcNow();
        if (eventId.Length > 100 || await events.GetAsync(eventId, cancellationToken) is not { } details || details.Status == EventStatus.Draft)
            return NotFound();
        Event = details;
        try
        {
            Counts = (await availability.ReadAsync(details, cancellationToken)).Tiers.ToDictionary(t => t.TierId);
        }
        catch (Exception error) when (GrainCallFailures.IsTransient(error))
        {
            // Rendered without counts; the page's script asks again.
        }
        return Page();
    }

    /// <summary>Most of this tier one order may take now.</summary>
    public int MaxFor(Tier tier) =>
        Math.Min(Math.Min(tier.PerUserLimit, Limits.MaxSeatsPerOrder), Counts.TryGetValue(tier.Id, out var counts) ? counts.Available : tier.PerUserLimit);
}
