using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using TicketFlow.WebFront.Catalog;

namespace TicketFlow.WebFront.Pages.Admin;

/// <summary>An event's live sales board and its controls (publish, cancel, the waiting room's pause and wave size).
/// The numbers come from the admin API, polled every second by the page's script.</summary>
public sealed class BoardModel(ICatalogStore catalog) : PageModel
{
    public EventDetails Event { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string eventId, CancellationToken cancellationToken)
    {
        if (eventId.Length > 100 || await catalog.GetAsync(eventId, cancellationToken) is not { } details) return NotFound();
        Event = details;
        return Page();
    }
}
