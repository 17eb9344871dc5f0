namespace TicketFlow.Payments;

/// <summary>How the simulated card gateway behaves when a request does not force an outcome. The defaults succeed 80 % of the time,
/// like the reference systems' simulators.</summary>
public sealed class SimulatedGatewayOptions
{
    public const string Section = "Payments:Simulator";

    /// <summary>The simulated processing delay of every capture and refund. Default 50 ms.</summary>
    public TimeSpan Latency { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Share of unforced captures the card issuer declines. Default 0.15.</summary>
    public double DeclineRate { get; set; } = 0.15;

    /// <summary>Share of unforced captures that fail with a gateway error and record nothing. Default 0.05.</summary>
    public double ErrorRate { get; set; } = 0.05;

    /// <summary>Seeds the outcome draws so a run is repeatable; null (the default) draws differently every run.</summary>
    public int? Seed { get; set; }

    internal void Validate()
    {
        if (Latency < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(Latency), Latency, "The latency cannot be negative.");
        if (DeclineRate is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(DeclineRate), DeclineRate, "A rate is between 0 and 1.");
        if (ErrorRate is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(ErrorRate), ErrorRate, "A rate is between 0 and 1.");
        if (DeclineRate + ErrorRate > 1) throw new ArgumentOutOfRangeException(nameof(DeclineRate), DeclineRate + ErrorRate, "Declines and errors together exceed every capture.");
    }
}
