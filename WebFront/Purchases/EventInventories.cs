using TicketFlow.Data.Orders;
using TicketFlow.Grains.Inventory;
using TicketFlow.Grains.Purchases;
using TicketFlow.Grains.Seating;
using TicketFlow.WebFront.Catalog;
using TicketFlow.WebFront.Seating;

namespace TicketFlow.WebFront.Purchases;

/// <summary>What catalog changes mean for the grains that sell an event: the general-admission tiers' inventory grains and the
/// seat map's section grains. Create them, apply changed terms (capacity, per-user limit) at once, close them and refund on cancel.</summary>
public sealed class EventInventories(IGrainFactory grains, IOrderBook orders, EventLookup events, SeatMaps seatMaps, ILogger<EventInventories> logger)
{
    private const int ParallelRefunds = 8;

    /// <summary>Section grains configured or closed at once: a stadium has ~70, and each call carries up to 10,000 seats.</summary>
    private const int ParallelSections = 16;

    /// <summary>Configures every general-admission tier (reserved tiers have no inventory grain: their seats live in sections), and, once
    /// the event is published, every section of its seat map that sells seats. A section's plan is set once and never changes, so a
    /// draft's sections wait for publishing (its seating may still change). Safe to repeat.</summary>
    public async Task ProvisionAsync(EventDetails details)
    {
        events.Forget(details.Id);
        await Task.WhenAll(details.Tiers.Where(t => !t.Reserved).Select(t => Inventory(details.Id, t.Id).Configure(new TierTerms(t.Capacity, t.PerUserLimit))));
        if (details.Status == EventStatus.Draft) return;
        var selling = await SellingSectionsAsync(details, CancellationToken.None);
        await Parallel.ForEachAsync(selling, new ParallelOptions { MaxDegreeOfParallelism = ParallelSections },
            async (plan, _) => await Section(details.Id, plan.SectionId).Configure(plan));
    }

    /// <summary>Stops sales on every tier, then refunds every ticket left of every paid order, whoever holds it now (the holder sees it
    /// void, reason <c>event_cancelled</c>). Safe to repeat: each order's cancellation refund has one id.</summary>
    /// <returns>Orders refunded, and orders whose refund is still pending (their sagas retry on their own).</returns>
    public async Task<(int Refunded, int Pending)> CancelAsync(EventDetails details, CancellationToken cancellationToken)
    {
        events.Forget(details.Id);
        await Task.WhenAll(details.Tiers.Where(t => !t.Reserved).Select(t => Inventory(details.Id, t.Id).Close()));
        await Parallel.ForEachAsync(await SellingSectionsAsync(details, cancellationToken),
            new ParallelOptions { MaxDegreeOfParallelism = ParallelSections, CancellationToken = cancellationToken },
            async (plan, _) => await Section(details.Id, plan.SectionId).Close());
        var paid = await orders.PaidOrderIdsAsync(details.Id, cancellationToken);
        int refunded = 0, pending = 0;
        await Parallel.ForEachAsync(paid, new ParallelOptions { MaxDegreeOfParallelism = ParallelRefunds, CancellationToken = cancellationToken }, async (orderId, _) =>
        {
            var reply = await grains.GetGrain<ICheckoutGrain>(orderId).Refund(new RefundRequest(RefundIds.Cancellation(orderId), null, Force: true));
            Interlocked.Increment(ref reply.Error is null ? ref refunded : ref pending);
        });
        logger.LogInformation("Event {EventId} cancelled: {Refunded} orders refunded, {Pending} pending", details.Id, refunded, pending);
        return (refunded, pending);
    }

    /// <summary>The seat map's sections where some seat has a tier (the others sell nothing at this event).</summary>
    private async Task<IReadOnlyList<Domain.Seating.SectionPlan>> SellingSectionsAsync(EventDetails details, CancellationToken cancellationToken) =>
        await seatMaps.GetAsync(details, cancellationToken) is { } map
            ? map.Plans.Where(p => p.Rows.Any(r => r.Seats.Any(s => s.TierId is not null))).ToList()
            : [];

    private ISeatSectionGrain Section(string eventId, string sectionId) => grains.GetGrain<ISeatSectionGrain>(SectionKey.For(eventId, sectionId));

    private IEventInventoryGrain Inventory(string eventId, string tierId) => grains.GetGrain<IEventInventoryGrain>(TierKey.For(eventId, tierId));
}
