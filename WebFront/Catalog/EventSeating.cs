using TicketFlow.Domain.Seating;
using TicketFlow.WebFront.Venues;

namespace TicketFlow.WebFront.Catalog;

/// <summary>
/// An event's seat map as an admin sets it: the venue, the layout version (the venue's current one unless named), and which
/// reserved tier sells which sections or rows. Checked against the layout (<see cref="LayoutRules.ValidateSeating"/>); a
/// reserved tier's capacity becomes the number of seats mapped to it.
/// </summary>
public static class EventSeating
{
    /// <summary>A seating entry names a tier by its full id or by the short one the create request used (<c>t2</c>, <c>stalls</c>).</summary>
    public static string? FullTierId(string eventId, string? tierId) =>
        tierId is null || tierId.StartsWith(eventId + "-", StringComparison.Ordinal) ? tierId : $"{eventId}-{tierId}";

    /// <summary>The event with its seat map applied: <paramref name="venueId"/>, <paramref name="layoutVersion"/> and
    /// <paramref name="seating"/> replace the event's own where given. Broken rules go to <paramref name="errors"/>.</summary>
    public static async Task<EventDetails> ApplyAsync(EventDetails details, string? venueId, int? layoutVersion, IReadOnlyList<SeatingRequest?>? seating,
        IVenueStore venues, Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        var entries = seating is null
            ? details.Seating ?? []
            : seating.Select(s => new SectionTier(s?.SectionId!, FullTierId(details.Id, s?.TierId)!, s?.FromRow, s?.ToRow)).ToList();
        var reserved = details.Tiers.Where(t => t.Reserved).Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        var venueChanged = venueId is not null && venueId != details.VenueId;
        venueId ??= details.VenueId;
        if (venueId is null)
        {
            if (reserved.Count > 0) errors["venueId"] = ["A reserved tier sells seats of a venue's layout: give venueId."];
            else if (entries.Count > 0) errors["venueId"] = ["Seating maps sections of a venue's layout: give venueId."];
            if (layoutVersion is not null) errors["layoutVersion"] = ["A layout version belongs to a venue: give venueId."];
            return details;
        }
        if (venueId.Length > 100 || await venues.GetAsync(venueId, cancellationToken) is not { } venue)
        {
            errors["venueId"] = ["No venue has this id."];
            return details;
        }
        var version = layoutVersion ?? (venueChanged ? null : details.LayoutVersion) ?? venue.LayoutVersion;
        if (version < 1 || version > venue.LayoutVersion || await venues.GetLayoutAsync(venueId, version, cancellationToken) is not { } layout)
        {
            errors["layoutVersion"] = [$"Venue {venueId} has layout versions 1 to {venue.LayoutVersion}."];
            return details;
        }
        foreach (var (field, messages) in LayoutRules.ValidateSeating(layout, entries, reserved)) errors.TryAdd(field, messages);
        if (errors.Count > 0) return details;
        return WithCapacities(details with { VenueId = venueId, LayoutVersion = version, Seating = entries }, layout);
    }

    /// <summary>The event with each reserved tier's capacity set to the seats its (valid) seating maps to it.</summary>
    public static EventDetails WithCapacities(EventDetails details, VenueLayout layout)
    {
        var seats = new Dictionary<string, int>(StringComparer.Ordinal);
        var sections = layout.Sections.ToDictionary(s => s.Id, StringComparer.Ordinal);
        foreach (var entry in details.Seating ?? [])
        {
            var section = sections[entry.SectionId];
            var (from, to) = LayoutRules.RowRange(section, entry);
            seats[entry.TierId] = seats.GetValueOrDefault(entry.TierId) + section.Rows.Skip(from).Take(to - from + 1).Sum(r => r.Seats.Count);
        }
        return details with { Tiers = details.Tiers.Select(t => t.Reserved ? t with { Capacity = seats.GetValueOrDefault(t.Id) } : t).ToList() };
    }
}
