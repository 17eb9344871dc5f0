using TicketFlow.Grains.Inventory;
using TicketFlow.WebFront.Purchases;

namespace TicketFlow.WebFront.Availability;

public sealed record TierAvailability(string TierId, int Available, int Held, int Sold, int Capacity);

public sealed record EventAvailability(string EventId, IReadOnlyList<TierAvailability> Tiers, DateTimeOffset AsOf);

public static class AvailabilityEndpoints
{
    public static IEndpointRouteBuilder MapAvailabilityEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/events/{eventId}/availability", GetAsync).AllowAnonymous().WithTags("Catalog").AddEndpointFilter<GrainUnavailableFilter>();
        // Admission is checked before a transport starts; the limit is logged here, at start. A browser only sends Subscribe
        // and Unsubscribe (about 100 bytes): what a client may make the server buffer stays 4 KB, not the default 64 KB.
        app.MapHub<AvailabilityHub>("/hubs/availability", options => options.ApplicationMaxBufferSize = AvailabilityHub.MaxClientMessageBytes)
            .RequireHubAdmission(app.ServiceProvider.GetRequiredService<HubAdmission>())
            .AllowAnonymous();
        return app;
    }

    private static async Task<IResult> GetAsync(string eventId, EventLookup events, AvailabilityCache availability, IGrainFactory grains,
        CancellationToken cancellationToken)
    {
        if (eventId.Length > 100 || await events.GetAsync(eventId, cancellationToken) is not { } details)
            return Problems.Of(ProblemCodes.EventNotFound);
        return Results.Ok(await ReadAsync(details, availability, grains));
    }

    public static async Task<EventAvailability> ReadAsync(Catalog.EventDetails details, AvailabilityCache availability, IGrainFactory grains)
    {
        var counts = (await availability.GetAsync(details.Id, details.Tiers.Select(t => t.Id))).ToList();
        for (var i = 0; i < counts.Count; i++)
        {
            var tier = details.Tiers[i];
            // An inventory behind its catalog tier (created before inventories existed, or grown while a push was in flight) catches up.
            // A reserved tier has no inventory grain (its seats are its sections'): nothing to catch up.
            if (!tier.Reserved && counts[i].Capacity < tier.Capacity)
                counts[i] = await grains.GetGrain<IEventInventoryGrain>(TierKey.For(details.Id, tier.Id)).CatchUp(new TierTerms(tier.Capacity, tier.PerUserLimit));
        }
        return new EventAvailability(details.Id, counts.Select(c => new TierAvailability(c.TierId, c.Available, c.Held, c.Sold, c.Capacity)).ToList(),
            counts.Count == 0 ? DateTimeOffset.UtcNow : counts.Min(c => c.AsOf));
    }
}
