using System.Diagnostics;
using TicketFlow.Domain.Seating;
using TicketFlow.WebFront.Cluster;
using TicketFlow.WebFront.Purchases;
using TicketFlow.WebFront.Venues;
using Microsoft.Extensions.Options;

namespace TicketFlow.WebFront.Catalog;

public sealed class DemoOptions
{
    /// <summary>Seed the demo events at start. Defaults to on in embedded mode and off against a cluster.</summary>
    public bool? Seed { get; set; }
}

/// <summary>
/// About fifty made-up but plausible events across European cities, with 2–4 tiers each; event 1 is a high-demand
/// on-sale. Three more (<c>evt_demo_051</c>–<c>053</c>) sell reserved seats at the <see cref="DemoVenues"/> (theatre, arena
/// with a standing floor, stadium). Ids are fixed (<c>evt_demo_001</c>…), so seeding is idempotent: existing ids are left alone.
/// </summary>
public static class DemoCatalog
{
    private static readonly (string City, string[] Venues)[] Places =
    [
        ("Berlin", ["Tempodrom", "Columbia Theater"]), ("Amsterdam", ["Paradiso", "Melkweg"]), ("London", ["Brixton Hall", "Camden Roundhouse"]),
        ("Paris", ["Le Trianon", "La Cigale"]), ("Madrid", ["Sala Riviera"]), ("Lisbon", ["Coliseu dos Recreios"]), ("Vienna", ["Arena Wien"]),
        ("Copenhagen", ["Vega"]), ("Stockholm", ["Södra Teatern"]), ("Prague", ["Lucerna Music Bar"]), ("Dublin", ["Olympia Theatre"]), ("Milan", ["Alcatraz"]),
    ];

    private static readonly string[] Artists =
    [
        "The Midnight Orchards", "Nova Lark", "Static Harbor", "Ines & the Tides", "Copper Foxes", "Lumen Choir", "Velvet Arcade",
        "Kai Moreno Trio", "Northbound Strings", "Saffron Skies", "Paper Comets", "The Glass Ferns", "Dune Republic", "Mira Solen",
    ];

    private static readonly string[] Tours = ["Afterglow", "Open Water", "Low Light", "Northern Lines", "Echo Park", "Slow Burn", "Gold Hour"];

    private static readonly (string Name, long Price)[] TierKinds = [("General Admission", 4900), ("Seated", 7900), ("VIP", 18900), ("Front Row", 24900)];

    public static IReadOnlyList<EventDetails> Build(DateTimeOffset now)
    {
        var random = new Random(2027);
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var events = new List<EventDetails>();
        for (var i = 1; i <= 50; i++)
        {
            var (city, venues) = Places[(i - 1) % Places.Length];
            var artist = Artists[random.Next(Artists.Length)];
            var id = $"evt_demo_{i:000}";
            var status = i switch { 1 => EventStatus.OnSale, _ when i % 9 == 0 => EventStatus.Draft, _ when i % 17 == 0 => EventStatus.Completed, _ => EventStatus.OnSale };
            var startsAt = status == EventStatus.Completed ? today.AddDays(-10).AddHours(20) : today.AddDays(3 + i * 3).AddHours(19 + random.Next(2));
            var onSaleAt = status == EventStatus.Draft ? today.AddDays(5) : startsAt.AddDays(-60) < now ? startsAt.AddDays(-60) : today.AddDays(-1);
            var tiers = TierKinds.Take(2 + random.Next(3)).Select((kind, t) => new Tier($"{id}-t{t + 1}", kind.Name,
                kind.Price + random.Next(0, 5) * 500, "EUR", kind.Name == "General Admission" ? 500 + random.Next(40) * 100 : 50 + random.Next(20) * 25,
                kind.Name == "VIP" || kind.Name == "Front Row" ? 2 : 6)).ToList();
            events.Add(new EventDetails(id, $"{artist}: {Tours[random.Next(Tours.Length)]} Tour", artist,
                new Venue(venues[random.Next(venues.Length)], city, $"{1 + random.Next(120)} {city} Street"),
                $"{artist} live in {city}.", startsAt, onSaleAt, status, HighDemand: i == 1 || i % 10 == 0, HoldSeconds: 600, tiers));
        }
        events.AddRange(SeatMapEvents(today));
        return events;
    }

    /// <summary>The ids of the demo events with a seat map.</summary>
    public static readonly string[] SeatMapEventIds = ["evt_demo_051", "evt_demo_052", "evt_demo_053"];

    private static IEnumerable<EventDetails> SeatMapEvents(DateTimeOffset today)
    {
        EventDetails At(string id, string venueId, string name, string artist, int inDays, string currency, (string Key, string Name, long Price, int Limit, int? Standing)[] tiers,
            IEnumerable<(string Section, string Tier, string? From, string? To)> seating)
        {
            var venue = DemoVenues.Get(venueId);
            var details = new EventDetails(id, name, artist, new Venue(venue.Info.Name, venue.Info.City, venue.Info.Address), $"{artist} live at {venue.Info.Name}: pick your seats.",
                today.AddDays(inDays).AddHours(19), today.AddDays(-1), EventStatus.OnSale, HighDemand: false, HoldSeconds: 600,
                tiers.Select(t => new Tier($"{id}-{t.Key}", t.Name, t.Price, currency, t.Standing ?? 0, t.Limit, Reserved: t.Standing is null)).ToList(),
                venueId, venue.Info.LayoutVersion, seating.Select(s => new SectionTier(s.Section, $"{id}-{s.Tier}", s.From, s.To)).ToList());
            return EventSeating.WithCapacities(details, venue.Layout);
        }
        var arena = DemoVenues.Get(DemoVenues.ArenaId).Layout.Sections.Select(s => s.Id).ToList();
        var stadium = DemoVenues.Get(DemoVenues.StadiumId).Layout.Sections.Select(s => s.Id).ToList();
        // The stadium's lower sections along the pitch's long sides (L7–L12, L25–L30) are its central tier.
        bool Central(string section) => section[0] == 'L' && int.Parse(section[1..], System.Globalization.CultureInfo.InvariantCulture) is >= 7 and <= 12 or >= 25 and <= 30;
        return
        [
            At("evt_demo_051", DemoVenues.TheatreId, "Lumen Choir: Winter Vespers", "Lumen Choir", 21, "GBP",
                [("premium", "Premium Stalls", 6500, 6, null), ("standard", "Stalls & Circle", 4200, 6, null), ("balcony", "Balcony", 2400, 8, null)],
                [("stalls", "premium", "A", "J"), ("stalls", "standard", "K", "T"), ("circle", "standard", null, null), ("balcony", "balcony", null, null)]),
            // The two sections behind the stage (L106, L107 and U206, U207 above them) are not sold.
            At("evt_demo_052", DemoVenues.ArenaId, "Velvet Arcade: Neon Nights Arena Tour", "Velvet Arcade", 35, "EUR",
                [("floor", "Standing Floor", 5900, 6, 4000), ("lower", "Lower Tier", 7900, 6, null), ("upper", "Upper Tier", 4900, 8, null)],
                arena.Where(s => s is not ("L106" or "L107" or "U206" or "U207")).Select(s => (s, s[0] == 'L' ? "lower" : "upper", (string?)null, (string?)null))),
            At("evt_demo_053", DemoVenues.StadiumId, "Dune Republic: Open Water Stadium Show", "Dune Republic", 60, "EUR",
                [("central", "Lower Central", 9500, 6, null), ("ends", "Lower Ends", 6900, 6, null), ("upper", "Upper Tier", 4500, 8, null)],
                stadium.Select(s => (s, Central(s) ? "central" : s[0] == 'L' ? "ends" : "upper", (string?)null, (string?)null))),
        ];
    }
}

/// <summary>Seeds <see cref="DemoVenues"/> and <see cref="DemoCatalog"/> at start when enabled; runs after the venue and catalog tables
/// exist. Once the app has started, the seat-map events' sections are provisioned in the background (the grains may not answer
/// before), retried until they are, and again on every start (provisioning twice changes nothing).</summary>
public sealed class DemoCatalogSeeder(ICatalogStore catalog, IVenueStore venues, IOptions<DemoOptions> options, IConfiguration configuration, TimeProvider time,
    IServiceProvider services, IHostApplicationLifetime lifetime, ILogger<DemoCatalogSeeder> logger) : IHostedService
{
    private Task provisioning = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!(options.Value.Seed ?? !GrainAccess.IsClusterMode(configuration))) return;
        var clock = Stopwatch.StartNew();
        var addedVenues = 0;
        foreach (var venue in DemoVenues.All)
        {
            if (await venues.GetAsync(venue.Info.Id, cancellationToken) is not null) continue;
            await venues.CreateAsync(venue.Info, venue.Layout, cancellationToken);
            addedVenues++;
        }
        var added = 0;
        foreach (var demo in DemoCatalog.Build(time.GetUtcNow()))
        {
            if (await catalog.GetAsync(demo.Id, cancellationToken) is not null) continue;
            await catalog.CreateAsync(demo, cancellationToken);
            added++;
        }
        if (added + addedVenues > 0)
            logger.LogInformation("Seeded {Venues} demo venues and {Count} demo events in {Milliseconds} ms (turn off with Demo:Seed=false)", addedVenues, added,
                clock.ElapsedMilliseconds);
        lifetime.ApplicationStarted.Register(() => provisioning = ProvisionSeatMapsAsync(lifetime.ApplicationStopping));
    }

    private async Task ProvisionSeatMapsAsync(CancellationToken stopping)
    {
        var inventories = services.GetRequiredService<EventInventories>();
        foreach (var eventId in DemoCatalog.SeatMapEventIds)
        {
            for (var attempt = 1; !stopping.IsCancellationRequested; attempt++)
            {
                try
                {
                    var clock = Stopwatch.StartNew();
                    if (await catalog.GetAsync(eventId, stopping) is not { Status: EventStatus.OnSale } details) break;
                    await inventories.ProvisionAsync(details);
                    logger.LogInformation("Demo event {EventId}: seat map sections provisioned in {Milliseconds} ms", eventId, clock.ElapsedMilliseconds);
                    break;
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception error)
                {
                    logger.LogWarning(error, "Demo event {EventId}: provisioning its sections failed (attempt {Attempt}); retrying", eventId, attempt);
                    try { await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 10)), time, stopping); }
                    catch (OperationCanceledException) { return; }
                }
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => provisioning.WaitAsync(cancellationToken);
}
