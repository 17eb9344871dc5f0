using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TicketFlow.Data.Orders;
using TicketFlow.WebFront.Orders;

namespace TicketFlow.WebFront.Tests;

/// <summary>Orders and tickets over HTTP. There is no checkout yet, so orders are issued straight into the order book.</summary>
public sealed class OrderEndpointTests : IAsyncLifetime
{
    private const string Password = "ticket-holder-lantern-1";
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2027-03-01T09:00:00Z");
    private WebFrontHost host = null!;
    private string adminToken = null!;

    private sealed record Account(string Id, string Email, string Token);

    public async Task InitializeAsync()
    {
        host = new WebFrontHost(("TICKETFLOW_ADMIN_EMAIL", "doors@ticketflow.test"), ("TICKETFLOW_ADMIN_PASSWORD", "admin-password-1"));
        adminToken = await host.TokenAsync("doors@ticketflow.test", "admin-password-1", register: false);
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    private IOrderBook Orders => host.Factory.Services.GetRequiredService<IOrderBook>();

    private async Task<Account> SignUpAsync(string name)
    {
        var email = $"{name}-{Guid.NewGuid():N}@example.com";
        var token = await host.TokenAsync(email, Password, register: true);
        using var me = await Send(HttpMethod.Get, "/api/v1/me", token);
        return new Account((await Json(me)).GetProperty("id").GetString()!, email, token);
    }

    private Task<Order> IssueAsync(Account owner, DateTimeOffset createdAt, params OrderLine[] lines)
    {
        var id = $"ord_{Guid.NewGuid():N}";
        return Orders.IssueAsync(new NewOrder(id, owner.Id, "evt_harbour", lines, "EUR", id, createdAt), CancellationToken.None);
    }

    private async Task<HttpResponseMessage> Send(HttpMethod method, string path, string? token, object? body = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await host.CreateClient(cookies: false).SendAsync(request);
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response) => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(code, (await Json(response)).GetProperty("code").GetString());
    }

    private async Task<JsonElement[]> MyTicketsAsync(Account account)
    {
        using var response = await Send(HttpMethod.Get, "/api/v1/me/tickets", account.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await Json(response)).EnumerateArray().ToArray();
    }

    private async Task<JsonElement> ValidateAsync(string? code)
    {
        using var response = await Send(HttpMethod.Post, "/api/v1/tickets/validate", adminToken, new { code });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Json(response);
    }

    [Fact]
    public async Task My_orders_are_listed_newest_first_a_page_at_a_time()
    {
        var (alice, bob) = (await SignUpAsync("alice"), await SignUpAsync("bob"));
        var oldest = await IssueAsync(alice, T0, new OrderLine("standing", 2, 5_900), new OrderLine("vip", 1, 14_900));
        var middle = await IssueAsync(alice, T0.AddMinutes(1), new OrderLine("standing", 1, 5_900));
        var newest = await IssueAsync(alice, T0.AddMinutes(2), new OrderLine("vip", 1, 14_900));
        await IssueAsync(bob, T0.AddMinutes(3), new OrderLine("vip", 1, 14_900));

        using var first = await Send(HttpMethod.Get, "/api/v1/me/orders?limit=2", alice.Token);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var page = await Json(first);
        Assert.Equal([newest.Id, middle.Id], page.GetProperty("items").EnumerateArray().Select(o => o.GetProperty("id").GetString()));
        using var second = await Send(HttpMethod.Get, $"/api/v1/me/orders?limit=2&cursor={page.GetProperty("nextCursor").GetString()}", alice.Token);
        var last = await Json(second);
        Assert.Equal(JsonValueKind.Null, last.GetProperty("nextCursor").ValueKind);
        var order = Assert.Single(last.GetProperty("items").EnumerateArray());

        Assert.Equal(oldest.Id, order.GetProperty("id").GetString());
        Assert.Equal("evt_harbour", order.GetProperty("eventId").GetString());
        Assert.Equal("paid", order.GetProperty("state").GetString());
        Assert.Equal(26_700, order.GetProperty("totalMinor").GetInt64());
        Assert.Equal("EUR", order.GetProperty("currency").GetString());
        Assert.Equal(oldest.Id, order.GetProperty("paymentId").GetString());
        Assert.Equal(T0, order.GetProperty("createdAt").GetDateTimeOffset());
        Assert.Equal(["standing:2:5900", "vip:1:14900"], order.GetProperty("lines").EnumerateArray()
            .Select(l => $"{l.GetProperty("tierId").GetString()}:{l.GetProperty("quantity").GetInt32()}:{l.GetProperty("priceMinor").GetInt64()}"));
        Assert.False(order.TryGetProperty("userId", out _));
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=101")]
    [InlineData("cursor=not-a-cursor")]
    public async Task A_bad_page_request_is_a_400(string query)
    {
        var alice = await SignUpAsync("alice");
        using var response = await Send(HttpMethod.Get, $"/api/v1/me/orders?{query}", alice.Token);
        await AssertProblem(response, HttpStatusCode.BadRequest, ProblemCodes.Validation);
    }

    [Fact]
    public async Task An_order_is_visible_to_its_owner_and_to_admins_but_is_not_found_for_anyone_else()
    {
        var (alice, bob) = (await SignUpAsync("alice"), await SignUpAsync("bob"));
        var order = await IssueAsync(alice, T0, new OrderLine("standing", 1, 5_900));
        var path = $"/api/v1/orders/{order.Id}";

        using (var own = await Send(HttpMethod.Get, path, alice.Token))
        {
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
            Assert.Equal(order.Id, (await Json(own)).GetProperty("id").GetString());
        }
        using (var admin = await Send(HttpMethod.Get, path, adminToken)) Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        using (var other = await Send(HttpMethod.Get, path, bob.Token)) await AssertProblem(other, HttpStatusCode.NotFound, ProblemCodes.OrderNotFound);
        using (var unknown = await Send(HttpMethod.Get, "/api/v1/orders/ord_nope", alice.Token)) await AssertProblem(unknown, HttpStatusCode.NotFound, ProblemCodes.OrderNotFound);
        using (var anonymous = await Send(HttpMethod.Get, path, token: null)) Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task My_tickets_carry_codes_that_check_in_once_at_the_door()
    {
        var alice = await SignUpAsync("alice");
        var order = await IssueAsync(alice, T0, new OrderLine("standing", 2, 5_900));

        var tickets = await MyTicketsAsync(alice);

        Assert.Equal(2, tickets.Length);
        Assert.All(tickets, t => Assert.Equal((order.Id, "evt_harbour", "standing", "valid"),
            (t.GetProperty("orderId").GetString(), t.GetProperty("eventId").GetString(), t.GetProperty("tierId").GetString(), t.GetProperty("state").GetString())));
        var ticketId = tickets[0].GetProperty("id").GetString()!;
        var code = tickets[0].GetProperty("code").GetString()!;
        Assert.StartsWith($"{ticketId}.1.", code);

        var first = await ValidateAsync(code);
        Assert.True(first.GetProperty("valid").GetBoolean());
        Assert.Equal((ticketId, "used"), (first.GetProperty("ticketId").GetString(), first.GetProperty("state").GetString()));
        var second = await ValidateAsync(code);
        Assert.False(second.GetProperty("valid").GetBoolean());
        Assert.Equal(("already_used", "used"), (second.GetProperty("reason").GetString(), second.GetProperty("state").GetString()));
        Assert.Equal(["used", "valid"], (await MyTicketsAsync(alice)).Select(t => t.GetProperty("state").GetString()).Order());
    }

    [Fact]
    public async Task Reserved_seats_are_on_the_order_lines_the_tickets_their_codes_and_the_door_scan()
    {
        var alice = await SignUpAsync("alice");
        TicketSeat[] seats = [new("p1:F:11", "p1", "Parterre. Links", "F", "11"), new("p1:F:12", "p1", "Parterre. Links", "F", "12")];
        var order = await IssueAsync(alice, T0, new OrderLine("stalls", 2, 9_900, seats), new OrderLine("standing", 1, 5_900));
        static string Seat(JsonElement seat) => string.Join("|", new[] { "id", "section", "row", "number" }.Select(f => seat.GetProperty(f).GetString()));
        static string[] LineSeats(JsonElement order) => order.GetProperty("lines").EnumerateArray()
            .Select(l => $"{l.GetProperty("tierId").GetString()}:{(l.GetProperty("seats").ValueKind == JsonValueKind.Null ? "none" : string.Join(",", l.GetProperty("seats").EnumerateArray().Select(Seat)))}")
            .ToArray();
        string[] expected = ["stalls:p1:F:11|Parterre. Links|F|11,p1:F:12|Parterre. Links|F|12", "standing:none"];

        using (var one = await Send(HttpMethod.Get, $"/api/v1/orders/{order.Id}", alice.Token)) Assert.Equal(expected, LineSeats(await Json(one)));
        using (var mine = await Send(HttpMethod.Get, "/api/v1/me/orders", alice.Token))
            Assert.Equal(expected, LineSeats(Assert.Single((await Json(mine)).GetProperty("items").EnumerateArray())));

        var tickets = await MyTicketsAsync(alice);
        Assert.Equal(["none", "p1:F:11|Parterre. Links|F|11", "p1:F:12|Parterre. Links|F|12"],
            tickets.Select(t => t.GetProperty("seat").ValueKind == JsonValueKind.Null ? "none" : Seat(t.GetProperty("seat"))).Order(StringComparer.Ordinal));
        var codes = host.Factory.Services.GetRequiredService<TicketCodes>();
        var seated = tickets.Single(t => t.GetProperty("seat").ValueKind != JsonValueKind.Null && t.GetProperty("seat").GetProperty("number").GetString() == "12");
        Assert.Equal(new SeatLabels("Parterre. Links", "F", "12"), codes.Verify(seated.GetProperty("code").GetString())!.Seat);
        var standing = tickets.Single(t => t.GetProperty("seat").ValueKind == JsonValueKind.Null);
        Assert.Null(codes.Verify(standing.GetProperty("code").GetString())!.Seat);

        var scan = await ValidateAsync(seated.GetProperty("code").GetString());
        Assert.True(scan.GetProperty("valid").GetBoolean());
        Assert.Equal("p1:F:12|Parterre. Links|F|12", Seat(scan.GetProperty("seat")));
        Assert.Equal("p1:F:12|Parterre. Links|F|12", Seat((await ValidateAsync(seated.GetProperty("code").GetString())).GetProperty("seat"))); // already used: still shows where
        Assert.Equal(JsonValueKind.Null, (await ValidateAsync(standing.GetProperty("code").GetString())).GetProperty("seat").ValueKind);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("tkt_aaaaaaaaaaaaaaaa.1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task Garbage_or_a_forged_code_is_reported_as_an_invalid_code(string code)
    {
        var result = await ValidateAsync(code);
        Assert.False(result.GetProperty("valid").GetBoolean());
        Assert.Equal("invalid_code", result.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_tampered_code_is_an_invalid_code_and_leaves_the_ticket_valid()
    {
        var alice = await SignUpAsync("alice");
        await IssueAsync(alice, T0, new OrderLine("standing", 2, 5_900));
        var tickets = await MyTicketsAsync(alice);
        var code = tickets[0].GetProperty("code").GetString()!;
        var otherId = tickets[1].GetProperty("id").GetString()!;

        Assert.Equal("invalid_code", (await ValidateAsync(otherId + code[code.IndexOf('.')..])).GetProperty("reason").GetString());
        Assert.Equal("invalid_code", (await ValidateAsync(code.Replace(".1.", ".2."))).GetProperty("reason").GetString());
        Assert.All(await MyTicketsAsync(alice), t => Assert.Equal("valid", t.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task Refunded_tickets_have_no_code_no_qr_and_scan_as_void()
    {
        var alice = await SignUpAsync("alice");
        var order = await IssueAsync(alice, T0, new OrderLine("standing", 1, 5_900));
        var ticket = Assert.Single(await MyTicketsAsync(alice));
        var code = ticket.GetProperty("code").GetString();
        var refund = new TicketRefund(order.Id, "ref_1", order.UserId, null, Force: false, "refund_requested");
        Assert.Equal(VoidOutcome.Voided, (await Orders.VoidAsync(refund, CancellationToken.None)).Outcome);

        var voided = Assert.Single(await MyTicketsAsync(alice));
        Assert.Equal(("void", JsonValueKind.Null, "refund_requested"),
            (voided.GetProperty("state").GetString(), voided.GetProperty("code").ValueKind, voided.GetProperty("voidReason").GetString()));
        using (var qr = await Send(HttpMethod.Get, $"/api/v1/tickets/{voided.GetProperty("id").GetString()}/qr", alice.Token))
            await AssertProblem(qr, HttpStatusCode.Conflict, ProblemCodes.TicketVoid);
        var scan = await ValidateAsync(code);
        Assert.Equal((false, "void", "void"), (scan.GetProperty("valid").GetBoolean(), scan.GetProperty("reason").GetString(), scan.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task The_qr_of_my_ticket_is_an_svg_image_and_nobody_elses_ticket_has_one()
    {
        var (alice, bob) = (await SignUpAsync("alice"), await SignUpAsync("bob"));
        await IssueAsync(alice, T0, new OrderLine("standing", 1, 5_900));
        var ticketId = Assert.Single(await MyTicketsAsync(alice)).GetProperty("id").GetString();

        using var qr = await Send(HttpMethod.Get, $"/api/v1/tickets/{ticketId}/qr", alice.Token);
        Assert.Equal(HttpStatusCode.OK, qr.StatusCode);
        Assert.Equal("image/svg+xml", qr.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<svg", await qr.Content.ReadAsStringAsync());
        Assert.True(qr.Headers.CacheControl?.NoStore);

        using (var other = await Send(HttpMethod.Get, $"/api/v1/tickets/{ticketId}/qr", bob.Token)) await AssertProblem(other, HttpStatusCode.NotFound, ProblemCodes.TicketNotFound);
        using (var admin = await Send(HttpMethod.Get, $"/api/v1/tickets/{ticketId}/qr", adminToken)) await AssertProblem(admin, HttpStatusCode.NotFound, ProblemCodes.TicketNotFound);
        using (var anonymous = await Send(HttpMethod.Get, $"/api/v1/tickets/{ticketId}/qr", token: null)) Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task Validating_a_code_is_for_admins_and_needs_a_code()
    {
        var alice = await SignUpAsync("alice");
        using (var user = await Send(HttpMethod.Post, "/api/v1/tickets/validate", alice.Token, new { code = "garbage" }))
            Assert.Equal(HttpStatusCode.Forbidden, user.StatusCode);
        using (var anonymous = await Send(HttpMethod.Post, "/api/v1/tickets/validate", token: null, new { code = "garbage" }))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using (var empty = await Send(HttpMethod.Post, "/api/v1/tickets/validate", adminToken, new { code = "" }))
            await AssertProblem(empty, HttpStatusCode.BadRequest, ProblemCodes.Validation);
    }
}
