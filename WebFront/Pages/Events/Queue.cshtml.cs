using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using TicketFlow.WebFront.Catalog;
using TicketFlow.WebFront.Purchases;

namespace TicketFlow.WebFront.Pages.Events;

/// <summary>The waiting room of a high-demand event. The page holds no WebSocket (a room may hold a million fans): its
/// script polls the status endpoint at the interval each answer asks for.</summary>
public sealed class QueueModel(EventLookup events) : PageModel
{
    public EventDetails Event { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string eventId, CancellationToken cancellationToken)
    {
        if (eventId.Length > 100 || await events.GetAsync(eventId, cancellationToken) is not { } details || details.Status == EventStatus.Draft)
            return NotFound();
        if (!details.HighDemand) return Redirect($"/events/{Uri.EscapeDataString(eventId)}"); // sells without a queue
        Event = details;
        return Page();
    }
}
