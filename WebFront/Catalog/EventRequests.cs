namespace TicketFlow.WebFront.Catalog;

public sealed record VenueRequest(string? Name, string? City, string? Address);

public sealed record TierRequest(string? Name, long? PriceMinor, string? Currency, int? Capacity, int? PerUserLimit);

/// <summary><c>POST /events</c> body (API contract).</summary>
public sealed record CreateEventRequest(
    string? Name, string? Artist, VenueRequest? Venue, string? Description, DateTimeOffset? StartsAt, DateTimeOffset? OnSaleAt,
    bool? HighDemand, int? HoldSeconds, IReadOnlyList<TierRequest>? Tiers);

/// <summary>Field rules for catalog input; each broken rule is one entry of a 400's <c>errors</c>.</summary>
public static class EventValidation
{
    public const int DefaultHoldSeconds = 600;

    public static Dictionary<string, string[]> Create(CreateEventRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        Text(errors, "name", request.Name, 200);
        Text(errors, "artist", request.Artist, 200);
        Text(errors, "venue.name", request.Venue?.Name, 200);
        Text(errors, "venue.city", request.Venue?.City, 100);
        Text(errors, "venue.address", request.Venue?.Address, 300);
        if ((request.Description?.Length ?? 0) > 5000) errors["description"] = ["At most 5000 characters."];
        if (request.StartsAt is null) errors["startsAt"] = ["Give the start time (ISO-8601)."];
        if (request.OnSaleAt is null) errors["onSaleAt"] = ["Give the on-sale time (ISO-8601)."];
        else if (request.StartsAt is { } starts && request.OnSaleAt >= starts) errors["onSaleAt"] = ["The sale must open before the event starts."];
        if (request.HoldSeconds is { } hold && hold is < 60 or > 1800) errors["holdSeconds"] = ["Holds last 60 to 1800 seconds (1 to 30 minutes)."];
        var tiers = request.Tiers ?? [];
        if (tiers.Count is 0 or > 20) errors["tiers"] = ["Give 1 to 20 tiers."];
        for (var i = 0; i < Math.Min(tiers.Count, 20); i++)
        {
            var tier = tiers[i];
            Text(errors, $"tiers[{i}].name", tier.Name, 100);
            if (tier.PriceMinor is null or < 0 or > 100_000_000) errors[$"tiers[{i}].priceMinor"] = ["A price in minor units from 0 to 100,000,000."];
            if (tier.Currency is null || tier.Currency.Length != 3 || !tier.Currency.All(char.IsAsciiLetterUpper))
                errors[$"tiers[{i}].currency"] = ["An ISO 4217 code such as EUR."];
            if (tier.Capacity is null or < 1 or > 1_000_000) errors[$"tiers[{i}].capacity"] = ["A capacity from 1 to 1,000,000."];
            if (tier.PerUserLimit is null or < 1 or > 100) errors[$"tiers[{i}].perUserLimit"] = ["A per-user limit from 1 to 100."];
        }
        if (tiers.Count > 0 && errors.Keys.All(k => !k.EndsWith(".currency")) && tiers.Select(t => t.Currency).Distinct().Count() > 1)
            errors["tiers"] = ["All tiers of an event use one currency."];
        return errors;
    }

    private static void Text(Dictionary<string, string[]> errors, string field, string? value, int max)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Trim().Length > max) errors[field] = [$"Give 1 to {max} characters."];
    }
}
