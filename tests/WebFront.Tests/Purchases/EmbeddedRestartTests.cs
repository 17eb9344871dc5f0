using System.Net;
using TicketFlow.Testing;

namespace TicketFlow.WebFront.Tests.Purchases;

/// <summary>
/// Embedded mode keeps everything in its SQLite file: grain state (Orleans' ADO.NET storage), the tiers' journals and the
/// reminders (TicketFlow's SQLite reminder table). A restart of the process loses no hold, no order, and a checkout whose
/// payment answer was lost is finished by its reminder after the restart.
/// </summary>
public sealed class EmbeddedRestartTests : IAsyncLifetime
{
    private const string AdminEmail = "restart@ticketflow.test";
    private const string AdminPassword = "admin-password-1";
    private WebFrontHost host = null!;
    private PurchaseApi api = null!;

    public async Task InitializeAsync()
    {
        host = new WebFrontHost(("TICKETFLOW_ADMIN_EMAIL", AdminEmail), ("TICKETFLOW_ADMIN_PASSWORD", AdminPassword),
            ("Payments:Simulator:Latency", "00:00:00"), ("Payments:Simulator:ErrorRate", "1"), ("Payments:Simulator:DeclineRate", "0"),
            ("Payments:Breaker:MinimumThroughput", "1000"), ("Reminders:MinimumPeriod", "00:00:01"),
            ("Checkout:ResumeAfter", "00:00:02"), ("Checkout:ResumePeriod", "00:00:01"));
        api = new PurchaseApi(() => host.CreateClient(cookies: false), AdminEmail, AdminPassword);
        await api.AdminTokenAsync();
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task A_restart_keeps_holds_orders_and_tickets_and_an_unsettled_checkout_is_finished_by_its_reminder()
    {
        var (eventId, tiers) = await api.OnSaleEventAsync([10]);
        var buyer = await api.SignUpAsync();
        var kept = (await api.HoldAsync(buyer, eventId, [(tiers[0], 2)])).EnsureStatus(HttpStatusCode.Created).Get("holdId");
        var paid = (await api.HoldAsync(buyer, eventId, [(tiers[0], 1)])).EnsureStatus(HttpStatusCode.Created).Get("holdId");
        var orderId = (await api.CheckoutAsync(buyer, paid, "success")).EnsureStatus(HttpStatusCode.Created).Get("id");
        var unsettled = (await api.HoldAsync(buyer, eventId, [(tiers[0], 3)])).EnsureStatus(HttpStatusCode.Created).Get("holdId");
        // The gateway is failing: the saga stores Paying, answers 503, and leaves the rest to its reminder.
        var failing = await api.CheckoutAsync(buyer, unsettled, simulate: null);
        Assert.Equal((HttpStatusCode.ServiceUnavailable, ProblemCodes.PaymentUnavailable), (failing.Status, failing.Code));

        await host.RestartAsync(("Payments:Simulator:ErrorRate", "0")); // the process restarts; the gateway has recovered

        Assert.Equal("active", (await api.SendAsync(HttpMethod.Get, $"/api/v1/holds/{kept}", buyer.Token)).EnsureStatus(HttpStatusCode.OK).Get("state"));
        Assert.Equal("paid", (await api.SendAsync(HttpMethod.Get, $"/api/v1/orders/{orderId}", buyer.Token)).EnsureStatus(HttpStatusCode.OK).Get("state"));
        var settled = await Eventually.Get(() => api.SendAsync(HttpMethod.Get, $"/api/v1/holds/{unsettled}", buyer.Token),
            hold => hold.Get("state") == "purchased", TimeSpan.FromSeconds(30), "the checkout's reminder finishes it after the restart");
        var tickets = (await api.SendAsync(HttpMethod.Get, "/api/v1/me/tickets", buyer.Token)).EnsureStatus(HttpStatusCode.OK).Body.EnumerateArray().ToList();
        Assert.Equal(4, tickets.Count(t => t.GetProperty("state").GetString() == "valid")); // 1 paid before the restart, 3 settled after
        await api.CountsBecomeAsync(eventId, tiers[0], (4, 2, 4));
        Assert.NotNull(settled.Get("orderId"));
    }
}
