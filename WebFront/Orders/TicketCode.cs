namespace TicketFlow.WebFront.Orders;

/// <summary>What a verified ticket code names: the ticket and the version it was signed for (a transfer makes older versions void).</summary>
public sealed record TicketCode(string TicketId, int Version);
