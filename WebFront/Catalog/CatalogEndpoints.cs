using Microsoft.AspNetCore.OutputCaching;
using TicketFlow.WebFront.Accounts;
using TicketFlow.WebFront.Admin;
using TicketFlow.WebFront.Purchases;
using TicketFlow.WebFront.Venues;

namespace TicketFlow.WebFront.Catalog;

/// <summary><c>/api/v1/events</c>: browse for everyone (output-cached, evicted on admin changes), create for admins. Drafts
/// exist only for admins: others neither find them nor read them by id (404).</summary>
public static class CatalogEndpoints
{
    public const string CacheTag = "catalog";

    public static IEndpointRouteBuilder MapCatalogEndpoints(this IEndpointRouteBuilder app)
    {
        var events = app.MapGroup("/api/v1/events").WithTags("Catalog");
        events.MapGet("/", SearchAsync).AllowAnonymous().CacheOutput(policy => policy.Tag(CacheTag).Expire(TimeSpan.FromSeconds(10)));
        events.MapGet("/{eventId}", GetAsync).AllowAnonymous().CacheOutput(policy => policy.Tag(CacheTag).Expire(TimeSpan.FromSeconds(10)));
        events.MapPost("/", CreateAsync).RequireAuthorization(AdminEndpoints.Policy);
        events.MapPatch("/{eventId}", UpdateAsync).RequireAuthorization(AdminEndpoints.Policy);
        events.MapPost("/{eventId}/publish", PublishAsync).RequireAuthorization(AdminEndpoints.Policy);
        events.MapPost("/{eventId}/cancel", CancelAsync).RequireAuthorization(AdminEndpoints.Policy);
        return app;
    }

    private static async Task<IResult> SearchAsync(HttpContext http, ICatalogStore catalog, CancellationToken cancellationToken,
        string? q = null, string? city = null, string? venue = null, string? artist = null, string? from = null, string? to = null,
        string? status = null, int? limit = null, string? cursor = null)
    {
        var errors = new Dictionary<string, string[]>();
        foreach (var (name, value) in new[] { ("q", q), ("city", city), ("venue", venue), ("artist", artist) })
            if (value?.Length > 200) errors[name] = ["At most 200 characters."];
        var fromTime = ParseTime(from, "from", errors);
        var toTime = ParseTime(to, "to", errors);
        if (status is not null && !EventStatus.All.Contains(status)) errors["status"] = [$"One of {string.Join(", ", EventStatus.All)}."];
        if (limit is < 1 or > 100) errors["limit"] = ["From 1 to 100."];
        var after = EventCursor.TryDecode(cursor);
        if (cursor is not null && after is null) errors["cursor"] = ["Not a cursor this API returned."];
        if (errors.Count > 0) return Problems.Validation(errors);
        var page = await catalog.SearchAsync(new EventQuery(q, city, venue, artist, fromTime, toTime, status, limit ?? 20, after,
            AnyStatus: SeesDrafts(http) ? null : EventStatus.Published), cancellationToken);
        return Results.Ok(new { items = page.Items, nextCursor = page.NextCursor });
    }

    private static async Task<IResult> GetAsync(string eventId, HttpContext http, ICatalogStore catalog, CancellationToken cancellationToken) =>
        eventId.Length <= 100 && await catalog.GetAsync(eventId, cancellationToken) is { } details
                              && (details.Status != EventStatus.Draft || SeesDrafts(http))
            ? Results.Ok(details)
            : NotFound();

    // The output cache's lookups run before authentication, so an answer with drafts must never be stored: its default
    // policy stores none for a signed-in user (CatalogEndpointTests pins that an admin's answer reaches no one else).
    private static bool SeesDrafts(HttpContext http) => http.User.IsInRole(Roles.Admin);

    private static async Task<IResult> CreateAsync(CreateEventRequest request, ICatalogStore catalog, IVenueStore venues, IOutputCacheStore cache,
        EventInventories inventories, CancellationToken cancellationToken)
    {
        var errors = EventValidation.Create(request);
        if (errors.Count > 0) return Problems.Validation(errors);
        var id = $"evt_{Guid.NewGuid():N}";
        // Without venue fields, an event at a known venue takes the venue's (an unknown venueId is reported by the seating check below).
        var venue = request.Venue is { } given
            ? new Venue(given.Name!.Trim(), given.City!.Trim(), given.Address!.Trim())
            : await venues.GetAsync(request.VenueId!, cancellationToken) is { } known ? new Venue(known.Name, known.City, known.Address) : new Venue("", "", "");
        var details = new EventDetails(id, request.Name!.Trim(), request.Artist!.Trim(), venue, request.Description?.Trim() ?? "",
            request.StartsAt!.Value.ToUniversalTime(), request.OnSaleAt!.Value.ToUniversalTime(), EventStatus.Draft, request.HighDemand ?? false,
            request.HoldSeconds ?? EventValidation.DefaultHoldSeconds,
            request.Tiers!.Select((t, i) => new Tier($"{id}-{EventValidation.TierKey(t, i)}", t.Name!.Trim(), t.PriceMinor!.Value, t.Currency!,
                t.Reserved == true ? 0 : t.Capacity!.Value, t.PerUserLimit!.Value, t.Reserved == true)).ToList());
        details = await EventSeating.ApplyAsync(details, request.VenueId, request.LayoutVersion, request.Seating, venues, errors, cancellationToken);
        if (errors.Count > 0) return Problems.Validation(errors);
        await catalog.CreateAsync(details, cancellationToken);
        await inventories.ProvisionAsync(details); // the tiers' seats exist before anyone can see the event on sale
        await cache.EvictByTagAsync(CacheTag, cancellationToken);
        return Results.Created($"/api/v1/events/{id}", details);
    }

    private static async Task<IResult> UpdateAsync(string eventId, UpdateEventRequest patch, ICatalogStore catalog, IVenueStore venues, IOutputCacheStore cache,
        EventInventories inventories, CancellationToken cancellationToken)
    {
        if (await catalog.GetAsync(eventId, cancellationToken) is not { } current) return NotFound();
        if (current.Status is EventStatus.Cancelled or EventStatus.Completed)
            return Problems.Of(ProblemCodes.EventClosed, $"A {current.Status} event cannot be changed.");
        // Once on sale, seats may be held and sold by their place on the map: the map stays as it was published.
        if (patch.ChangesSeatMap && current.Status != EventStatus.Draft)
            return Problems.Of(ProblemCodes.InvalidStatus, "The seat map (venueId, layoutVersion, seating, a tier's reserved) may change only while the event is a draft.");
        var errors = new Dictionary<string, string[]>();
        var shrunk = new List<string>();
        var updated = EventValidation.Apply(current, patch, errors, shrunk);
        if (errors.Count == 0 && patch.ChangesSeatMap)
            updated = await EventSeating.ApplyAsync(updated, patch.VenueId, patch.LayoutVersion, patch.Seating, venues, errors, cancellationToken);
        if (errors.Count > 0) return Problems.Validation(errors);
        if (shrunk.Count > 0) return Problems.Of(ProblemCodes.CapacityCannotShrink, $"Capacity may only grow (tiers {string.Join(", ", shrunk)}).");
        if (!await catalog.UpdateAsync(updated, current.Status, cancellationToken)) return ConcurrentChange();
        await inventories.ProvisionAsync(updated); // grown capacity goes on sale and a changed per-user limit applies now
        await cache.EvictByTagAsync(CacheTag, cancellationToken);
        return Results.Ok(updated);
    }

    /// <summary>Cancels the event, closes its tiers and refunds every paid order. Repeating it finishes refunds a crash interrupted.</summary>
    private static async Task<IResult> CancelAsync(string eventId, ICatalogStore catalog, IOutputCacheStore cache, EventInventories inventories,
        CancellationToken cancellationToken)
    {
        if (await catalog.GetAsync(eventId, cancellationToken) is not { } current) return NotFound();
        if (current.Status == EventStatus.Completed) return Problems.Of(ProblemCodes.InvalidStatus, "A completed event cannot be cancelled.");
        var cancelled = current with { Status = EventStatus.Cancelled };
        if (current.Status != EventStatus.Cancelled)
        {
            if (!await catalog.UpdateAsync(cancelled, current.Status, cancellationToken)) return ConcurrentChange();
            await cache.EvictByTagAsync(CacheTag, cancellationToken);
        }
        await inventories.CancelAsync(cancelled, cancellationToken);
        return Results.Ok(cancelled);
    }

    /// <summary>Draft → on sale. The tiers and the seat map's sections are provisioned first (repeating it changes nothing), so
    /// whatever a buyer can see on sale exists in the grains.</summary>
    private static async Task<IResult> PublishAsync(string eventId, ICatalogStore catalog, IOutputCacheStore cache, EventLookup lookup,
        EventInventories inventories, CancellationToken cancellationToken)
    {
        if (await catalog.GetAsync(eventId, cancellationToken) is not { } current) return NotFound();
        if (current.Status != EventStatus.Draft) return Problems.Of(ProblemCodes.InvalidStatus, $"A {current.Status} event cannot become {EventStatus.OnSale}.");
        var updated = current with { Status = EventStatus.OnSale };
        await inventories.ProvisionAsync(updated);
        if (!await catalog.UpdateAsync(updated, current.Status, cancellationToken)) return ConcurrentChange();
        lookup.Forget(eventId);
        await cache.EvictByTagAsync(CacheTag, cancellationToken);
        return Results.Ok(updated);
    }

    private static IResult ConcurrentChange() =>
        Problems.Of(ProblemCodes.ConcurrentChange);

    private static IResult NotFound() => Problems.Of(ProblemCodes.EventNotFound);

    private static DateTimeOffset? ParseTime(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (value is null) return null;
        if (DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var time)) return time;
        errors[field] = ["An ISO-8601 time, e.g. 2027-06-01T19:00:00Z."];
        return null;
    }
}
