namespace TicketFlow.Domain.Inventory;

/// <summary>A tier's terms as the catalog sets them: how many seats, and how many of them one user may hold or own.</summary>
public sealed record TierTerms(int Capacity, int PerUserLimit);
