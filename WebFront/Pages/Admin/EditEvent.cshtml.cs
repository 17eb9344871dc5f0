using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using TicketFlow.WebFront.Catalog;

namespace TicketFlow.WebFront.Pages.Admin;

/// <summary>Create an event with its tiers, or edit one. The form is sent by its script as JSON to the same API an admin's
/// client uses (<c>POST /api/v1/events</c>, <c>PATCH /api/v1/events/{id}</c>), so the rules and their errors are the API's.</summary>
public sealed class EditEventModel(ICatalogStore catalog) : PageModel
{
    public EventDetails? Event { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? eventId, CancellationToken cancellationToken)
    {
        if (eventId is null) return Page();
        Event = eventId.Length <= 100 ? await catalog.GetAsync(eventId, cancellationToken) : null;
        return Event is null ? NotFound() : Page();
    }

    /// <summary>For a datetime-local input (UTC; the form says so).</summary>
    public static string Local(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture) ?? "";
}
