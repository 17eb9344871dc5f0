using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text.Json;
using TicketFlow.WebFront.Accounts;
using TicketFlow.WebFront.Catalog;
using TicketFlow.WebFront.Purchases;

namespace TicketFlow.WebFront.Seating;

/// <summary>
/// <c>/events/{id}/seatmap</c>: a small pointer to the layout version, the layout itself at a versioned URL (immutable,
/// cached for a year), and the live status as 2 bits per seat per section, read from <see cref="SeatStatusCache"/>.
/// </summary>
public static class SeatMapEndpoints
{
    private const string Immutable = "public, max-age=31536000, immutable";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
        { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault };

    // One encoded layout per seat map (maps are built once per event and version); one status per map, re-encoded when a version moved.
    private static readonly ConditionalWeakTable<EventSeatMap, EncodedPayload> Layouts = [];
    private static readonly ConditionalWeakTable<EventSeatMap, StatusPayload> Statuses = [];

    public static IEndpointRouteBuilder MapSeatMapEndpoints(this IEndpointRouteBuilder app)
    {
        var seatmap = app.MapGroup("/api/v1/events/{eventId}/seatmap").WithTags("Reserved seating").AllowAnonymous()
            .AddEndpointFilter<GrainUnavailableFilter>();
        seatmap.MapGet("/", GetPointerAsync);
        seatmap.MapGet("/status", GetStatusAsync);
        seatmap.MapGet("/{layoutVersion:int}", GetLayoutAsync);
        return app;
    }

    private static async Task<IResult> GetPointerAsync(string eventId, HttpContext http, EventLookup events, SeatMaps maps, CancellationToken cancellationToken)
    {
        if (await FindAsync(eventId, http, events, maps, cancellationToken) is not { } found) return Problems.Of(ProblemCodes.LayoutNotFound);
        http.Response.Headers.CacheControl = "public, max-age=5";
        return Results.Ok(new SeatMapPointer(eventId, found.Map.LayoutVersion, LayoutUrl(eventId, found.Map.LayoutVersion), $"/api/v1/events/{eventId}/seatmap/status"));
    }

    private static async Task<IResult> GetLayoutAsync(string eventId, int layoutVersion, HttpContext http, EventLookup events, SeatMaps maps,
        CancellationToken cancellationToken)
    {
        if (await FindAsync(eventId, http, events, maps, cancellationToken) is not { } found || found.Map.LayoutVersion != layoutVersion)
            return Problems.Of(ProblemCodes.LayoutNotFound);
        var payload = Layouts.GetValue(found.Map, map => EncodedPayload.Of(JsonSerializer.SerializeToUtf8Bytes(SeatMapLayout.From(found.Details, map), Json),
            CompressionLevel.Optimal));
        // A draft's seating may still change: only a published event's layout is immutable.
        await payload.WriteAsync(http, found.Details.Status == EventStatus.Draft ? "no-store" : Immutable);
        return Results.Empty;
    }

    private static async Task<IResult> GetStatusAsync(string eventId, HttpContext http, EventLookup events, SeatMaps maps, SeatStatusCache seats,
        CancellationToken cancellationToken)
    {
        if (await FindAsync(eventId, http, events, maps, cancellationToken) is not { } found) return Problems.Of(ProblemCodes.LayoutNotFound);
        var sections = found.Details.Status == EventStatus.Draft ? await seats.GetAsync(found.Map) : await seats.GetConfiguredAsync(found.Map);
        var fingerprint = sections.Sum(s => s.Version);
        var cached = Statuses.GetValue(found.Map, _ => new StatusPayload());
        var payload = cached.For(fingerprint, () => EncodedPayload.Of(JsonSerializer.SerializeToUtf8Bytes(new SeatMapStatus(eventId, found.Map.LayoutVersion,
            sections.Select(s => new SectionBits(s.SectionId, s.Version, Convert.ToBase64String(s.Bits))).ToList(),
            sections.Count == 0 ? DateTimeOffset.UtcNow : sections.Max(s => s.AsOf)), Json), CompressionLevel.Fastest));
        await payload.WriteAsync(http, "no-cache");
        return Results.Empty;
    }

    public static string LayoutUrl(string eventId, int layoutVersion) => $"/api/v1/events/{eventId}/seatmap/{layoutVersion}";

    /// <summary>The event and its seat map; null for an unknown event, one without a seat map, or a draft the caller may not see.</summary>
    private static async Task<(EventDetails Details, EventSeatMap Map)?> FindAsync(string eventId, HttpContext http, EventLookup events, SeatMaps maps,
        CancellationToken cancellationToken)
    {
        if (eventId.Length > 100 || await events.GetAsync(eventId, cancellationToken) is not { } details) return null;
        if (details.Status == EventStatus.Draft && !http.User.IsInRole(Roles.Admin)) return null;
        return await maps.GetAsync(details, cancellationToken) is { } map ? (details, map) : null;
    }

    /// <summary>The last encoded status of one map and the sum of section versions it was built from (versions only grow).</summary>
    private sealed class StatusPayload
    {
        private (long Fingerprint, EncodedPayload? Payload) current;

        public EncodedPayload For(long fingerprint, Func<EncodedPayload> build)
        {
            var seen = current;
            if (seen.Payload is not null && seen.Fingerprint >= fingerprint) return seen.Payload;
            var built = build();
            current = (fingerprint, built);
            return built;
        }
    }
}

public sealed record SeatMapPointer(string EventId, int LayoutVersion, string Url, string StatusUrl);

/// <param name="Bits">2 bits per seat in layout order (row by row), four seats a byte, the first in the lowest bits: 0 free,
/// 1 held, 2 sold, 3 not for sale. Base64.</param>
public sealed record SectionBits(string SectionId, long Version, string Bits);

public sealed record SeatMapStatus(string EventId, int LayoutVersion, IReadOnlyList<SectionBits> Sections, DateTimeOffset AsOf);
