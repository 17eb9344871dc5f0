namespace TicketFlow.Payments;

/// <summary>When the payment gateway is left alone: the circuit breaker and timeout of <see cref="ProtectedPaymentGateway"/>.
/// Polly requires a throughput of at least 2 and sampling and break durations of at least 0.5 s.</summary>
public sealed class PaymentBreakerOptions
{
    public const string Section = "Payments:Breaker";

    /// <summary>Share of failed calls (gateway errors and timeouts; declines are answers) that opens the breaker. Default 0.5.</summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Calls within the sampling window before the ratio counts, so two early errors do not stop all sales. Default 10.</summary>
    public int MinimumThroughput { get; set; } = 10;

    /// <summary>The window the failure ratio is measured over. Default 10 s.</summary>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an open breaker fails calls fast before it lets one probe through. Default 5 s.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one gateway call may take before it counts as failed with an unknown outcome. Default 5 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);
}
