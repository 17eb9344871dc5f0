using Npgsql;
using Orleans;
using Orleans.TestingHost;
using TicketFlow.Data;
using TicketFlow.Data.Journal;
using TicketFlow.Data.Orders;
using TicketFlow.Domain.Seating;
using TicketFlow.Grains.Journaling;
using TicketFlow.Grains.Purchases;
using TicketFlow.Grains.Seating;
using TicketFlow.Hosting.Storage;
using TicketFlow.Testing;
using TicketFlow.WebFront.Catalog;

namespace TicketFlow.LoadTool.Tests;

/// <summary>
/// The load tool's reserved-seating audit on real PostgreSQL (a database of each test's own, so the audit sees that test's rows only)
/// and a real section grain: a consistent sale passes every seat check, and each crafted inconsistency fails the check that pins it.
/// </summary>
public sealed class SeatAuditTests : IAsyncLifetime
{
    private const string Sold = "every sold seat (section journal replay) is on exactly one valid ticket of its paid order, and vice versa";
    private const string SoldOnce = "every seat sold at most once (one valid ticket per seat; each sold seat in one hold's sale)";
    private const string Replays = "section journals are dense and replay (no seat held or sold to two holds at once)";
    private const string TierCounts = "per reserved tier: sum of its sections' counts = the catalog's capacity = the API's /availability, sold = valid tickets";
    private const string Live = "section journal replay = the live seat states (GET /seatmap/status bitmaps)";

    private readonly string eventId = TestDatabase.UniqueId("evt");
    private NpgsqlDataSource database = null!;
    private InProcessTestCluster cluster = null!;
    private SqlOrderBook orders = null!;
    private string TierId => eventId + "-stalls";

    public async Task InitializeAsync()
    {
        database = NpgsqlDataSource.Create(await TestDatabase.CreateDatabaseAsync("tf_seat_audit"));
        cluster = await TestSilos.StartAsync(new TestSiloOptions { Silos = 1, Storage = ClusterStorage.PostgreSql(database) });
        var catalog = new SqlCatalogStore(SqlStoreDatabase.PostgreSql(database));
        await catalog.InitializeAsync(CancellationToken.None);
        await catalog.CreateAsync(new EventDetails(eventId, "Audit night", "Tests", new Venue("Hall", "City", "Street 1"), "", DateTimeOffset.UtcNow.AddDays(9),
            DateTimeOffset.UtcNow.AddDays(-1), EventStatus.OnSale, false, 600, [new Tier(TierId, "Stalls", 5000, "USD", 14, 6, Reserved: true)],
            "venue-1", 1, [new SectionTier("A", TierId), new SectionTier("B", TierId)]), CancellationToken.None);
        orders = new SqlOrderBook(SqlStoreDatabase.PostgreSql(database));
        await Section("A").Configure(Plan("A", rows: 2, seatsPerRow: 5));
        await Section("B").Configure(Plan("B", rows: 1, seatsPerRow: 4));

        // A consistent sale: exact seats and best available bought, one hold still active, one released.
        await BuyAsync("h1", "A", ["A.1.1", "A.1.2"]);
        await BuyAsync("h2", "B", null, quantity: 3);
        Assert.True((await Section("A").Hold(Request("h3", ["A.2.1"]))).Granted);
        Assert.True((await Section("A").Hold(Request("h4", ["A.2.2"]))).Granted);
        Assert.True(await Section("A").Release("h4"));
    }

    public async Task DisposeAsync()
    {
        await cluster.DisposeAsync();
        var name = new NpgsqlConnectionStringBuilder(database.ConnectionString).Database;
        await database.DisposeAsync();
        await using var admin = NpgsqlDataSource.Create(await TestDatabase.ConnectionStringAsync());
        await using var drop = admin.CreateCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        await drop.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task A_consistent_sale_passes_every_seat_check()
    {
        var checks = await AuditAsync();

        Assert.All(checks, check => Assert.True(check.Passed, $"{check.Name}: {check.Detail} {string.Join("; ", check.Examples)}"));
        Assert.Equal(6, checks.Count);
        Assert.Contains("5 sold seats, 5 valid/used seat tickets", checks.Single(c => c.Name == Sold).Detail);
        Assert.Contains("2 sections compared", checks.Single(c => c.Name == Live).Detail);
    }

    [Fact]
    public async Task A_ticket_for_a_seat_the_journal_says_is_free_fails_the_ticket_and_tier_checks()
    {
        await IssueAsync("h-ghost", ["A.2.5"]);

        var checks = await AuditAsync();

        var failed = Failed(checks, Sold);
        Assert.Contains(failed.Examples, e => e.Contains("A.2.5") && e.Contains("the section journal has the seat free"));
        Assert.Contains(Failed(checks, TierCounts).Examples, e => e.Contains("sold 5 seats, 6 valid/used tickets"));
        Assert.True(checks.Single(c => c.Name == SoldOnce).Passed);
    }

    [Fact]
    public async Task A_sold_seat_without_its_ticket_fails_the_ticket_check()
    {
        Assert.True((await Section("A").Hold(Request("h5", ["A.2.3"]))).Granted);
        Assert.Null((await Section("A").Confirm("h5")).Error); // sold, but no order issued

        var failed = Failed(await AuditAsync(), Sold);

        Assert.Contains(failed.Examples, e => e.Contains("A.2.3") && e.Contains("on no valid ticket"));
    }

    [Fact]
    public async Task A_seat_on_two_valid_tickets_fails_sold_at_most_once()
    {
        // The unique index is the first defence; the audit must not depend on it (a database restored without it, a bug elsewhere).
        await using (var drop = database.CreateCommand("DROP INDEX tf_tickets_reserved_seat")) await drop.ExecuteNonQueryAsync();
        await IssueAsync("h-twice", ["A.1.1"]);

        var checks = await AuditAsync();

        Assert.Contains(Failed(checks, SoldOnce).Examples, e => e.Contains("seat A.1.1: 2 valid tickets"));
        Assert.Contains(Failed(checks, Sold).Examples, e => e.Contains("A.1.1") && e.Contains("is of order"));
    }

    [Fact]
    public async Task A_journal_entry_selling_a_seat_to_a_second_hold_fails_the_replay()
    {
        // Another writer appends behind the grain's back: a hold on a seat already sold to h1, then its sale.
        await AppendBehindTheGrainAsync("A", new SeatsHeld(DateTimeOffset.UtcNow, "h-intruder", "mallory", TierId, [0], DateTimeOffset.UtcNow.AddMinutes(5)),
            new SeatsSold(DateTimeOffset.UtcNow, "h-intruder", [0]));

        var failed = Failed(await AuditAsync(), Replays);

        Assert.Contains(failed.Examples, e => e.Contains($"{eventId}/A") && e.Contains("A.1.1 is not free"));
    }

    [Fact]
    public async Task A_journal_the_live_grain_does_not_agree_with_fails_the_live_and_tier_checks()
    {
        // A valid entry the active grain never saw: the journal says held, the grain's status (the live map) says free.
        await AppendBehindTheGrainAsync("B", new SeatsHeld(DateTimeOffset.UtcNow, "h-split", "mallory", TierId, [3], DateTimeOffset.UtcNow.AddMinutes(5)));

        var checks = await AuditAsync();

        Assert.Contains(Failed(checks, Live).Examples, e => e.Contains($"{eventId}/B: 1 seats differ") && e.Contains("B.1.4 journal held, live free"));
        Assert.Contains(Failed(checks, TierCounts).Examples, e => e.Contains("the API says"));
        Assert.True(checks.Single(c => c.Name == Replays).Passed);
    }

    private async Task<IReadOnlyList<Auditor.Check>> AuditAsync() =>
        await SeatAudit.RunOnceAsync(database, cluster.Options.ServiceId, new GrainSeatMapLiveView(cluster.Client, ["A", "B"]));

    private static Auditor.Check Failed(IReadOnlyList<Auditor.Check> checks, string name)
    {
        var check = checks.Single(c => c.Name == name);
        Assert.False(check.Passed, $"{name} passed: {check.Detail}");
        return check;
    }

    private async Task BuyAsync(string holdId, string sectionId, string[]? seats, int quantity = 0)
    {
        var reply = await Section(sectionId).Hold(seats is null ? Request(holdId, null) with { Quantity = quantity } : Request(holdId, seats));
        Assert.True(reply.Granted, reply.Error);
        Assert.Null((await Section(sectionId).Confirm(holdId)).Error);
        await IssueAsync(holdId, reply.Seats.Select(s => s.Id).ToArray());
    }

    /// <summary>The order a checkout of <paramref name="holdId"/> issues (paid, one ticket per seat), through the real order book.</summary>
    private Task IssueAsync(string holdId, string[] seatIds) => orders.IssueAsync(new NewOrder(CheckoutIds.ForHold(holdId), "buyer-" + holdId, eventId,
        [new OrderLine(TierId, seatIds.Length, 5000, seatIds.Select(id => new TicketSeat(id, id[..1], "Section " + id[..1], id.Split('.')[1], id.Split('.')[2])).ToList())],
        "USD", CheckoutIds.ForHold(holdId), DateTimeOffset.UtcNow), CancellationToken.None);

    private async Task AppendBehindTheGrainAsync(string sectionId, params SectionEvent[] entries)
    {
        var journals = new PostgresJournalStore(database, cluster.Options.ServiceId);
        var id = SeatJournal.For(SectionKey.For(eventId, sectionId));
        var stored = await journals.ReadAsync(id, CancellationToken.None);
        await journals.AppendAsync(id, stored.Version, entries.Select(e => JournalFormat.Serialize<SectionEvent>(e)).ToList(), null, CancellationToken.None);
    }

    private SeatHoldRequest Request(string holdId, string[]? seats) =>
        new(holdId, "buyer-" + holdId, TierId, seats, seats?.Length ?? 0, false, DateTimeOffset.UtcNow.AddMinutes(10));

    private ISeatSectionGrain Section(string sectionId) => cluster.Client.GetGrain<ISeatSectionGrain>(SectionKey.For(eventId, sectionId));

    private SectionPlan Plan(string sectionId, int rows, int seatsPerRow) => new(sectionId, "Section " + sectionId,
        Enumerable.Range(1, rows).Select(r => new PlanRow($"{r}", Enumerable.Range(1, seatsPerRow)
            .Select(s => new PlanSeat($"{sectionId}.{r}.{s}", $"{s}", TierId)).ToList())).ToList());

    /// <summary>The live side as the API builds it, read from the section grains themselves: each section's status, the tier summed over them.</summary>
    private sealed class GrainSeatMapLiveView(IGrainFactory grains, IReadOnlyList<string> sectionIds) : ISeatMapLiveView
    {
        public async Task<LiveSeatMap?> ReadAsync(string eventId, CancellationToken cancellationToken)
        {
            var statuses = await Task.WhenAll(sectionIds.Select(s => grains.GetGrain<ISeatSectionGrain>(SectionKey.For(eventId, s)).GetStatus()));
            var tiers = statuses.SelectMany(s => s.Tiers).GroupBy(t => t.TierId).ToDictionary(g => g.Key,
                g => (g.Sum(t => t.Available), g.Sum(t => t.Held), g.Sum(t => t.Sold), g.Sum(t => t.Capacity)), StringComparer.Ordinal);
            return new LiveSeatMap(statuses.ToDictionary(s => s.SectionId, s => (s.Version, s.Bits), StringComparer.Ordinal), tiers);
        }
    }
}
