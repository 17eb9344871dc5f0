namespace TicketFlow.Domain.WaitingRoom;

/// <summary>How a waiting room admits buyers; changeable while the sale runs (each change is journaled).</summary>
public sealed record WaitingRoomSettings
{
    /// <summary>Most users admitted per wave. Default 100.</summary>
    public int WaveSize { get; init; } = 100;

    /// <summary>Time between waves. Default 10 s.</summary>
    public TimeSpan WaveInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Most admitted users shopping at once (admitted, not yet completed, expired or gone). Default 1,000.</summary>
    public int MaxActive { get; init; } = 1000;

    /// <summary>No admissions while paused; joining, leaving and positions still work. Default false.</summary>
    public bool Paused { get; init; }

    /// <summary>How long an admission lasts before the user must queue again. Default 10 min.</summary>
    public TimeSpan AdmissionTtl { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>A waiting user who has not polled their status for this long is dropped. Default 2 min.</summary>
    public TimeSpan AbandonAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Throws when a setting would make the line stall or misbehave.</summary>
    public void Validate()
    {
        if (WaveSize < 1) throw new ArgumentOutOfRangeException(nameof(WaveSize), WaveSize, "A wave admits at least one user (pause to stop admissions).");
        if (MaxActive < 1) throw new ArgumentOutOfRangeException(nameof(MaxActive), MaxActive, "At least one user must be able to shop (pause to stop admissions).");
        if (WaveInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(WaveInterval), WaveInterval, "The wave interval must be positive.");
        if (AdmissionTtl <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(AdmissionTtl), AdmissionTtl, "The admission TTL must be positive.");
        if (AbandonAfter <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(AbandonAfter), AbandonAfter, "The abandonment timeout must be positive.");
    }
}
