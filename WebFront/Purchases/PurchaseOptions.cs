namespace TicketFlow.WebFront.Purchases;

/// <summary>Limits of the purchase path (configuration section <c>Purchases</c>).</summary>
public sealed class PurchaseOptions
{
    /// <summary>Seats one <c>POST /holds</c> may ask for, across its items. Default 6.</summary>
    public int MaxSeatsPerOrder { get; set; } = 6;

    /// <summary>Seats one user may hold or own at one event, counting active holds. Default 6.</summary>
    public int MaxSeatsPerUserPerEvent { get; set; } = 6;
}
