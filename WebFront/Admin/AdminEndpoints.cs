using TicketFlow.Grains.Inventory;
using TicketFlow.Grains.Orders;
using TicketFlow.Runtime;
using TicketFlow.Runtime.Statistics;
using TicketFlow.WebFront.Accounts;
using TicketFlow.WebFront.Catalog;

namespace TicketFlow.WebFront.Admin;

/// <summary><c>/api/v1/admin/*</c>: operator views, admins only.</summary>
public static class AdminEndpoints
{
    public const string Policy = "admin";

    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/v1/admin").RequireAuthorization(Policy).WithTags("Admin");
        // Dashboard data: per silo status, activations, per grain method calls/errors/latency, reminders, group commits, process.
        admin.MapGet("/cluster", async (ISiloReports silos, CancellationToken cancellationToken) =>
            Results.Ok(new { silos = await silos.GetSiloReportsAsync(cancellationToken) }));
        admin.MapGet("/events/{eventId}/stats", EventStatsAsync);
        return app;
    }

    // Counts from the tier grains (authoritative), money and orders from the order book.
    private static async Task<IResult> EventStatsAsync(string eventId, ICatalogStore catalog, IGrainFactory grains, IOrderBook orders,
        CancellationToken cancellationToken)
    {
        if (eventId.Length > 100 || await catalog.GetAsync(eventId, cancellationToken) is not { } details)
            return Problems.Problem(StatusCodes.Status404NotFound, "event_not_found", "No event has this id.");
        var tiers = await Task.WhenAll(details.Tiers.Select(t => grains.GetGrain<IEventInventoryGrain>(TierKey.For(eventId, t.Id)).GetStatistics()));
        var sales = await orders.SalesAsync(eventId, cancellationToken);
        return Results.Ok(new
        {
            eventId,
            status = details.Status,
            tiers = details.Tiers.Zip(tiers, (t, s) => new
            {
                tierId = t.Id, name = t.Name, capacity = s.Counts.Capacity, available = s.Counts.Available, held = s.Counts.Held, sold = s.Counts.Sold,
                revenueMinor = sales.Tiers.FirstOrDefault(x => x.TierId == t.Id)?.RevenueMinor ?? 0,
                holdsPlaced = s.HoldsPlaced, holdsExpired = s.HoldsExpired, holdsReleased = s.HoldsReleased, refunds = s.Refunds,
            }),
            revenueMinor = sales.RevenueMinor,
            currency = details.Tiers.FirstOrDefault()?.Currency,
            orders = sales.PaidOrders,
            refundedOrders = sales.RefundedOrders,
            holdsExpired = tiers.Sum(s => s.HoldsExpired),
            checkoutFailures = sales.CheckoutFailures,
        });
    }

    public static IServiceCollection AddAdminPolicy(this IServiceCollection services) =>
        services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy.RequireRole(Roles.Admin)).Services;
}
