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

    private static async Task<IResult> GetAsync(string eventId, EventLookup events, EventAvailabilityReader reader, CancellationToken cancellationToken)
    {
        if (eventId.Length > 100 || await events.GetAsync(eventId, cancellationToken) is not { } details)
            return Problems.Of(ProblemCodes.EventNotFound);
        return Results.Ok(await reader.ReadAsync(details, cancellationToken));
    }
}
