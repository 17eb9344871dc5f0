using TicketFlow.Domain;
using TicketFlow.Domain.Inventory;
using TicketFlow.Domain.Purchases;
using TicketFlow.Domain.Seating;
using TicketFlow.Grains.Inventory;
using TicketFlow.Grains.Purchases;
using TicketFlow.Grains.Seating;
using TicketFlow.Grains.Tests.Cluster;
using TicketFlow.Testing;

namespace TicketFlow.Grains.Tests.Seating;

/// <summary>Reserved seats on three silos and real PostgreSQL: no seat is held twice, holds are all-or-nothing, expiry survives a dead silo.</summary>
public sealed class SeatSectionClusterTests(JournaledClusterFixture fixture) : IClassFixture<JournaledClusterFixture>
{
    private static readonly TierTerms Terms = new(100, 8);

    [Fact]
    public async Task Ten_thousand_requests_for_the_same_hundred_seats_hold_each_seat_exactly_once_and_storage_agrees()
    {
        var eventId = TestDatabase.UniqueId("evt");
        var plan = Plan("A", rows: 10, seatsPerRow: 10, tierId: "t1");
        var section = Section(eventId, "A");
        await section.Configure(plan);
        var seatIds = plan.Rows.SelectMany(r => r.Seats).Select(s => s.Id).ToArray();
        var random = new Random(21);
        var asks = Enumerable.Range(0, 10_000).Select(i => seatIds.OrderBy(_ => random.Next()).Take(1 + i % 4).ToArray()).ToArray();

        // Each buyer's shopper grain (placed on any of the three silos) asks the section grain: the requests cross silos.
        var replies = await Task.WhenAll(asks.Select((seats, i) => Shopper(eventId, $"u{i}").PlaceHold(HoldOf(eventId, $"u{i}", $"h{i}",
            new HoldLine("t1", seats.Length, 5000, Terms, Choice: new SeatChoice([new SectionSeatIds("A", seats)], [], false))))));

        var granted = replies.Where(r => r.Error is null).Select(r => r.Hold!).ToList();
        Assert.All(replies.Where(r => r.Error is not null), r => Assert.Equal(ProblemCodes.SeatTaken, r.Error));
        Assert.All(replies.Where(r => r.Error is not null), r => Assert.NotEmpty(r.SeatIds!));
        var heldSeats = granted.SelectMany(h => h.Lines.Single().Seats!).Select(s => s.Id).ToList();
        Assert.Equal(heldSeats.Count, heldSeats.Distinct().Count()); // no seat in two holds
        Assert.All(granted, h => Assert.Equal(h.Lines.Single().Quantity, h.Lines.Single().Seats!.Count));
        Assert.True(heldSeats.Count > 90, $"{heldSeats.Count} seats held: nearly every seat should find a buyer");

        var stored = await StoredAsync(eventId, "A");
        var live = await section.GetStatus();
        Assert.Equal(live.Bits, SeatBits.Pack(stored.States));
        foreach (var hold in granted)
            Assert.Equal(hold.Lines.Single().Seats!.Select(s => s.Id).Order(), stored.SeatsOf(hold.HoldId).Select(s => s.Id).Order());
        Assert.Equal(heldSeats.Count, stored.CountsAt(DateTimeOffset.UtcNow).Single().Held);
    }

    [Fact]
    public async Task A_hold_of_two_seats_and_two_general_admission_places_is_all_or_nothing()
    {
        var eventId = TestDatabase.UniqueId("evt");
        await Section(eventId, "A").Configure(Plan("A", rows: 2, seatsPerRow: 4, tierId: "seated"));
        var floor = fixture.Cluster.Client.GetGrain<IEventInventoryGrain>(TierKey.For(eventId, "floor"));
        await floor.Configure(new TierTerms(3, 6));
        var seats = new[] { "A.1.2", "A.1.3" };
        HoldLine[] Mixed() => [new HoldLine("seated", 2, 9000, Terms, Choice: new SeatChoice([new SectionSeatIds("A", seats)], [], false)),
            new HoldLine("floor", 2, 4000, new TierTerms(3, 6))];

        // The floor has 3 places: a buyer takes 2, so the next mixed hold finds only 1 and must keep none of its seats.
        Assert.Null((await Shopper(eventId, "first").PlaceHold(HoldOf(eventId, "first", "h1", new HoldLine("floor", 2, 4000, new TierTerms(3, 6))))).Error);
        var refused = await Shopper(eventId, "ann").PlaceHold(HoldOf(eventId, "ann", "h2", Mixed()));
        Assert.Equal(ProblemCodes.SoldOut, refused.Error);
        var after = await Section(eventId, "A").GetStatus();
        Assert.Equal((0, 8), (after.Tiers.Single().Held, after.Tiers.Single().Available));
        Assert.Equal(1, (await floor.GetCounts()).Available);

        // With room on the floor the same mixed hold takes both seats and both places.
        Assert.True(await Shopper(eventId, "first").ReleaseHold("h1") is null);
        var held = await Shopper(eventId, "bob").PlaceHold(HoldOf(eventId, "bob", "h3", Mixed()));
        Assert.Null(held.Error);
        Assert.Equal(seats, held.Hold!.Lines[0].Seats!.Select(s => s.Id));
        Assert.Equal((2, 2), ((await Section(eventId, "A").GetStatus()).Tiers.Single().Held, (await floor.GetCounts()).Held));
    }

    [Fact]
    public async Task Best_available_moves_to_the_next_section_and_a_taken_seat_is_named()
    {
        var eventId = TestDatabase.UniqueId("evt");
        await Section(eventId, "front").Configure(Plan("front", rows: 1, seatsPerRow: 3, tierId: "t1"));
        await Section(eventId, "back").Configure(Plan("back", rows: 2, seatsPerRow: 6, tierId: "t1"));
        var best = new SeatChoice([], ["front", "back"], Together: true);

        var first = await Shopper(eventId, "ann").PlaceHold(HoldOf(eventId, "ann", "h1", new HoldLine("t1", 4, 100, Terms, Choice: best)));
        Assert.Null(first.Error);
        Assert.All(first.Hold!.Lines[0].Seats!, s => Assert.Equal(("back", "1"), (s.SectionId, s.Row)));

        var taken = first.Hold.Lines[0].Seats![0].Id;
        var clash = await Shopper(eventId, "bob").PlaceHold(HoldOf(eventId, "bob", "h2",
            new HoldLine("t1", 2, 100, Terms, Choice: new SeatChoice([new SectionSeatIds("back", [taken, "back.2.1"])], [], false))));
        Assert.Equal(ProblemCodes.SeatTaken, clash.Error);
        Assert.Equal([taken], clash.SeatIds!);
        Assert.Equal(8, (await Section(eventId, "back").GetStatus()).Tiers.Single().Available); // 12 less ann's 4: back.2.1 was not kept

        // Seven: no row anywhere has seven side by side (front 3, back rows 6 each), though 11 seats are free.
        var apart = await Shopper(eventId, "cy").PlaceHold(HoldOf(eventId, "cy", "h3", new HoldLine("t1", 7, 100, Terms, Choice: best)));
        Assert.Equal(ProblemCodes.NotTogether, apart.Error);
        var split = await Shopper(eventId, "cy").PlaceHold(HoldOf(eventId, "cy", "h4", new HoldLine("t1", 7, 100, Terms, Choice: best with { Together = false })));
        Assert.Null(split.Error);
        Assert.Equal(7, split.Hold!.Lines[0].Seats!.Select(s => s.Id).Distinct().Count());
    }

    [Fact]
    public async Task Held_seats_come_back_by_reminder_after_the_silo_hosting_the_section_is_killed()
    {
        // A cluster of its own: killing a silo of the shared fixture would disturb the other tests.
        await using var cluster = await TestSilos.StartAsync(new TestSiloOptions { Silos = 3 });
        var eventId = TestDatabase.UniqueId("evt");
        var section = cluster.Client.GetGrain<ISeatSectionGrain>(SectionKey.For(eventId, "A"));
        await section.Configure(Plan("A", rows: 1, seatsPerRow: 5, tierId: "t1"));
        var reply = await section.Hold(new SeatHoldRequest("h1", "ann", "t1", ["A.1.2", "A.1.3"], 2, false, DateTimeOffset.UtcNow.AddSeconds(3)));
        Assert.True(reply.Granted);
        var host = await cluster.HostOfAsync(section);

        await cluster.KillSiloAsync(host);

        var journal = new Data.Journal.PostgresJournalStore(await TestDatabase.DataSourceAsync(), cluster.Options.ServiceId);
        var stored = await Eventually.Get(async () => SeatJournal.Replay((await journal.ReadAsync(SeatJournal.For(SectionKey.For(eventId, "A")), CancellationToken.None)).Entries),
            seats => seats.HoldsExpired == 1, TimeSpan.FromSeconds(30), "the hold expired by reminder");
        Assert.Equal(new byte[5], stored.States.ToArray()); // exactly those seats are free again (all five free)
        Assert.NotEqual(host.SiloAddress, (await cluster.HostOfAsync(section)).SiloAddress);
    }

    private ISeatSectionGrain Section(string eventId, string sectionId) => fixture.Cluster.Client.GetGrain<ISeatSectionGrain>(SectionKey.For(eventId, sectionId));

    private IShopperGrain Shopper(string eventId, string userId) => fixture.Cluster.Client.GetGrain<IShopperGrain>(ShopperKey.For(eventId, userId));

    private async Task<SectionSeats> StoredAsync(string eventId, string sectionId) =>
        SeatJournal.Replay((await fixture.Storage.ReadAsync(SeatJournal.For(SectionKey.For(eventId, sectionId)), CancellationToken.None)).Entries);

    private static PlaceHoldRequest HoldOf(string eventId, string userId, string holdId, params HoldLine[] lines) =>
        new(holdId, eventId, userId, lines, "USD", TimeSpan.FromMinutes(10), EventLimit: 10);

    /// <summary>Seat ids are "{section}.{row}.{seat}" here only to read the tests; nothing parses them.</summary>
    public static SectionPlan Plan(string sectionId, int rows, int seatsPerRow, string tierId) => new(sectionId, "Section " + sectionId,
        Enumerable.Range(1, rows).Select(r => new PlanRow($"{r}", Enumerable.Range(1, seatsPerRow)
            .Select(s => new PlanSeat($"{sectionId}.{r}.{s}", $"{s}", tierId)).ToList())).ToList());
}
