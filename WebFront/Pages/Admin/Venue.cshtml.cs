using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using TicketFlow.Domain.Seating;
using TicketFlow.WebFront.Venues;

namespace TicketFlow.WebFront.Pages.Admin;

/// <summary>One venue: a layout version's sections with their row and seat counts (any version: they never change), and a
/// form that adds the next version (<c>PUT /api/v1/venues/{id}/layout</c>).</summary>
public sealed class VenueModel(IVenueStore venues) : PageModel
{
    [BindProperty(SupportsGet = true)] public int? Version { get; set; }

    public VenueInfo Venue { get; private set; } = null!;

    public int ShownVersion { get; private set; }

    public VenueLayout Layout { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string venueId, CancellationToken cancellationToken)
    {
        if (venueId.Length > 100 || await venues.GetAsync(venueId, cancellationToken) is not { } venue) return NotFound();
        Venue = venue;
        ShownVersion = Version is >= 1 && Version <= venue.LayoutVersion ? Version.Value : venue.LayoutVersion;
        if (await venues.GetLayoutAsync(venueId, ShownVersion, cancellationToken) is not { } layout) return NotFound();
        Layout = layout;
        return Page();
    }
}
