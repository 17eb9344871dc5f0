using Microsoft.AspNetCore.Mvc;
using TicketFlow.Domain.Seating;
using TicketFlow.WebFront.Admin;

namespace TicketFlow.WebFront.Venues;

/// <summary><c>/api/v1/venues</c>: venues and their layout versions. Admins create venues and add layout versions; anyone
/// reads a venue. A stored layout version never changes: events keep the version they were set up with.</summary>
public static class VenueEndpoints
{
    /// <summary>A 100,000-seat layout with every optional field is about 12 MB of JSON; Kestrel's default limit is 30 MB and
    /// the layout endpoints allow 64 MB so that long ids and labels still fit. Every other endpoint keeps the default.</summary>
    public const long MaxLayoutBytes = 64 * 1024 * 1024;

    public static IEndpointRouteBuilder MapVenueEndpoints(this IEndpointRouteBuilder app)
    {
        var venues = app.MapGroup("/api/v1/venues").WithTags("Venues");
        venues.MapPost("/", CreateAsync).RequireAuthorization(AdminEndpoints.Policy).WithMetadata(new RequestSizeLimitAttribute(MaxLayoutBytes));
        venues.MapGet("/", ListAsync).RequireAuthorization(AdminEndpoints.Policy);
        venues.MapGet("/{venueId}", GetAsync).AllowAnonymous();
        venues.MapPut("/{venueId}/layout", RelayoutAsync).RequireAuthorization(AdminEndpoints.Policy).WithMetadata(new RequestSizeLimitAttribute(MaxLayoutBytes));
        venues.MapGet("/{venueId}/layouts/{version:int}", LayoutAsync).RequireAuthorization(AdminEndpoints.Policy);
        return app;
    }

    private static async Task<IResult> CreateAsync(CreateVenueRequest request, IVenueStore store, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var layout = VenueValidation.ToLayout(request.Sections);
        var errors = VenueValidation.Create(request, layout);
        if (errors.Count > 0) return Problems.Validation(errors);
        var venue = new VenueInfo($"ven_{Guid.NewGuid():N}", request.Name!.Trim(), request.City!.Trim(), request.Address!.Trim(), 1);
        await store.CreateAsync(venue, layout, cancellationToken);
        logs.CreateLogger(typeof(VenueEndpoints)).LogInformation("Venue {VenueId} created with {Seats} seats in {Sections} sections", venue.Id, layout.SeatCount, layout.Sections.Count);
        return Results.Created($"/api/v1/venues/{venue.Id}", new { venueId = venue.Id, layoutVersion = 1 });
    }

    private static async Task<IResult> ListAsync(IVenueStore store, CancellationToken cancellationToken) =>
        Results.Ok(new { items = await store.ListAsync(cancellationToken) });

    private static async Task<IResult> GetAsync(string venueId, IVenueStore store, CancellationToken cancellationToken) =>
        venueId.Length <= 100 && await store.GetAsync(venueId, cancellationToken) is { } venue ? Results.Ok(venue) : Problems.Of(ProblemCodes.VenueNotFound);

    private static async Task<IResult> RelayoutAsync(string venueId, LayoutRequest request, IVenueStore store, CancellationToken cancellationToken)
    {
        if (venueId.Length > 100 || await store.GetAsync(venueId, cancellationToken) is null) return Problems.Of(ProblemCodes.VenueNotFound);
        var layout = VenueValidation.ToLayout(request.Sections);
        var errors = LayoutRules.Validate(layout);
        if (errors.Count > 0) return Problems.Validation(errors);
        return await store.AddLayoutVersionAsync(venueId, layout, cancellationToken) is { } version
            ? Results.Ok(new { venueId, layoutVersion = version })
            : Problems.Of(ProblemCodes.VenueNotFound);
    }

    private static async Task<IResult> LayoutAsync(string venueId, int version, IVenueStore store, CancellationToken cancellationToken)
    {
        if (venueId.Length > 100 || await store.GetAsync(venueId, cancellationToken) is null) return Problems.Of(ProblemCodes.VenueNotFound);
        return await store.GetLayoutAsync(venueId, version, cancellationToken) is { } layout
            ? Results.Ok(new { venueId, version, seats = layout.SeatCount, layout.Sections })
            : Problems.Of(ProblemCodes.LayoutNotFound, $"Venue {venueId} has no layout version {version}.");
    }
}
