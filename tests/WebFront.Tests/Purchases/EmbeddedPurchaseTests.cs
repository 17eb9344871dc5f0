using System.Net;
using System.Text.Json;
using TicketFlow.Testing;

namespace TicketFlow.WebFront.Tests.Purchases;

/// <summary>The purchase path in embedded mode (one co-hosted silo on SQLite): the payment breaker, tickets, metrics.</summary>
public sealed class EmbeddedPurchaseTests : IAsyncLifetime
{
    private const string AdminEmail = "shop@ticketflow.test";
    private const string AdminPassword = "admin-password-1";
    private WebFrontHost host = null!;
    private PurchaseApi api = null!;

    public async Task InitializeAsync()
    {
        host = new WebFrontHost(("TICKETFLOW_ADMIN_EMAIL", AdminEmail), ("TICKETFLOW_ADMIN_PASSWORD", AdminPassword),
            ("RateLimits:Auth:PermitLimit", "1000"), ("RateLimits:Register:PerIpPermitLimit", "1000"), ("RateLimits:Purchase:PermitLimit", "1000"),
            ("Payments:Simulator:Latency", "00:00:00"),
            ("Payments:Breaker:MinimumThroughput", "2"), ("Payments:Breaker:FailureRatio", "0.5"),
            ("Payments:Breaker:SamplingDuration", "00:00:30"), ("Payments:Breaker:BreakDuration", "00:00:01"));
        api = new PurchaseApi(() => host.CreateClient(cookies: false), AdminEmail, AdminPassword);
        await api.AdminTokenAsync();
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task Gateway_errors_open_the_breaker_so_checkouts_fail_fast_with_503_and_it_recovers()
    {
        var (eventId, tiers) = await api.OnSaleEventAsync([10]);
        var buyer = await api.SignUpAsync();
        var failing = (await api.HoldAsync(buyer, eventId, [(tiers[0], 1)])).EnsureStatus(HttpStatusCode.Created).Get("holdId");
        var waiting = (await api.HoldAsync(buyer, eventId, [(tiers[0], 1)])).EnsureStatus(HttpStatusCode.Created).Get("holdId");

        for (var i = 0; i < 3; i++)
        {
            var error = await api.CheckoutAsync(buyer, failing, "error");
            Assert.Equal((HttpStatusCode.ServiceUnavailable, ProblemCodes.PaymentUnavailable), (error.Status, error.Code));
            Assert.True(error.Headers.RetryAfter is not null);
        }
        var fast = await api.CheckoutAsync(buyer, waiting, "success");

        Assert.Equal((HttpStatusCode.ServiceUnavailable, ProblemCodes.PaymentUnavailable), (fast.Status, fast.Code));
        var ready = await api.SendAsync(HttpMethod.Get, "/health/ready", null);
        Assert.Equal("Degraded", ready.Body.GetProperty("checks").GetProperty("payments").GetProperty("status").GetString());
        Assert.Equal(2, PrometheusText.Value(await host.MetricsAsync(), "ticketflow_payment_breaker_state"));

        // After the break a probe goes through; the same hold can be checked out because nothing was charged.
        var order = await Eventually.Get(() => api.CheckoutAsync(buyer, waiting, "success"), r => r.Status == HttpStatusCode.Created, TimeSpan.FromSeconds(15));
        Assert.Equal("paid", order.Get("state"));
        await Eventually.Get(() => api.SendAsync(HttpMethod.Get, "/health/ready", null),
            r => r.Body.GetProperty("checks").GetProperty("payments").GetProperty("status").GetString() == "Healthy", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_checkout_issues_signed_tickets_that_check_in_once_and_shows_in_stats_and_metrics()
    {
        var (eventId, tiers) = await api.OnSaleEventAsync([10], priceMinor: 4200);
        var buyer = await api.SignUpAsync();
        var holdId = (await api.HoldAsync(buyer, eventId, [(tiers[0], 2)])).EnsureStatus(HttpStatusCode.Created).Get("holdId");
        var order = (await api.CheckoutAsync(buyer, holdId)).EnsureStatus(HttpStatusCode.Created);

        Assert.Equal(8400, order.Body.GetProperty("totalMinor").GetInt64());
        var tickets = (await api.SendAsync(HttpMethod.Get, "/api/v1/me/tickets", buyer.Token)).Body.EnumerateArray().ToList();
        Assert.Equal(2, tickets.Count(t => t.GetProperty("orderId").GetString() == order.Get("id") && t.GetProperty("state").GetString() == "valid"));
        var code = tickets[0].GetProperty("code").GetString();
        var admin = await api.AdminTokenAsync();
        Assert.True((await api.SendAsync(HttpMethod.Post, "/api/v1/tickets/validate", admin, new { code })).Body.GetProperty("valid").GetBoolean());
        Assert.Equal("already_used", (await api.SendAsync(HttpMethod.Post, "/api/v1/tickets/validate", admin, new { code })).Get("reason"));

        var stats = (await api.SendAsync(HttpMethod.Get, $"/api/v1/admin/events/{eventId}/stats", admin)).EnsureStatus(HttpStatusCode.OK).Body;
        Assert.Equal((8400, 1, 2), (stats.GetProperty("revenueMinor").GetInt64(), stats.GetProperty("orders").GetInt32(),
            stats.GetProperty("tiers")[0].GetProperty("sold").GetInt32()));
        var metrics = await host.MetricsAsync();
        Assert.Equal(2, PrometheusText.Value(metrics, "ticketflow_seats_sold_total", ("event", eventId)));
        Assert.Equal(1, PrometheusText.Value(metrics, "ticketflow_checkouts_total", ("event", eventId), ("outcome", "completed")));
        Assert.Equal(1, PrometheusText.Value(metrics, "ticketflow_holds_total", ("event", eventId), ("outcome", "granted")));
        Assert.True(PrometheusText.Value(metrics, "orleans_catalog_activations") > 0); // Orleans' own meter beside TicketFlow's
    }

    [Fact]
    public async Task An_admins_per_user_limit_change_applies_to_the_next_hold_down_and_up_and_keeps_seats_already_held()
    {
        var (eventId, tiers) = await api.OnSaleEventAsync([100], perUserLimit: 6);
        var admin = await api.AdminTokenAsync();
        var early = await api.SignUpAsync("early");
        var fan = await api.SignUpAsync("fan");
        var earlyHold = (await api.HoldAsync(early, eventId, [(tiers[0], 4)])).EnsureStatus(HttpStatusCode.Created).Get("holdId");
        Task<Response> SetLimit(int limit) =>
            api.SendAsync(HttpMethod.Patch, $"/api/v1/events/{eventId}", admin, new { tiers = new[] { new { id = tiers[0], perUserLimit = limit } } });

        (await SetLimit(1)).EnsureStatus(HttpStatusCode.OK);
        var refused = await api.HoldAsync(fan, eventId, [(tiers[0], 2)]);
        Assert.Equal((HttpStatusCode.Conflict, ProblemCodes.LimitExceeded), (refused.Status, refused.Code));
        Assert.Equal(ProblemCodes.LimitExceeded, (await api.HoldAsync(early, eventId, [(tiers[0], 1)])).Code);
        Assert.Equal("paid", (await api.CheckoutAsync(early, earlyHold)).EnsureStatus(HttpStatusCode.Created).Get("state")); // held before: still sells

        (await SetLimit(3)).EnsureStatus(HttpStatusCode.OK);
        (await api.HoldAsync(fan, eventId, [(tiers[0], 2)])).EnsureStatus(HttpStatusCode.Created);
        Assert.Equal(ProblemCodes.LimitExceeded, (await api.HoldAsync(fan, eventId, [(tiers[0], 2)])).Code); // 2 + 2 > 3
    }

    [Fact]
    public async Task Bad_purchase_input_gets_field_errors_and_changes_nothing()
    {
        var (eventId, tiers) = await api.OnSaleEventAsync([5]);
        var buyer = await api.SignUpAsync();
        var cases = new object[]
        {
            new { eventId, items = Array.Empty<object>() },
            new { eventId, items = new[] { new { tierId = tiers[0], quantity = 0 } } },
            new { eventId, items = new[] { new { tierId = tiers[0], quantity = 7 } } },
            new { eventId, items = new[] { new { tierId = tiers[0], quantity = -3 } } },
            new { eventId, items = new[] { new { tierId = "nope", quantity = 1 } } },
            new { eventId = new string('x', 5000), items = new[] { new { tierId = tiers[0], quantity = 1 } } },
            new { eventId, items = new[] { new { tierId = tiers[0], quantity = 1 }, new { tierId = tiers[0], quantity = 1 } } },
        };
        foreach (var body in cases)
        {
            var response = await api.SendAsync(HttpMethod.Post, "/api/v1/holds", buyer.Token, body, Guid.NewGuid().ToString("N"));
            Assert.True(response.Status == HttpStatusCode.BadRequest, $"{JsonSerializer.Serialize(body)[..Math.Min(80, JsonSerializer.Serialize(body).Length)]}: {response.Status}");
            Assert.Equal(ProblemCodes.Validation, response.Code);
        }
        var unknownEvent = await api.HoldAsync(buyer, "evt_missing", [(tiers[0], 1)]);
        Assert.Equal(HttpStatusCode.NotFound, unknownEvent.Status);
        var anonymous = await api.SendAsync(HttpMethod.Post, "/api/v1/holds", null, cases[1], "k");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
        var badCheckout = await api.SendAsync(HttpMethod.Post, "/api/v1/checkout", buyer.Token, new { holdId = "x", payment = new { method = "cash" } }, "k2");
        Assert.Equal(HttpStatusCode.BadRequest, badCheckout.Status);
        var unknownHold = await api.CheckoutAsync(buyer, $"{eventId}.AAAAAAAAAAAAAAAAAAAAAA");
        Assert.Equal(HttpStatusCode.NotFound, unknownHold.Status);
        await api.CountsBecomeAsync(eventId, tiers[0], (5, 0, 0));
    }
}
