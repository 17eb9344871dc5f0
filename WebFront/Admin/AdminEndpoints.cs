using TicketFlow.Data.Orders;
using TicketFlow.Grains.Inventory;
using TicketFlow.Grains.Seating;
using TicketFlow.WebFront.Accounts;
using TicketFlow.WebFront.Catalog;
using TicketFlow.WebFront.Seating;

namespace TicketFlow.WebFront.Admin;

/// <summary><c>/api/v1/admin/*</c>: operator views, admins only.</summary>
public static class AdminEndpoints
{
    public const string Policy = "admin";

    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/v1/admin").RequireAuthorization(Policy).WithTags("Admin");
        admin.MapGet("/cluster", ClusterAsync);
        admin.MapGet("/events/{eventId}/stats", EventStatsAsync);
        return app;
    }

    /// <summary>The cluster as Orleans' management grain sees it: every silo in membership with its status, and the active ones'
    /// activations (per grain type), CPU and memory.</summary>
    private static async Task<IResult> ClusterAsync(IGrainFactory grains, CancellationToken cancellationToken)
    {
        var management = grains.GetGrain<IManagementGrain>(0);
        var hosts = await management.GetDetailedHosts(onlyActive: false, cancellationToken);
        var active = hosts.Where(h => h.Status == SiloStatus.Active).Select(h => h.SiloAddress).ToArray();
        var statistics = (await management.GetRuntimeStatistics(active, cancellationToken)).Zip(active).ToDictionary(s => s.Second, s => s.First);
        var grainTypes = (await management.GetSimpleGrainStatistics(active, cancellationToken)).ToLookup(g => g.SiloAddress);
        return Results.Ok(new
        {
            silos = hosts.OrderBy(h => h.SiloAddress.ToString()).Select(h => new
            {
                silo = h.SiloAddress.ToString(),
                name = h.SiloName,
                host = h.HostName,
                status = h.Status.ToString(),
                startedAt = new DateTimeOffset(h.StartTime, TimeSpan.Zero),
                iAmAliveAt = new DateTimeOffset(h.IAmAliveTime, TimeSpan.Zero),
                activations = statistics.GetValueOrDefault(h.SiloAddress)?.ActivationCount,
                activationsByType = grainTypes[h.SiloAddress].GroupBy(g => g.GrainType.Split(',')[0]).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Sum(x => x.ActivationCount)),
                cpuPercent = statistics.GetValueOrDefault(h.SiloAddress)?.EnvironmentStatistics.FilteredCpuUsagePercentage,
                memoryUsageBytes = statistics.GetValueOrDefault(h.SiloAddress)?.EnvironmentStatistics.FilteredMemoryUsageBytes,
                clients = statistics.GetValueOrDefault(h.SiloAddress)?.ClientCount,
            }),
        });
    }

    // Counts from the inventory grains (authoritative), money and orders from the order book.
    private static async Task<IResult> EventStatsAsync(string eventId, ICatalogStore catalog, IGrainFactory grains, IOrderBook orders, SeatMaps maps,
        CancellationToken cancellationToken)
    {
        if (eventId.Length > 100 || await catalog.GetAsync(eventId, cancellationToken) is not { } details)
            return Problems.Of(ProblemCodes.EventNotFound);
        var sections = await SectionStatisticsAsync(details, maps, grains, cancellationToken);
        var tiers = await Task.WhenAll(details.Tiers.Select(t => t.Reserved
            ? Task.FromResult(SeatTierStatistics.Sum(eventId, t.Id, sections))
            : grains.GetGrain<IEventInventoryGrain>(TierKey.For(eventId, t.Id)).GetStatistics()));
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

    // A reserved tier's statistics are its sections': read every section that sells seats (only the admin's board asks).
    private static async Task<IReadOnlyList<SectionStatistics>> SectionStatisticsAsync(EventDetails details, SeatMaps maps, IGrainFactory grains,
        CancellationToken cancellationToken)
    {
        if (!details.Tiers.Any(t => t.Reserved) || await maps.GetAsync(details, cancellationToken) is not { } map) return [];
        return await Task.WhenAll(map.SectionsOfTier.Values.SelectMany(s => s).Distinct()
            .Select(sectionId => grains.GetGrain<ISeatSectionGrain>(SectionKey.For(details.Id, sectionId)).GetStatistics()));
    }

    public static IServiceCollection AddAdminPolicy(this IServiceCollection services) =>
        services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy.RequireRole(Roles.Admin)).Services;
}
