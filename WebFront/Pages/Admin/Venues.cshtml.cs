using Microsoft.AspNetCore.Mvc.RazorPages;
using TicketFlow.WebFront.Venues;

namespace TicketFlow.WebFront.Pages.Admin;

/// <summary>Every venue with its current layout version, and a form to create one from a layout JSON (pasted or a file). The
/// form's script sends it to <c>POST /api/v1/venues</c>, so the rules and their errors are the API's.</summary>
public sealed class VenuesModel(IVenueStore venues) : PageModel
{
    public IReadOnlyList<VenueInfo> Venues { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) => Venues = await venues.ListAsync(cancellationToken);
}
