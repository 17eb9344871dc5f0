namespace TicketFlow.WebFront.Orders;

/// <summary>What a verified ticket code names: the ticket and the version it was signed for (a transfer makes older versions void),
/// and for a reserved seat its labels, so a scanner shows the way without a lookup.</summary>
public sealed record TicketCode(string TicketId, int Version, SeatLabels? Seat = null);

/// <summary>A reserved seat as a ticket code carries it: the labels an attendant reads.</summary>
public sealed record SeatLabels(string Section, string Row, string Number);
