using TicketFlow.Domain.Seating;

namespace TicketFlow.WebFront.Catalog;

public static class EventStatus
{
    public const string Draft = "draft";
    public const string OnSale = "on_sale";
    public const string SoldOut = "sold_out";
    public const string Cancelled = "cancelled";
    public const string Completed = "completed";

    public static readonly string[] All = [Draft, OnSale, SoldOut, Cancelled, Completed];

    /// <summary>Every status but draft: what non-admins may see.</summary>
    public static readonly string[] Published = [OnSale, SoldOut, Cancelled, Completed];
}

public sealed record Venue(string Name, string City, string Address);

/// <param name="Reserved">Sold by seat from the event's seat map (its <see cref="EventDetails.Seating"/> sections; the capacity is their
/// seat count), not as general admission by count.</param>
public sealed record Tier(string Id, string Name, long PriceMinor, string Currency, int Capacity, int PerUserLimit, bool Reserved = false);

/// <summary>An event with its tiers, as <c>GET /events/{id}</c> returns it.</summary>
/// <param name="VenueId">The venue whose layout seats the reserved tiers (null: general admission only).</param>
/// <param name="LayoutVersion">The venue layout's version the event was set up with; it keeps it when the venue's layout changes.</param>
/// <param name="Seating">Which tier sells each section (or rows of it).</param>
public sealed record EventDetails(
    string Id, string Name, string Artist, Venue Venue, string Description, DateTimeOffset StartsAt, DateTimeOffset OnSaleAt,
    string Status, bool HighDemand, int HoldSeconds, IReadOnlyList<Tier> Tiers,
    string? VenueId = null, int? LayoutVersion = null, IReadOnlyList<SectionTier>? Seating = null)
{
    public bool HasSeatMap => VenueId is not null && LayoutVersion is not null;
}

/// <summary>One row of <c>GET /events</c>.</summary>
public sealed record EventSummary(
    string Id, string Name, string Artist, Venue Venue, DateTimeOffset StartsAt, DateTimeOffset OnSaleAt, string Status, bool HighDemand,
    long MinPriceMinor, string Currency, long MaxPriceMinor);

/// <summary>Search filters; all optional. Results are sorted by start time, then id.</summary>
/// <param name="AnyStatus">One of these statuses (the browse page: published events only).</param>
public sealed record EventQuery(
    string? Text = null, string? City = null, string? Venue = null, string? Artist = null,
    DateTimeOffset? From = null, DateTimeOffset? To = null, string? Status = null, int Limit = 20, EventCursor? After = null,
    IReadOnlyList<string>? AnyStatus = null);

/// <summary>Where the previous page ended: the last row's start time and id.</summary>
public sealed record EventCursor(long StartsAtMs, string Id)
{
    public string Encode() => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{StartsAtMs}|{Id}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static EventCursor? TryDecode(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor) || cursor.Length > 200) return null;
        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/').PadRight(cursor.Length + (4 - cursor.Length % 4) % 4, '=');
            var parts = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(padded)).Split('|', 2);
            return parts.Length == 2 && long.TryParse(parts[0], out var startsAt) && parts[1].Length > 0 ? new EventCursor(startsAt, parts[1]) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

public sealed record EventPage(IReadOnlyList<EventSummary> Items, string? NextCursor);

/// <summary>The catalog read model: PostgreSQL (full-text GIN index) in cluster mode, SQLite (FTS5) embedded.</summary>
public interface ICatalogStore
{
    Task InitializeAsync(CancellationToken cancellationToken);

    Task CreateAsync(EventDetails details, CancellationToken cancellationToken);

    Task<EventDetails?> GetAsync(string eventId, CancellationToken cancellationToken);

    Task<EventPage> SearchAsync(EventQuery query, CancellationToken cancellationToken);

    /// <summary>Stores new values for an existing event and its existing tiers (matched by id).</summary>
    /// <summary>Writes the event if its status is still <paramref name="expectedStatus"/> and no tier capacity would shrink; false (nothing
    /// written) if another change got there first.</summary>
    Task<bool> UpdateAsync(EventDetails details, string expectedStatus, CancellationToken cancellationToken);
}

/// <summary>Free text becomes prefix terms that must all match; anything but letters and digits is a separator.</summary>
public static class SearchTerms
{
    public static IReadOnlyList<string> Of(string? text) =>
        string.IsNullOrWhiteSpace(text)
            ? []
            : new string(text.Select(c => char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : ' ').ToArray())
                .Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(8).ToList();
}
