using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using TicketFlow.WebFront.Catalog;

namespace TicketFlow.WebFront.Pages.Admin;

/// <summary>Every event, drafts included, 50 to a page, with links to edit it and to its live sales board.</summary>
public sealed class IndexModel(ICatalogStore catalog) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Cursor { get; set; }

    public EventPage Events { get; private set; } = new([], null);

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Events = await catalog.SearchAsync(new EventQuery(Limit: 50, After: EventCursor.TryDecode(Cursor)), cancellationToken);
}
