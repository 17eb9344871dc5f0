using TicketFlow.Domain.Security;

namespace TicketFlow.WebFront.Catalog;

public sealed record VenueRequest(string? Name, string? City, string? Address);

/// <param name="Id">Optional short id (1–40 of <c>a-z 0-9 _ -</c>): the stored tier id is <c>{eventId}-{id}</c>, else <c>{eventId}-t{i+1}</c>; seating names tiers by it.</param>
/// <param name="Reserved">Sold by seat from the seat map; the capacity is computed from the seating (and may be omitted).</param>
public sealed record TierRequest(string? Name, long? PriceMinor, string? Currency, int? Capacity, int? PerUserLimit, string? Id = null, bool? Reserved = null);

/// <summary>One entry of an event's <c>seating</c>: the tier that sells a section, or rows <c>fromRow</c>..<c>toRow</c> of it (labels, inclusive).</summary>
public sealed record SeatingRequest(string? SectionId, string? TierId, string? FromRow = null, string? ToRow = null);

/// <summary><c>POST /events</c> body (API contract). With <c>venueId</c> the <c>venue</c> fields may be left out (the venue's are used).</summary>
public sealed record CreateEventRequest(
    string? Name, string? Artist, VenueRequest? Venue, string? Description, DateTimeOffset? StartsAt, DateTimeOffset? OnSaleAt,
    bool? HighDemand, int? HoldSeconds, IReadOnlyList<TierRequest>? Tiers,
    string? VenueId = null, int? LayoutVersion = null, IReadOnlyList<SeatingRequest?>? Seating = null);

public sealed record TierChange(string? Id, string? Name, long? PriceMinor, int? Capacity, int? PerUserLimit, bool? Reserved = null);

/// <summary><c>PATCH /events/{id}</c> body: only the fields given change; tiers are matched by id; capacity may only grow. The seat map
/// (<c>venueId</c>, <c>layoutVersion</c>, <c>seating</c>, a tier's <c>reserved</c>) changes only while the event is a draft.</summary>
public sealed record UpdateEventRequest(
    string? Name, string? Artist, VenueRequest? Venue, string? Description, DateTimeOffset? StartsAt, DateTimeOffset? OnSaleAt,
    bool? HighDemand, int? HoldSeconds, IReadOnlyList<TierChange>? Tiers,
    string? VenueId = null, int? LayoutVersion = null, IReadOnlyList<SeatingRequest?>? Seating = null)
{
    public bool ChangesSeatMap => VenueId is not null || LayoutVersion is not null || Seating is not null || Tiers?.Any(t => t?.Reserved is not null) == true;
}

/// <summary>Field rules for catalog input; each broken rule is one entry of a 400's <c>errors</c>.</summary>
public static class EventValidation
{
    public const int DefaultHoldSeconds = 600;

    public static Dictionary<string, string[]> Create(CreateEventRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        Text(errors, "name", request.Name, 200);
        Text(errors, "artist", request.Artist, 200);
        if (request.VenueId is null || request.Venue is not null)
        {
            Text(errors, "venue.name", request.Venue?.Name, 200);
            Text(errors, "venue.city", request.Venue?.City, 100);
            Text(errors, "venue.address", request.Venue?.Address, 300);
        }
        if ((request.Description?.Length ?? 0) > 5000) errors["description"] = ["At most 5000 characters."];
        if (request.StartsAt is null) errors["startsAt"] = ["Give the start time (ISO-8601)."];
        if (request.OnSaleAt is null) errors["onSaleAt"] = ["Give the on-sale time (ISO-8601)."];
        else if (request.StartsAt is { } starts && request.OnSaleAt >= starts) errors["onSaleAt"] = ["The sale must open before the event starts."];
        if (request.HoldSeconds is { } hold && hold is < 60 or > 1800) errors["holdSeconds"] = ["Holds last 60 to 1800 seconds (1 to 30 minutes)."];
        var tiers = request.Tiers ?? [];
        if (tiers.Count is 0 or > 20) errors["tiers"] = ["Give 1 to 20 tiers."];
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Math.Min(tiers.Count, 20); i++)
        {
            var tier = tiers[i];
            if (tier.Id is not null && !IsTierKey(tier.Id)) errors[$"tiers[{i}].id"] = ["An id of 1 to 40 characters a-z, 0-9, _ or -."];
            else if (!keys.Add(TierKey(tier, i))) errors[$"tiers[{i}].id"] = [$"Tier id \"{TierKey(tier, i)}\" is used twice (a tier without an id is t1, t2, … by position)."];
            Text(errors, $"tiers[{i}].name", tier.Name, 100);
            if (tier.PriceMinor is null or < 0 or > 100_000_000) errors[$"tiers[{i}].priceMinor"] = ["A price in minor units from 0 to 100,000,000."];
            if (tier.Currency is null || tier.Currency.Length != 3 || !tier.Currency.All(char.IsAsciiLetterUpper))
                errors[$"tiers[{i}].currency"] = ["An ISO 4217 code such as EUR."];
            // A reserved tier's capacity is the seats its sections hold, computed from the seating.
            if (tier.Reserved != true && tier.Capacity is null or < 1 or > 1_000_000) errors[$"tiers[{i}].capacity"] = ["A capacity from 1 to 1,000,000."];
            if (tier.PerUserLimit is null or < 1 or > 100) errors[$"tiers[{i}].perUserLimit"] = ["A per-user limit from 1 to 100."];
        }
        if (tiers.Count > 0 && errors.Keys.All(k => !k.EndsWith(".currency")) && tiers.Select(t => t.Currency).Distinct().Count() > 1)
            errors["tiers"] = ["All tiers of an event use one currency."];
        return errors;
    }

    /// <summary>Applies a patch to an event; errors name the fields, <paramref name="shrunk"/> names tiers whose capacity would go down.</summary>
    public static EventDetails Apply(EventDetails current, UpdateEventRequest patch, Dictionary<string, string[]> errors, List<string> shrunk)
    {
        var venue = patch.Venue is null ? current.Venue : new Venue(patch.Venue.Name ?? current.Venue.Name, patch.Venue.City ?? current.Venue.City, patch.Venue.Address ?? current.Venue.Address);
        var tiers = current.Tiers.ToList();
        var changes = patch.Tiers ?? [];
        if (changes.Count > 20) errors["tiers"] = ["At most 20 tier changes."];
        for (var i = 0; i < Math.Min(changes.Count, 20); i++)
        {
            var change = changes[i];
            var index = tiers.FindIndex(t => t.Id == change.Id);
            if (index < 0) { errors[$"tiers[{i}].id"] = ["No tier of this event has this id."]; continue; }
            var tier = tiers[index];
            var reserved = change.Reserved ?? tier.Reserved;
            if (!reserved && change.Capacity < tier.Capacity) shrunk.Add(tier.Id);
            tiers[index] = tier with
            {
                Name = change.Name?.Trim() ?? tier.Name,
                PriceMinor = change.PriceMinor ?? tier.PriceMinor,
                Capacity = reserved ? tier.Capacity : change.Capacity ?? tier.Capacity, // a reserved tier's is computed from its seating
                PerUserLimit = change.PerUserLimit ?? tier.PerUserLimit,
                Reserved = reserved,
            };
        }
        var updated = current with
        {
            Name = patch.Name?.Trim() ?? current.Name,
            Artist = patch.Artist?.Trim() ?? current.Artist,
            Venue = venue with { Name = venue.Name.Trim(), City = venue.City.Trim(), Address = venue.Address.Trim() },
            Description = patch.Description?.Trim() ?? current.Description,
            StartsAt = patch.StartsAt?.ToUniversalTime() ?? current.StartsAt,
            OnSaleAt = patch.OnSaleAt?.ToUniversalTime() ?? current.OnSaleAt,
            HighDemand = patch.HighDemand ?? current.HighDemand,
            HoldSeconds = patch.HoldSeconds ?? current.HoldSeconds,
            Tiers = tiers,
        };
        // The result must pass the same rules as a new event.
        foreach (var (field, messages) in Create(new CreateEventRequest(updated.Name, updated.Artist,
                     new VenueRequest(updated.Venue.Name, updated.Venue.City, updated.Venue.Address), updated.Description, updated.StartsAt,
                     updated.OnSaleAt, updated.HighDemand, updated.HoldSeconds,
                     updated.Tiers.Select(t => new TierRequest(t.Name, t.PriceMinor, t.Currency, t.Capacity, t.PerUserLimit, Reserved: t.Reserved)).ToList())))
            errors.TryAdd(field, messages);
        return updated;
    }

    /// <summary>The request's name for a tier: its <c>id</c>, else <c>t{i+1}</c>; the stored id is <c>{eventId}-{key}</c>.</summary>
    public static string TierKey(TierRequest tier, int index) => tier.Id ?? $"t{index + 1}";

    public static bool IsTierKey(string id) => id.Length is >= 1 and <= 40 && id.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_' or '-');

    /// <summary>A required name-like text: 1 to <paramref name="max"/> characters once trimmed, no control or format characters.</summary>
    public static void Text(Dictionary<string, string[]> errors, string field, string? value, int max)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Trim().Length > max) errors[field] = [$"Give 1 to {max} characters."];
        else if (NameCharacters.HasControlOrFormat(value.Trim())) errors[field] = [NameCharacters.Refusal];
    }
}
