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

    // Nothing can be held or sold until the purchase path (inventory grains, orders) exists, so those counts are truly
    // zero today; that issue replaces them with the grains' and the orders table's numbers.
    private static async Task<IResult> EventStatsAsync(string eventId, ICatalogStore catalog, CancellationToken cancellationToken)
    {
        if (await catalog.GetAsync(eventId, cancellationToken) is not { } details)
            return Problems.Problem(StatusCodes.Status404NotFound, "event_not_found", "No event has this id.");
        return Results.Ok(new
        {
            eventId,
            status = details.Status,
            tiers = details.Tiers.Select(t => new { tierId = t.Id, name = t.Name, capacity = t.Capacity, available = t.Capacity, held = 0, sold = 0 }),
            revenueMinor = 0L,
            currency = details.Tiers.FirstOrDefault()?.Currency,
            orders = 0,
            holdsExpired = 0,
            checkoutFailures = 0,
        });
    }

    public static IServiceCollection AddAdminPolicy(this IServiceCollection services) =>
        services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy.RequireRole(Roles.Admin)).Services;
}
