namespace TicketFlow.Data.Transfers;

/// <summary>Ticket transfer offers (configuration section <c>Transfers</c>).</summary>
public sealed class TransferOptions
{
    public const string Section = "Transfers";

    /// <summary>How long an offer may be accepted; the ticket stays the sender's meanwhile. Default 7 days.</summary>
    public TimeSpan OfferLifetime { get; set; } = TimeSpan.FromDays(7);
}
