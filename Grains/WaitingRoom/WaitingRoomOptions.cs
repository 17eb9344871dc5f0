namespace TicketFlow.Grains.WaitingRoom;

/// <summary>Defaults of every waiting room (configuration section <c>WaitingRoom</c>); admins change a room's settings while it runs.</summary>
public sealed class WaitingRoomOptions
{
    /// <summary>The settings a new room starts with (wave size 100 every 10 s, at most 1,000 shopping, 10 min admissions, drop after 2 min without a poll).</summary>
    public WaitingRoomSettings Defaults { get; set; } = new();

    /// <summary>How often an active room drops the abandoned, expires admissions and admits a wave if one is due. Default 1 s.</summary>
    public TimeSpan TickPeriod { get; set; } = TimeSpan.FromSeconds(1);
}
