using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.OutputCaching;
using TicketFlow.WebFront.Catalog;
using TicketFlow.WebFront.Site;

namespace TicketFlow.WebFront.Pages;

/// <summary>Browse: published events from today on, searched and filtered, 12 to a page. Works without JavaScript; the
/// script only adds the live "selling fast / few left / sold out" badges.</summary>
[OutputCache(PolicyName = PageCachePolicy.Name)]
public sealed class IndexModel(ICatalogStore catalog, TimeProvider time) : PageModel
{
    public const int PageSize = 12;

    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public string? City { get; set; }
    [BindProperty(SupportsGet = true)] public string? Venue { get; set; }
    [BindProperty(SupportsGet = true)] public string? Artist { get; set; }
    [BindProperty(SupportsGet = true)] public string? From { get; set; }
    [BindProperty(SupportsGet = true)] public string? To { get; set; }
    [BindProperty(SupportsGet = true)] public string? Cursor { get; set; }

    public EventPage Results { get; private set; } = new([], null);
    public Dictionary<string, string> Errors { get; } = [];
    public DateTimeOffset Now { get; private set; }

    public bool Filtered => new[] { Q, City, Venue, Artist, From, To }.Any(value => !string.IsNullOrWhiteSpace(value));

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Now = time.GetUtcNow();
        foreach (var (name, value) in new[] { ("q", Q), ("city", City), ("venue", Venue), ("artist", Artist) })
            if (value?.Length > 200) Errors[name] = "At most 200 characters.";
        var from = Day(From, "from") ?? new DateTimeOffset(Now.UtcDateTime.Date, TimeSpan.Zero);
        var to = Day(To, "to")?.AddDays(1).AddTicks(-1);
        var after = EventCursor.TryDecode(Cursor);
        if (Errors.Count > 0) return;
        Results = await catalog.SearchAsync(new EventQuery(Q, City, Venue, Artist, from, to, Limit: PageSize, After: after,
            AnyStatus: [EventStatus.OnSale, EventStatus.SoldOut]), cancellationToken);
    }

    /// <summary>The same search, one page on.</summary>
    public string NextPageUrl() => Url.Page("/Index", new { q = Q, city = City, venue = Venue, artist = Artist, from = From, to = To, cursor = Results.NextCursor })!;

    private DateTimeOffset? Day(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (DateTime.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var day))
            return new DateTimeOffset(day, TimeSpan.Zero);
        Errors[name] = "A date like 2027-03-14.";
        return null;
    }
}
