using System.Net;
using System.Text.Json;
using TicketFlow.Data;
using TicketFlow.Data.Orders;
using TicketFlow.Testing;

namespace TicketFlow.WebFront.Tests.Purchases;

/// <summary>
/// A buyer's refund covers only the tickets they still own and that are unused (security issue 23, item 1): over HTTP
/// against three silos, the order book, the tiers and the gateway on real PostgreSQL.
/// </summary>
[Collection(PurchaseClusterFixture.Collection)]
public sealed class PartialRefundTests(PurchaseClusterFixture fixture)
{
    private const long Price = 5_000;

    private PurchaseApi Api => fixture.Api;

    [Fact]
    public async Task A_buyers_refund_after_transferring_one_of_two_tickets_refunds_only_their_own_and_the_new_owners_ticket_stays_valid()
    {
        var (eventId, tier, alice, orderId) = await BoughtAsync(seats: 2);
        var bob = await Api.SignUpAsync();
        var given = (await TicketsAsync(alice))[0].GetProperty("id").GetString()!;
        Assert.Equal(TransferOutcome.Transferred, await Orders().TransferAsync(given, alice.Id, bob.Id, CancellationToken.None));
        var bobsCode = Assert.Single(await TicketsAsync(bob)).GetProperty("code").GetString();

        var refunded = await RefundAsync(alice, orderId, "refund-1");

        refunded.EnsureStatus(HttpStatusCode.OK);
        var bobs = Assert.Single(await TicketsAsync(bob));
        Assert.Equal((given, "valid", bobsCode), (bobs.GetProperty("id").GetString(), bobs.GetProperty("state").GetString(), bobs.GetProperty("code").GetString()));
        Assert.Equal(("paid", Price, 2 * Price), (refunded.Get("state"), refunded.Body.GetProperty("refundedMinor").GetInt64(), refunded.Body.GetProperty("totalMinor").GetInt64()));
        var alices = Assert.Single(await TicketsAsync(alice));
        Assert.Equal(("void", "refund_requested"), (alices.GetProperty("state").GetString(), alices.GetProperty("voidReason").GetString()));
        await Api.CountsBecomeAsync(eventId, tier, (3, 0, 1));
        Assert.Equal(("captured", Price), await PaymentAsync(orderId));

        var replayed = await RefundAsync(alice, orderId, "refund-1");
        Assert.Equal((HttpStatusCode.OK, Price), (replayed.Status, replayed.Body.GetProperty("refundedMinor").GetInt64()));
        var again = await RefundAsync(alice, orderId, "refund-2");
        Assert.Equal((HttpStatusCode.Conflict, ProblemCodes.TicketTransferred), (again.Status, again.Code));
        Assert.Equal(("captured", Price), await PaymentAsync(orderId)); // a replay and a refusal refund nothing more
        await Api.CountsBecomeAsync(eventId, tier, (3, 0, 1));
    }

    [Fact]
    public async Task A_refund_of_chosen_tickets_refunds_exactly_those_and_naming_a_ticket_not_the_buyers_changes_nothing()
    {
        var (eventId, tier, alice, orderId) = await BoughtAsync(seats: 3);
        var bob = await Api.SignUpAsync();
        var ids = (await TicketsAsync(alice)).Select(t => t.GetProperty("id").GetString()!).ToList();
        await Orders().TransferAsync(ids[0], alice.Id, bob.Id, CancellationToken.None);

        var empty = await RefundAsync(alice, orderId, "none", ticketIds: []);
        var notHers = await RefundAsync(alice, orderId, "bobs", ticketIds: [ids[1], ids[0]]);
        Assert.Equal((HttpStatusCode.BadRequest, ProblemCodes.Validation), (empty.Status, empty.Code));
        Assert.Equal((HttpStatusCode.Conflict, ProblemCodes.TicketNotRefundable), (notHers.Status, notHers.Code));
        Assert.Equal(("captured", 0L), await PaymentAsync(orderId));

        var chosen = (await RefundAsync(alice, orderId, "chosen", ticketIds: [ids[1]])).EnsureStatus(HttpStatusCode.OK);

        Assert.Equal(Price, chosen.Body.GetProperty("refundedMinor").GetInt64());
        var states = (await TicketsAsync(alice)).ToDictionary(t => t.GetProperty("id").GetString()!, t => t.GetProperty("state").GetString());
        Assert.Equal(("void", "valid"), (states[ids[1]], states[ids[2]]));
        Assert.Equal("valid", Assert.Single(await TicketsAsync(bob)).GetProperty("state").GetString());
        await Api.CountsBecomeAsync(eventId, tier, (2, 0, 2));
        Assert.Equal(("captured", Price), await PaymentAsync(orderId));
    }

    [Fact]
    public async Task A_used_ticket_is_not_refunded_and_the_rest_is()
    {
        var (eventId, tier, alice, orderId) = await BoughtAsync(seats: 2);
        var used = (await TicketsAsync(alice))[0];
        var scan = await Api.SendAsync(HttpMethod.Post, "/api/v1/tickets/validate", await Api.AdminTokenAsync(), new { code = used.GetProperty("code").GetString() });
        Assert.True(scan.EnsureStatus(HttpStatusCode.OK).Body.GetProperty("valid").GetBoolean());

        var refunded = (await RefundAsync(alice, orderId, "after-the-door")).EnsureStatus(HttpStatusCode.OK);
        var namedUsed = await RefundAsync(alice, orderId, "used", ticketIds: [used.GetProperty("id").GetString()!]);

        Assert.Equal(("paid", Price), (refunded.Get("state"), refunded.Body.GetProperty("refundedMinor").GetInt64()));
        Assert.Equal((HttpStatusCode.Conflict, ProblemCodes.TicketNotRefundable), (namedUsed.Status, namedUsed.Code));
        var states = (await TicketsAsync(alice)).Select(t => t.GetProperty("state").GetString()).Order();
        Assert.Equal(["used", "void"], states);
        await Api.CountsBecomeAsync(eventId, tier, (3, 0, 1));
    }

    [Fact]
    public async Task Cancelling_the_event_refunds_every_ticket_left_whoever_holds_it_and_the_new_owner_sees_it_void()
    {
        var (eventId, tier, alice, orderId) = await BoughtAsync(seats: 2);
        var bob = await Api.SignUpAsync();
        var given = (await TicketsAsync(alice))[0].GetProperty("id").GetString()!;
        await Orders().TransferAsync(given, alice.Id, bob.Id, CancellationToken.None);
        (await RefundAsync(alice, orderId, "own")).EnsureStatus(HttpStatusCode.OK);

        (await Api.SendAsync(HttpMethod.Post, $"/api/v1/events/{eventId}/cancel", await Api.AdminTokenAsync())).EnsureStatus(HttpStatusCode.OK);

        var bobs = Assert.Single(await TicketsAsync(bob));
        Assert.Equal(("void", "event_cancelled", JsonValueKind.Null),
            (bobs.GetProperty("state").GetString(), bobs.GetProperty("voidReason").GetString(), bobs.GetProperty("code").ValueKind));
        var order = (await Api.SendAsync(HttpMethod.Get, $"/api/v1/orders/{orderId}", alice.Token)).EnsureStatus(HttpStatusCode.OK);
        Assert.Equal(("refunded", 2 * Price), (order.Get("state"), order.Body.GetProperty("refundedMinor").GetInt64()));
        Assert.Equal(("refunded", 2 * Price), await PaymentAsync(orderId)); // all of the capture, never more
        await Api.CountsBecomeAsync(eventId, tier, (4, 0, 0));
    }

    [Fact]
    public async Task A_crash_after_a_partial_refunds_money_is_finished_by_the_reminder_and_refunds_once()
    {
        var (eventId, tier, alice, orderId) = await BoughtAsync(seats: 2);
        var bob = await Api.SignUpAsync();
        await Orders().TransferAsync((await TicketsAsync(alice))[0].GetProperty("id").GetString()!, alice.Id, bob.Id, CancellationToken.None);
        fixture.Gateway.FailWriteAfterRefund(orderId); // the money is back, the saga's next step is never stored

        var failed = await RefundAsync(alice, orderId, "crashing");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.Status);
        await Eventually.Get(() => RefundedMinorAsync(orderId), refunded => refunded == Price, TimeSpan.FromSeconds(20), "the order book voided one ticket");
        var retried = (await RefundAsync(alice, orderId, "crashing")).EnsureStatus(HttpStatusCode.OK);
        Assert.Equal(Price, retried.Body.GetProperty("refundedMinor").GetInt64());
        Assert.Equal(("captured", Price), await PaymentAsync(orderId));
        await Api.CountsBecomeAsync(eventId, tier, (3, 0, 1));
        Assert.Equal("valid", Assert.Single(await TicketsAsync(bob)).GetProperty("state").GetString());
    }

    /// <summary>An on-sale event of 4 seats at <see cref="Price"/> and a buyer's paid order of some of them.</summary>
    private async Task<(string EventId, string Tier, Buyer Buyer, string OrderId)> BoughtAsync(int seats)
    {
        var (eventId, tiers) = await Api.OnSaleEventAsync([4], priceMinor: Price);
        var buyer = await Api.SignUpAsync();
        var holdId = (await Api.HoldAsync(buyer, eventId, [(tiers[0], seats)])).EnsureStatus(HttpStatusCode.Created).Get("holdId");
        var orderId = (await Api.CheckoutAsync(buyer, holdId)).EnsureStatus(HttpStatusCode.Created).Get("id");
        return (eventId, tiers[0], buyer, orderId);
    }

    private Task<Response> RefundAsync(Buyer buyer, string orderId, string key, string[]? ticketIds = null) =>
        Api.SendAsync(HttpMethod.Post, $"/api/v1/orders/{orderId}/refund", buyer.Token, ticketIds is null ? null : new { ticketIds }, key);

    private async Task<List<JsonElement>> TicketsAsync(Buyer buyer) =>
        (await Api.SendAsync(HttpMethod.Get, "/api/v1/me/tickets", buyer.Token)).EnsureStatus(HttpStatusCode.OK).Body.EnumerateArray().ToList();

    /// <summary>The order book itself: tickets change owners through its <c>TransferAsync</c> here, whatever the transfer API becomes.</summary>
    private static SqlOrderBook Orders() => new(SqlStoreDatabase.PostgreSql(TestDatabase.DataSourceAsync().GetAwaiter().GetResult()));

    private static async Task<(string Status, long RefundedMinor)> PaymentAsync(string paymentId)
    {
        await using var command = (await TestDatabase.DataSourceAsync()).CreateCommand(
            "SELECT status, refunded_minor, amount_minor FROM tf_gateway_payments WHERE payment_id = $1");
        command.Parameters.AddWithValue(paymentId);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.True(reader.GetInt64(1) <= reader.GetInt64(2), "refunds never exceed the capture");
        return (reader.GetString(0), reader.GetInt64(1));
    }

    private static async Task<long> RefundedMinorAsync(string orderId)
    {
        await using var command = (await TestDatabase.DataSourceAsync()).CreateCommand("SELECT refunded_minor FROM tf_orders WHERE id = $1");
        command.Parameters.AddWithValue(orderId);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
