namespace TicketFlow.Grains.Inventory;

/// <summary>Where tier grains push their counts (payload: <see cref="TierCounts"/>); WebFronts subscribe to the prefix.</summary>
public static class AvailabilityTopic
{
    public const string Prefix = "availability/";

    public static string For(string eventId) => Prefix + eventId;
}
