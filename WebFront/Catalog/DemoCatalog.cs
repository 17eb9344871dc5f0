using TicketFlow.WebFront.Cluster;
using Microsoft.Extensions.Options;

namespace TicketFlow.WebFront.Catalog;

public sealed class DemoOptions
{
    /// <summary>Seed the demo events at start. Defaults to on in embedded mode and off against a cluster.</summary>
    public bool? Seed { get; set; }
}

/// <summary>
/// About fifty made-up but plausible events across European cities, with 2–4 tiers each; event 1 is a high-demand
/// on-sale. Ids are fixed (<c>evt_demo_001</c>…), so seeding is idempotent: existing ids are left alone.
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
        return events;
    }
}

/// <summary>Seeds <see cref="DemoCatalog"/> at start when enabled; runs after the catalog tables exist.</summary>
public sealed class DemoCatalogSeeder(ICatalogStore catalog, IOptions<DemoOptions> options, IConfiguration configuration, TimeProvider time,
    ILogger<DemoCatalogSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!(options.Value.Seed ?? !GrainAccess.IsClusterMode(configuration))) return;
        var added = 0;
        foreach (var demo in DemoCatalog.Build(time.GetUtcNow()))
        {
            if (await catalog.GetAsync(demo.Id, cancellationToken) is not null) continue;
            await catalog.CreateAsync(demo, cancellationToken);
            added++;
        }
        if (added > 0) logger.LogInformation("Seeded {Count} demo events (turn off with Demo:Seed=false)", added);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
