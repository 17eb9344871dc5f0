using TicketFlow.Data.Orders;
using TicketFlow.Grains.Inventory;
using TicketFlow.Grains.Purchases;
using TicketFlow.WebFront.Catalog;

namespace TicketFlow.WebFront.Purchases;

/// <summary>What catalog changes mean for the tiers' inventory grains: create them, apply changed terms (capacity, per-user
/// limit) at once, close them and refund on cancel.</summary>
public sealed class EventInventories(IGrainFactory grains, IOrderBook orders, EventLookup events, ILogger<EventInventories> logger)
{
    private const int ParallelRefunds = 8;

    public async Task ProvisionAsync(EventDetails details)
    {
        events.Forget(details.Id);
        await Task.WhenAll(details.Tiers.Select(t => Inventory(details.Id, t.Id).Configure(new TierTerms(t.Capacity, t.PerUserLimit))));
    }

    /// <summary>Stops sales on every tier, then refunds every ticket left of every paid order, whoever holds it now (the holder sees it
    /// void, reason <c>event_cancelled</c>). Safe to repeat: each order's cancellation refund has one id.</summary>
    /// <returns>Orders refunded, and orders whose refund is still pending (their sagas retry on their own).</returns>
    public async Task<(int Refunded, int Pending)> CancelAsync(EventDetails details, CancellationToken cancellationToken)
    {
        events.Forget(details.Id);
        await Task.WhenAll(details.Tiers.Select(t => Inventory(details.Id, t.Id).Close()));
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

    private IEventInventoryGrain Inventory(string eventId, string tierId) => grains.GetGrain<IEventInventoryGrain>(TierKey.For(eventId, tierId));
}
