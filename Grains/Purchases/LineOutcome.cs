using TicketFlow.Domain.Purchases;

namespace TicketFlow.Grains.Purchases;

/// <summary>What placing one line of a hold came to: null error with the line as held (a reserved line with its seats), or the
/// refusal and the seats it is about.</summary>
internal sealed record LineOutcome(string? Error, HoldLine Line, IReadOnlyList<string> SeatIds);
