using System.Data.Common;
using TicketFlow.Data;
using TicketFlow.Data.Orders;

namespace TicketFlow.Data.Tests.Orders;

/// <summary>One contract for the order book on both engines: PostgreSQL (cluster mode) and SQLite (embedded mode).</summary>
public abstract class OrderBookTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);

    protected SqlStoreDatabase Database { get; private set; } = null!;

    private IOrderBook Orders { get; set; } = null!;

    protected abstract Task<SqlStoreDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        Database = await CreateDatabaseAsync();
        Orders = new SqlOrderBook(Database);
        await Orders.InitializeAsync(CancellationToken.None);
        await Orders.InitializeAsync(CancellationToken.None); // migrations run once, however often a host starts
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    private static readonly OrderLine[] NoLines = [];

    // Records compare lists by reference: compare the lines separately.
    private static Order Header(Order order) => order with { Lines = NoLines };

    private static string Id(string prefix) => $"{prefix}_{Guid.NewGuid():N}";

    private static NewOrder NewOrder(string userId, string eventId, DateTimeOffset createdAt, params OrderLine[] lines)
    {
        var id = Id("ord");
        return new NewOrder(id, userId, eventId, lines, "USD", id, createdAt);
    }

    private Task<Order> IssueAsync(NewOrder order) => Orders.IssueAsync(order, CancellationToken.None);

    /// <summary>A buyer's refund (or with <paramref name="force"/> a cancellation's) under a fresh refund id unless one is given.</summary>
    private Task<VoidResult> RefundAsync(Order order, bool force = false, string? refundId = null, params string[] ticketIds) =>
        Orders.VoidAsync(new TicketRefund(order.Id, refundId ?? Id("ref"), order.UserId, ticketIds.Length == 0 ? null : ticketIds, force,
            force ? "event_cancelled" : "refund_requested"), CancellationToken.None);

    [Fact]
    public async Task Issuing_writes_the_order_and_one_valid_ticket_per_seat()
    {
        var user = Id("usr");
        var order = NewOrder(user, Id("evt"), T0, new OrderLine("floor", 3, 12_500), new OrderLine("balcony", 1, 8_000));

        var issued = await IssueAsync(order);

        Assert.Equal(new Order(order.Id, user, order.EventId, OrderStates.Paid, NoLines, 45_500, "USD", order.Id, T0, RefundedMinor: 0), Header(issued));
        Assert.Equal(order.Lines, issued.Lines);
        var stored = await Orders.GetAsync(order.Id, CancellationToken.None);
        Assert.Equal(order.Lines, stored!.Lines);
        Assert.Equal(Header(issued), Header(stored));

        var tickets = await Orders.TicketsForOrderAsync(order.Id, CancellationToken.None);
        Assert.Equal(["balcony/1", "floor/1", "floor/2", "floor/3"], tickets.Select(t => $"{t.TierId}/{t.Seat}").Order());
        Assert.All(tickets, t =>
        {
            Assert.StartsWith("tkt_", t.Id);
            Assert.Equal(20, t.Id.Length);
            Assert.Equal((order.Id, order.EventId, user, TicketStates.Valid, 1), (t.OrderId, t.EventId, t.OwnerId, t.State, t.Version));
        });
        Assert.Equal(4, tickets.Select(t => t.Id).Distinct().Count());
        Assert.Equal(tickets.Select(t => t.Id).Order(), (await Orders.TicketsForUserAsync(user, CancellationToken.None)).Select(t => t.Id).Order());
        Assert.Equal(tickets[0], await Orders.GetTicketAsync(tickets[0].Id, CancellationToken.None));
    }

    /// <summary>Reserved seats of one row, one per number, with labels as a venue might spell them.</summary>
    private static TicketSeat[] Seats(string sectionId, string row, params string[] numbers) =>
        numbers.Select(n => new TicketSeat($"{sectionId}:{row}:{n}", sectionId, $"Parterre {sectionId} — côté cour", row, n)).ToArray();

    private static OrderLine Reserved(string tierId, long priceMinor, params TicketSeat[] seats) => new(tierId, seats.Length, priceMinor, seats);

    [Fact]
    public async Task Issuing_a_reserved_order_stores_each_seat_on_its_ticket_and_reads_the_lines_back_with_their_seats()
    {
        var user = Id("usr");
        var seats = Seats("p1", "Rang Ä", "7", "8", "9");
        var order = NewOrder(user, Id("evt"), T0, Reserved("stalls", 9_000, seats), new OrderLine("floor", 1, 5_000));

        var issued = await IssueAsync(order);

        var tickets = await Orders.TicketsForOrderAsync(order.Id, CancellationToken.None); // floor/1, stalls/1..3
        Assert.Null(tickets[0].ReservedSeat);
        Assert.Equal(seats, tickets.Skip(1).Select(t => t.ReservedSeat));
        Assert.Equal([1, 2, 3], tickets.Skip(1).Select(t => t.Seat));
        Assert.Equal(tickets, await Orders.TicketsForUserAsync(user, CancellationToken.None));
        Assert.Equal(tickets[2], await Orders.GetTicketAsync(tickets[2].Id, CancellationToken.None));
        foreach (var read in new[] { issued, (await Orders.GetAsync(order.Id, CancellationToken.None))!, Assert.Single((await Orders.ListForUserAsync(user, 20, null, CancellationToken.None)).Items) })
        {
            Assert.Equal([("stalls", 3, 9_000L), ("floor", 1, 5_000L)], read.Lines.Select(l => (l.TierId, l.Quantity, l.PriceMinor)));
            Assert.Equal(seats, read.Lines[0].Seats!);
            Assert.Null(read.Lines[1].Seats);
        }
    }

    [Fact]
    public async Task A_reserved_line_has_one_ticket_per_seat_and_each_seat_once()
    {
        var seats = Seats("p1", "A", "1", "2");

        await Assert.ThrowsAsync<ArgumentException>(() => IssueAsync(NewOrder(Id("usr"), Id("evt"), T0, new OrderLine("stalls", 3, 9_000, seats))));
        await Assert.ThrowsAsync<ArgumentException>(() => IssueAsync(NewOrder(Id("usr"), Id("evt"), T0, new OrderLine("stalls", 1, 9_000, seats))));
        await Assert.ThrowsAsync<ArgumentException>(() => IssueAsync(NewOrder(Id("usr"), Id("evt"), T0, Reserved("stalls", 9_000, seats[0], seats[0]))));
        await Assert.ThrowsAsync<ArgumentException>(() => IssueAsync(NewOrder(Id("usr"), Id("evt"), T0, Reserved("stalls", 9_000, seats[0]), Reserved("circle", 4_000, seats[0]))));
    }

    [Fact]
    public async Task A_partial_refund_of_seated_tickets_answers_exactly_their_seats_and_money_and_so_does_its_repeat()
    {
        var seats = Seats("p1", "B", "10", "11", "12", "13");
        var order = await IssueAsync(NewOrder(Id("usr"), Id("evt"), T0, Reserved("stalls", 9_000, seats), new OrderLine("floor", 2, 5_000)));
        var tickets = await Orders.TicketsForOrderAsync(order.Id, CancellationToken.None); // floor/1..2, stalls/1..4
        var refundId = Id("ref");

        var first = await RefundAsync(order, refundId: refundId, ticketIds: [tickets[5].Id, tickets[3].Id, tickets[0].Id]);
        var again = await RefundAsync(order, refundId: refundId, ticketIds: [tickets[5].Id, tickets[3].Id, tickets[0].Id]);

        foreach (var voided in new[] { first, again })
        {
            Assert.Equal(VoidOutcome.Voided, voided.Outcome);
            Assert.Equal([("floor", 1, 5_000L), ("stalls", 2, 9_000L)], voided.Lines.Select(l => (l.TierId, l.Quantity, l.PriceMinor)));
            Assert.Null(voided.Lines[0].SeatIds);
            Assert.Equal([seats[1].Id, seats[3].Id], voided.Lines[1].SeatIds!);
        }
        var stored = (await Orders.GetAsync(order.Id, CancellationToken.None))!;
        Assert.Equal((OrderStates.Paid, 23_000L), (stored.State, stored.RefundedMinor));
        Assert.Equal(seats, stored.Lines[0].Seats!); // the line is what was bought
        Assert.Equal([TicketStates.Valid, TicketStates.Void, TicketStates.Valid, TicketStates.Void],
            (await Orders.TicketsForOrderAsync(order.Id, CancellationToken.None)).Where(t => t.ReservedSeat is not null).Select(t => t.State));

        var rest = await RefundAsync(order, force: true);
        Assert.Equal([seats[0].Id, seats[2].Id], rest.Lines.Single(l => l.TierId == "stalls").SeatIds!);
    }

    [Fact]
    public async Task One_seat_of_an_event_is_on_at_most_one_ticket_that_is_not_void()
    {
        var eventId = Id("evt");
        var seat = Seats("p1", "C", "4");
        var first = await IssueAsync(NewOrder(Id("usr"), eventId, T0, Reserved("stalls", 9_000, seat)));
        var second = NewOrder(Id("usr"), eventId, T0, new OrderLine("floor", 1, 5_000), Reserved("stalls", 9_000, seat));

        await Assert.ThrowsAnyAsync<DbException>(() => IssueAsync(second));
        Assert.Null(await Orders.GetAsync(second.Id, CancellationToken.None)); // nothing of it was written
        await IssueAsync(NewOrder(Id("usr"), Id("evt"), T0, Reserved("stalls", 9_000, seat))); // the same seat id at another event
        await RefundAsync(first);

        var resold = await IssueAsync(second);
        Assert.Equal(seat, resold.Lines.Single(l => l.TierId == "stalls").Seats!);
        Assert.Equal(seat[0], (await Orders.TicketsForOrderAsync(second.Id, CancellationToken.None)).Single(t => t.TierId == "stalls").ReservedSeat);
        await Assert.ThrowsAnyAsync<DbException>(() => IssueAsync(NewOrder(Id("usr"), eventId, T0, Reserved("stalls", 9_000, seat))));
    }

    [Fact]
    public async Task A_transferred_ticket_keeps_its_seat()
    {
        var (alice, bob) = (Id("usr"), Id("usr"));
        var seat = Seats("p1", "D", "1");
        var order = await IssueAsync(NewOrder(alice, Id("evt"), T0, Reserved("stalls", 9_000, seat)));
        var ticket = Assert.Single(await Orders.TicketsForOrderAsync(order.Id, CancellationToken.None));

        Assert.Equal(TransferOutcome.Transferred, await Orders.TransferAsync(ticket.Id, alice, bob, CancellationToken.None));

        var moved = Assert.Single(await Orders.TicketsForUserAsync(bob, CancellationToken.None));
        Assert.Equal((ticket.Id, 2, seat[0]), (moved.Id, moved.Version, moved.ReservedSeat));
        Assert.Equal(seat, (await Orders.GetAsync(order.Id, CancellationToken.None))!.Lines[0].Seats!);
    }

    [Fact]
    public async Task Issuing_the_same_order_again_changes_nothing_and_returns_the_stored_order()
    {
        var order = NewOrder(Id("usr"), Id("evt"), T0, new OrderLine("floor", 2, 5_000));
        var first = await IssueAsync(order);
        var tickets = await Orders.TicketsForOrderAsync(order.Id, CancellationToken.None);

        var again = await IssueAsync(order with { Lines = [new OrderLine("floor", 5, 1), new OrderLine("pit", 1, 1)], CreatedAt = T0.AddHours(1) });

        Assert.Equal(first.Lines, again.Lines);
        Assert.Equal(Header(first), Header(again));
        Assert.Equal(tickets, await Orders.TicketsForOrderAsync(order.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Concurrent_issues_of_one_order_write_it_once()
    {
        var order = NewOrder(Id("usr"), Id("evt"), T0, new OrderLine("floor", 3, 5_000));

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => IssueAsync(order))));

        Assert.All(results, r => Assert.Equal((order.Id, 15_000L), (r.Id, r.TotalMinor)));
        Assert.Equal(3, (await Orders.TicketsForOrderAsync(order.Id, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Refunding_every_ticket_refunds_the_order_and_a_repeat_of_the_refund_answers_what_it_voided()
    {
        var order = await IssueAsync(NewOrder(Id("usr"), Id("evt"), T0, new OrderLine("floor", 2, 5_000)));
        var refundId = Id("ref");

        var first = await RefundAsync(order, refundId: refundId);
        Assert.Equal((VoidOutcome.Voided, new VoidedLine("floor", 2, 5_000)), (first.Outcome, Assert.Single(first.Lines)));
        var again = await RefundAsync(order, refundId: refundId);
        Assert.Equal((VoidOutcome.Voided, new VoidedLine("floor", 2, 5_000)), (again.Outcome, Assert.Single(again.Lines)));
        Assert.Equal(VoidOutcome.NothingLeft, (await RefundAsync(order)).Outcome);
        Assert.Equal(VoidOutcome.NothingLeft, (await RefundAsync(order, force: true)).Outcome);

        var stored = (await Orders.GetAsync(order.Id, CancellationToken.None))!;
        Assert.Equal((OrderStates.Refunded, 10_000L), (stored.State, stored.RefundedMinor));
        Assert.All(await Orders.TicketsForOrderAsync(order.Id, CancellationToken.None), t => Assert.Equal((TicketStates.Void, "refund_requested"), (t.State, t.VoidReason)));
        Assert.Equal(VoidOutcome.NotFound, (await Orders.VoidAsync(new TicketRefund(Id("ord"), Id("ref"), "usr", null, false, "refund_requested"), CancellationToken.None)).Outcome);
    }

    [Fact]
    public async Task A_buyers_refund_voids_only_the_tickets_they_still_own_unused_and_the_order_stays_paid_with_the_refunded_amount()
    {
        var (alice, bob) = (Id("usr"), Id("usr"));
        var order = await IssueAsync(NewOrder(alice, Id("evt"), T0, new OrderLine("floor", 3, 5_000), new OrderLine("balcony", 1, 2_000)));
        var tickets = await Orders.TicketsForOrderAsync(order.Id, CancellationToken.None); // balcony/1, floor/1..3
        await Orders.TransferAsync(tickets[1].Id, alice, bob, CancellationToken.None);
        await Orders.CheckInAsync(tickets[2].Id, 1, CancellationToken.None);

        var refunded = await RefundAsync(order);

        Assert.Equal([new VoidedLine("balcony", 1, 2_000), new VoidedLine("floor", 1, 5_000)], refunded.Lines);
        var after = await Orders.TicketsForOrderAsync(order.Id, CancellationToken.None);
        Assert.Equal([TicketStates.Void, TicketStates.Valid, TicketStates.Used, TicketStates.Void], after.Select(t => t.State));
        Assert.Equal((bob, 2), (after[1].OwnerId, after[1].Version)); // the transferred ticket is untouched: still bob's, same code
        var stored = (await Orders.GetAsync(order.Id, CancellationToken.None))!;
        Assert.Equal((OrderStates.Paid, 7_000L), (stored.State, stored.RefundedMinor));
        Assert.Equal(VoidOutcome.NothingLeft, (await RefundAsync(order)).Outcome);
    }

    [Fact]
    public async Task A_refund_naming_a_ticket_that_is_not_the_buyers_valid_ticket_of_the_order_changes_nothing()
    {
        var (alice, bob) = (Id("usr"), Id("usr"));
        var order = await IssueAsync(NewOrder(alice, Id("evt"), T0, new OrderLine("floor", 3, 5_000)));
        var other = await IssueAsync(NewOrder(alice, Id("evt"), T0, new OrderLine("floor", 1, 5_000)));
        var tickets = await Orders.TicketsForOrderAsync(order.Id, CancellationToken.None);
        await Orders.TransferAsync(tickets[0].Id, alice, bob, CancellationToken.None);
        await Orders.CheckInAsync(tickets[1].Id, 1, CancellationToken.None);
        var elsewhere = Assert.Single(await Orders.TicketsForOrderAsync(other.Id, CancellationToken.None)).Id;

        foreach (var named in new[] { tickets[0].Id, tickets[1].Id, elsewhere, Id("tkt") })
            Assert.Equal(VoidOutcome.NotRefundable, (await RefundAsync(order, ticketIds: [tickets[2].Id, named])).Outcome);
        Assert.Equal([TicketStates.Valid, TicketStates.Used, TicketStates.Valid], (await Orders.TicketsForOrderAsync(order.Id, CancellationToken.None)).Select(t => t.State));
        Assert.Equal(0, (await Orders.GetAsync(order.Id, CancellationToken.None))!.RefundedMinor);

        var chosen = await RefundAsync(order, ticketIds: [tickets[2].Id]);
        Assert.Equal(new VoidedLine("floor", 1, 5_000), Assert.Single(chosen.Lines));
        Assert.Equal(VoidOutcome.NotRefundable, (await RefundAsync(order, ticketIds: [tickets[2].Id])).Outcome); // void now
    }

    [Fact]
    public async Task A_cancellation_voids_every_ticket_left_whoever_holds_it_used_or_not_and_says_why()
    {
        var (alice, bob) = (Id("usr"), Id("usr"));
        var order = await IssueAsync(NewOrder(alice, Id("evt"), T0, new OrderLine("floor", 3, 5_000)));
        var tickets = await Orders.TicketsForOrderAsync(order.Id, CancellationToken.None);
        await Orders.TransferAsync(tickets[0].Id, alice, bob, CancellationToken.None);
        await Orders.CheckInAsync(tickets[1].Id, 1, CancellationToken.None);
        await RefundAsync(order, ticketIds: [tickets[2].Id]);

        var cancelled = await RefundAsync(order, force: true);

        Assert.Equal(new VoidedLine("floor", 2, 5_000), Assert.Single(cancelled.Lines));
        var bobs = Assert.Single(await Orders.TicketsForUserAsync(bob, CancellationToken.None));
        Assert.Equal((TicketStates.Void, "event_cancelled"), (bobs.State, bobs.VoidReason));
        var stored = (await Orders.GetAsync(order.Id, CancellationToken.None))!;
        Assert.Equal((OrderStates.Refunded, 15_000L), (stored.State, stored.RefundedMinor));
    }

    [Fact]
    public async Task Of_concurrent_refunds_each_ticket_is_voided_and_paid_back_once()
    {
        var order = await IssueAsync(NewOrder(Id("usr"), Id("evt"), T0, new OrderLine("floor", 4, 5_000)));
        var tickets = await Orders.TicketsForOrderAsync(order.Id, CancellationToken.None);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => RefundAsync(order, ticketIds: [tickets[i % 2].Id]))));

        Assert.Equal(2, outcomes.Count(o => o.Outcome == VoidOutcome.Voided));
        Assert.All(outcomes.Where(o => o.Outcome != VoidOutcome.Voided), o => Assert.Equal(VoidOutcome.NotRefundable, o.Outcome));
        Assert.Equal(10_000L, (await Orders.GetAsync(order.Id, CancellationToken.None))!.RefundedMinor);
    }

    [Fact]
    public async Task A_transfer_moves_the_ticket_and_bumps_its_version_so_the_old_code_no_longer_checks_in()
    {
        var (alice, bob) = (Id("usr"), Id("usr"));
        var order = await IssueAsync(NewOrder(alice, Id("evt"), T0, new OrderLine("floor", 1, 5_000)));
        var ticket = Assert.Single(await Orders.TicketsForOrderAsync(order.Id, CancellationToken.None));
        var old = (ticket.Id, ticket.Version); // what the old ticket code carries (signed by the WebFront)

        Assert.Equal(TransferOutcome.Transferred, await Orders.TransferAsync(ticket.Id, alice, bob, CancellationToken.None));

        var moved = await Orders.GetTicketAsync(ticket.Id, CancellationToken.None);
        Assert.Equal((bob, 2, TicketStates.Valid), (moved!.OwnerId, moved.Version, moved.State));
        Assert.Empty(await Orders.TicketsForUserAsync(alice, CancellationToken.None));
        Assert.Equal(ticket.Id, Assert.Single(await Orders.TicketsForUserAsync(bob, CancellationToken.None)).Id);
        Assert.Equal(CheckInOutcome.Void, await Orders.CheckInAsync(old.Id, old.Version, CancellationToken.None));
        Assert.Equal(TransferOutcome.NotOwner, await Orders.TransferAsync(ticket.Id, alice, alice, CancellationToken.None));
        Assert.Equal(CheckInOutcome.CheckedIn, await Orders.CheckInAsync(moved.Id, moved.Version, CancellationToken.None));
        Assert.Equal(CheckInOutcome.Void, await Orders.CheckInAsync(old.Id, old.Version, CancellationToken.None));
    }

    [Fact]
    public async Task Only_a_valid_ticket_can_be_transferred_and_only_by_its_owner()
    {
        var (alice, bob) = (Id("usr"), Id("usr"));
        var order = await IssueAsync(NewOrder(alice, Id("evt"), T0, new OrderLine("floor", 2, 5_000)));
        var tickets = await Orders.TicketsForOrderAsync(order.Id, CancellationToken.None);

        Assert.Equal(TransferOutcome.NotOwner, await Orders.TransferAsync(tickets[0].Id, bob, alice, CancellationToken.None));
        Assert.Equal(TransferOutcome.NotFound, await Orders.TransferAsync(Id("tkt"), alice, bob, CancellationToken.None));
        await Orders.CheckInAsync(tickets[0].Id, 1, CancellationToken.None);
        Assert.Equal(TransferOutcome.NotTransferable, await Orders.TransferAsync(tickets[0].Id, alice, bob, CancellationToken.None));
        await RefundAsync(order, force: true);
        Assert.Equal(TransferOutcome.NotTransferable, await Orders.TransferAsync(tickets[1].Id, alice, bob, CancellationToken.None));
        Assert.All(await Orders.TicketsForOrderAsync(order.Id, CancellationToken.None), t => Assert.Equal((alice, 1), (t.OwnerId, t.Version)));
    }

    [Fact]
    public async Task Of_concurrent_check_ins_exactly_one_checks_in_and_the_rest_report_already_used()
    {
        var order = await IssueAsync(NewOrder(Id("usr"), Id("evt"), T0, new OrderLine("floor", 1, 5_000)));
        var ticket = Assert.Single(await Orders.TicketsForOrderAsync(order.Id, CancellationToken.None));

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Orders.CheckInAsync(ticket.Id, 1, CancellationToken.None))));

        Assert.Single(outcomes, o => o == CheckInOutcome.CheckedIn);
        Assert.All(outcomes.Where(o => o != CheckInOutcome.CheckedIn), o => Assert.Equal(CheckInOutcome.AlreadyUsed, o));
        Assert.Equal(TicketStates.Used, (await Orders.GetTicketAsync(ticket.Id, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task A_void_ticket_does_not_check_in_and_an_unknown_one_is_not_found()
    {
        var order = await IssueAsync(NewOrder(Id("usr"), Id("evt"), T0, new OrderLine("floor", 1, 5_000)));
        var ticket = Assert.Single(await Orders.TicketsForOrderAsync(order.Id, CancellationToken.None));
        await RefundAsync(order);

        Assert.Equal(CheckInOutcome.Void, await Orders.CheckInAsync(ticket.Id, 1, CancellationToken.None));
        Assert.Equal(CheckInOutcome.NotFound, await Orders.CheckInAsync(Id("tkt"), 1, CancellationToken.None));
        Assert.Equal(TicketStates.Void, (await Orders.GetTicketAsync(ticket.Id, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task Sales_count_paid_and_refunded_orders_and_what_each_tier_sold()
    {
        var eventId = Id("evt");
        var first = await IssueAsync(NewOrder(Id("usr"), eventId, T0, new OrderLine("floor", 2, 10_000), new OrderLine("balcony", 1, 4_000)));
        var second = await IssueAsync(NewOrder(Id("usr"), eventId, T0.AddMinutes(1), new OrderLine("floor", 1, 10_000)));
        var refunded = await IssueAsync(NewOrder(Id("usr"), eventId, T0.AddMinutes(2), new OrderLine("balcony", 3, 4_000)));
        await IssueAsync(NewOrder(Id("usr"), Id("evt"), T0, new OrderLine("floor", 5, 10_000))); // another event
        await RefundAsync(refunded);
        var firstFloor = (await Orders.TicketsForOrderAsync(first.Id, CancellationToken.None)).First(t => t.TierId == "floor");
        await RefundAsync(first, ticketIds: [firstFloor.Id]); // a partial refund: the order stays paid, its revenue shrinks

        var sales = await Orders.SalesAsync(eventId, CancellationToken.None);

        Assert.Equal((2, 1, 24_000L), (sales.PaidOrders, sales.RefundedOrders, sales.RevenueMinor));
        Assert.Equal([new TierSales("balcony", 1, 4_000), new TierSales("floor", 2, 20_000)], sales.Tiers);
        Assert.Equal([first.Id, second.Id], await Orders.PaidOrderIdsAsync(eventId, CancellationToken.None));
        var none = await Orders.SalesAsync(Id("evt"), CancellationToken.None);
        Assert.Equal((0, 0, 0L, 0), (none.PaidOrders, none.RefundedOrders, none.RevenueMinor, none.Tiers.Count));
    }

    [Fact]
    public async Task A_users_orders_page_newest_first_with_a_cursor()
    {
        var user = Id("usr");
        var issued = new List<Order>();
        for (var i = 0; i < 7; i++) // two pairs share a creation time: the id breaks the tie
            issued.Add(await IssueAsync(NewOrder(user, Id("evt"), T0.AddMinutes(i / 2 * 2 + (i == 6 ? 1 : 0)), new OrderLine("floor", 1, 100 * (i + 1)))));
        await IssueAsync(NewOrder(Id("usr"), Id("evt"), T0.AddDays(1), new OrderLine("floor", 1, 1))); // someone else's

        var seen = new List<Order>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Orders.ListForUserAsync(user, 3, cursor, CancellationToken.None);
            Assert.InRange(page.Items.Count, 1, 3);
            seen.AddRange(page.Items);
            cursor = page.NextCursor;
            pages++;
        } while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(issued.OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id, StringComparer.Ordinal).Select(o => o.Id), seen.Select(o => o.Id));
        Assert.All(seen, o => Assert.Single(o.Lines));
        Assert.Empty((await Orders.ListForUserAsync(Id("usr"), 20, null, CancellationToken.None)).Items);
        Assert.Null((await Orders.ListForUserAsync(user, 7, null, CancellationToken.None)).NextCursor);
    }

    [Fact]
    public async Task The_database_refuses_rows_that_break_the_invariants()
    {
        var order = await IssueAsync(NewOrder(Id("usr"), Id("evt"), T0, new OrderLine("floor", 1, 5_000)));
        var ticket = Assert.Single(await Orders.TicketsForOrderAsync(order.Id, CancellationToken.None));

        await RefusedAsync("INSERT INTO tf_order_lines (order_id, tier_id, line_no, quantity, price_minor) VALUES (@order, 'pit', 1, -1, 100)", order.Id);
        await RefusedAsync("INSERT INTO tf_order_lines (order_id, tier_id, line_no, quantity, price_minor) VALUES (@order, 'pit', 1, 0, 100)", order.Id);
        await RefusedAsync("INSERT INTO tf_order_lines (order_id, tier_id, line_no, quantity, price_minor) VALUES (@order, 'pit', 1, 1, -100)", order.Id);
        await RefusedAsync("""
            INSERT INTO tf_orders (id, user_id, event_id, state, total_minor, currency, payment_id, created_at_ms)
            VALUES (@order || 'x', 'u', 'e', 'paid', -1, 'USD', @order || 'x', 0)
            """, order.Id);
        await RefusedAsync("""
            INSERT INTO tf_orders (id, user_id, event_id, state, total_minor, currency, payment_id, created_at_ms)
            VALUES (@order || 'y', 'u', 'e', 'pending', 1, 'USD', @order || 'y', 0)
            """, order.Id);
        await RefusedAsync("""
            INSERT INTO tf_orders (id, user_id, event_id, state, total_minor, currency, payment_id, created_at_ms)
            VALUES (@order || 'z', 'u', 'e', 'paid', 1, 'USD', @order, 0)
            """, order.Id); // a second order for one payment
        await RefusedAsync("""
            INSERT INTO tf_tickets (id, order_id, event_id, tier_id, seat, owner_id, state, version)
            VALUES (@order || 't', @order, 'e', 'floor', 1, 'u', 'valid', 1)
            """, order.Id); // a second ticket for one seat
        await RefusedAsync("UPDATE tf_tickets SET seat_id = 's1', section_id = 'p1', row_label = 'A', seat_label = '1' WHERE order_id = @order", order.Id); // a seat without its section's label
        await RefusedAsync("UPDATE tf_tickets SET state = 'lost' WHERE order_id = @order", order.Id);
        await RefusedAsync("UPDATE tf_tickets SET version = 0 WHERE order_id = @order", order.Id);

        Assert.Equal(ticket, Assert.Single(await Orders.TicketsForOrderAsync(order.Id, CancellationToken.None)));
        Assert.Equal(order.Lines, (await Orders.GetAsync(order.Id, CancellationToken.None))!.Lines);
    }

    private async Task RefusedAsync(string sql, string orderId)
    {
        await using var connection = await Database.OpenAsync(CancellationToken.None);
        await Assert.ThrowsAnyAsync<DbException>(() => DbCommands.ExecuteAsync(connection, null, sql, CancellationToken.None, ("@order", orderId)));
    }
}

public sealed class PostgresOrderBookTests : OrderBookTests
{
    protected override async Task<SqlStoreDatabase> CreateDatabaseAsync() =>
        SqlStoreDatabase.PostgreSql(await TicketFlow.Testing.TestDatabase.DataSourceAsync());
}

public sealed class SqliteOrderBookTests : OrderBookTests
{
    private readonly string folder = Directory.CreateTempSubdirectory("tf-orders-").FullName;

    protected override Task<SqlStoreDatabase> CreateDatabaseAsync() =>
        Task.FromResult(SqlStoreDatabase.Sqlite(new SqliteDatabase(Path.Combine(folder, "orders.db"))));

    public override Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
        return Task.CompletedTask;
    }
}
