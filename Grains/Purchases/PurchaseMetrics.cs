using System.Diagnostics.Metrics;
using TicketFlow.Domain.Seating;

namespace TicketFlow.Grains.Purchases;

/// <summary>
/// The purchase path's instruments (meter <c>TicketFlow.Purchases</c>), per event; exported at <c>/metrics</c> of the
/// process that records them (silos; WebFront when embedded). Seat changes are counted once the tier's (or section's) journal holds them.
/// </summary>
public static class PurchaseMetrics
{
    private static readonly Meter Meter = new("TicketFlow.Purchases");

    private static readonly Counter<long> Holds = Meter.CreateCounter<long>("ticketflow_holds_total", description: "Hold requests by event and outcome (granted or the problem code).");
    private static readonly Counter<long> SeatsHeld = Meter.CreateCounter<long>("ticketflow_seats_held_total", description: "Seats put on hold, by event.");
    private static readonly Counter<long> SeatsSold = Meter.CreateCounter<long>("ticketflow_seats_sold_total", description: "Seats sold, by event.");
    private static readonly Counter<long> SeatsRefunded = Meter.CreateCounter<long>("ticketflow_seats_refunded_total", description: "Sold seats returned to sale by refunds, by event.");
    private static readonly Counter<long> HoldsExpired = Meter.CreateCounter<long>("ticketflow_holds_expired_total", description: "Holds that expired, by event.");
    private static readonly Counter<long> Refunds = Meter.CreateCounter<long>("ticketflow_refunds_total", description: "Refunds done, by event, reason and extent (partial or full).");
    private static readonly Counter<long> Checkouts = Meter.CreateCounter<long>("ticketflow_checkouts_total", description: "Checkouts by event and outcome.");

    public static void HoldRequested(string eventId, string? error) =>
        Holds.Add(1, new("event", eventId), new("outcome", error ?? "granted"));

    public static void Applied(string eventId, IEnumerable<InventoryEvent> events, Func<string, int> quantityOf)
    {
        foreach (var change in events)
        {
            switch (change)
            {
                case HoldPlaced placed: SeatsHeld.Add(placed.Quantity, new KeyValuePair<string, object?>("event", eventId)); break;
                case SaleConfirmed sold: SeatsSold.Add(quantityOf(sold.HoldId), new KeyValuePair<string, object?>("event", eventId)); break;
                case SaleRefunded refunded: SeatsRefunded.Add(quantityOf(refunded.HoldId), new KeyValuePair<string, object?>("event", eventId)); break;
                case SeatsRefunded partial: SeatsRefunded.Add(partial.Quantity, new KeyValuePair<string, object?>("event", eventId)); break;
                case HoldExpired: HoldsExpired.Add(1, new KeyValuePair<string, object?>("event", eventId)); break;
            }
        }
    }

    /// <summary>The same counts from a section's journal (reserved seats): every entry names its seats.</summary>
    public static void Applied(string eventId, IEnumerable<SectionEvent> events)
    {
        var tag = new KeyValuePair<string, object?>("event", eventId);
        foreach (var change in events)
        {
            switch (change)
            {
                case TicketFlow.Domain.Seating.SeatsHeld held: SeatsHeld.Add(held.Seats.Length, tag); break;
                case TicketFlow.Domain.Seating.SeatsSold sold: SeatsSold.Add(sold.Seats.Length, tag); break;
                case SoldSeatsReturned returned: SeatsRefunded.Add(returned.Seats.Length, tag); break;
                case SeatHoldExpired: HoldsExpired.Add(1, tag); break;
            }
        }
    }

    public static void Refunded(string eventId, string reason, bool partial) =>
        Refunds.Add(1, new("event", eventId), new("reason", reason), new("extent", partial ? "partial" : "full"));

    public static void CheckoutEnded(string eventId, string outcome) => Checkouts.Add(1, new("event", eventId), new("outcome", outcome));
}
