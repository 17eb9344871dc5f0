using System.Security.Claims;
using Microsoft.Extensions.Caching.Memory;
using TicketFlow.Grains.WaitingRoom;
using TicketFlow.WebFront.Admin;
using TicketFlow.WebFront.Catalog;
using TicketFlow.WebFront.Conventions;
using TicketFlow.WebFront.Purchases;

namespace TicketFlow.WebFront.WaitingRoom;

/// <param name="PollAfterMs">When to ask for the status (milliseconds): longer when this WebFront is loaded.</param>
public sealed record JoinResponse(long Ticket, int? Position, int AheadOfYou, int? EtaSeconds, string State, DateTimeOffset OpensAt, int PollAfterMs);

/// <param name="PollAfterMs">When to ask again (milliseconds): longer when this WebFront is loaded, shorter near the front.</param>
public sealed record StatusResponse(long Ticket, int? Position, int AheadOfYou, int? EtaSeconds, string State, string? AdmissionToken,
    DateTimeOffset? AdmissionExpiresAt, DateTimeOffset OpensAt, int PollAfterMs);

public sealed record RoomSettingsRequest(bool? Paused, int? WaveSize, int? WaveIntervalSeconds, int? MaxActive);

/// <summary>The waiting room of a high-demand event over HTTP. Status is the hot path: answered from a 1 s per-ticket cache.</summary>
public static class WaitingRoomEndpoints
{
    private static readonly TimeSpan StatusCacheFor = TimeSpan.FromSeconds(1);

    public static IEndpointRouteBuilder MapWaitingRoomEndpoints(this IEndpointRouteBuilder app)
    {
        var room = app.MapGroup("/api/v1/events/{eventId}/waiting-room").WithTags("Waiting room").RequireAuthorization()
            .AddEndpointFilter<GrainUnavailableFilter>();
        room.MapPost("/join", JoinAsync).RequireJoinRateLimits();
        room.MapGet("/status", StatusAsync);
        room.MapDelete("/", LeaveAsync);
        var admin = app.MapGroup("/api/v1/admin/events/{eventId}/waiting-room").WithTags("Admin").RequireAuthorization(AdminEndpoints.Policy)
            .AddEndpointFilter<GrainUnavailableFilter>();
        admin.MapGet("/", AdminViewAsync);
        admin.MapPost("/", ConfigureAsync);
        return app;
    }

    private static async Task<IResult> JoinAsync(string eventId, HttpContext http, EventLookup events, IGrainFactory grains, StatusPollRate polls,
        CancellationToken cancellationToken)
    {
        if (await HighDemandEventAsync(eventId, events, cancellationToken) is not { } details) return NoRoom();
        var status = await Room(grains, eventId).Join(UserId(http), new RoomTerms(details.OnSaleAt));
        return Results.Ok(new JoinResponse(status.Ticket, status.Position, status.AheadOfYou, status.EtaSeconds, status.State, status.OpensAt,
            PollAfter(polls, status)));
    }

    private static async Task<IResult> StatusAsync(string eventId, long? ticket, HttpContext http, IGrainFactory grains, IMemoryCache cache,
        StatusPollRate polls)
    {
        polls.Record();
        if (ticket is null or < 1 || eventId.Length > 100)
            return Problems.Validation(new Dictionary<string, string[]> { ["ticket"] = ["The ticket number joining returned."] });
        var userId = UserId(http);
        // Per user and ticket, so an admission token is never served to anyone else; polls faster than 1/s cost nothing.
        var status = await cache.GetOrCreateAsync((eventId, ticket.Value, userId), entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = StatusCacheFor;
            entry.Size = 1;
            return Room(grains, eventId).Status(ticket.Value, userId);
        });
        if (status is null) return Problems.Of(ProblemCodes.TicketNotFound, "You have no ticket with this number in this waiting room.");
        http.Response.Headers.CacheControl = "private, max-age=1";
        return Results.Ok(new StatusResponse(status.Ticket, status.Position, status.AheadOfYou, status.EtaSeconds, status.State, status.AdmissionToken,
            status.AdmissionExpiresAt, status.OpensAt, PollAfter(polls, status)));
    }

    private static async Task<IResult> LeaveAsync(string eventId, long? ticket, HttpContext http, IGrainFactory grains)
    {
        if (ticket is null or < 1 || eventId.Length > 100)
            return Problems.Validation(new Dictionary<string, string[]> { ["ticket"] = ["The ticket number joining returned."] });
        return await Room(grains, eventId).Leave(ticket.Value, UserId(http))
            ? Results.NoContent()
            : Problems.Of(ProblemCodes.TicketNotFound, "You have no waiting ticket with this number in this waiting room.");
    }

    private static async Task<IResult> AdminViewAsync(string eventId, EventLookup events, IGrainFactory grains, CancellationToken cancellationToken) =>
        await HighDemandEventAsync(eventId, events, cancellationToken) is null
            ? NoRoom()
            : Results.Ok(await Room(grains, eventId).GetView());

    private static async Task<IResult> ConfigureAsync(string eventId, RoomSettingsRequest request, EventLookup events, IGrainFactory grains,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.WaveSize is < 1 or > 100_000) errors["waveSize"] = ["From 1 to 100,000 users per wave."];
        if (request.WaveIntervalSeconds is < 1 or > 3600) errors["waveIntervalSeconds"] = ["From 1 to 3,600 seconds."];
        if (request.MaxActive is < 1 or > 1_000_000) errors["maxActive"] = ["From 1 to 1,000,000 shoppers at once."];
        if (errors.Count > 0) return Problems.Validation(errors);
        if (await HighDemandEventAsync(eventId, events, cancellationToken) is not { } details) return NoRoom();
        var change = new RoomSettingsChange(request.Paused, request.WaveSize, request.WaveIntervalSeconds, request.MaxActive);
        return Results.Ok(await Room(grains, eventId).Configure(change, new RoomTerms(details.OnSaleAt)));
    }

    private static async Task<EventDetails?> HighDemandEventAsync(string eventId, EventLookup events, CancellationToken cancellationToken) =>
        eventId.Length <= 100 && await events.GetAsync(eventId, cancellationToken) is { HighDemand: true } details ? details : null;

    private static int PollAfter(StatusPollRate polls, QueueStatus status) =>
        polls.PollAfterMs(waiting: status.State == "waiting", aheadOfYou: status.Position is null ? null : status.AheadOfYou);

    private static IResult NoRoom() =>
        Problems.Of(ProblemCodes.WaitingRoomNotFound);

    private static IWaitingRoomGrain Room(IGrainFactory grains, string eventId) => grains.GetGrain<IWaitingRoomGrain>(eventId);

    private static string UserId(HttpContext http) => http.User.FindFirstValue(ClaimTypes.NameIdentifier)!;
}
