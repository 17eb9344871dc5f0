using TicketFlow.Runtime.Statistics;

namespace TicketFlow.Grains.Payments;

/// <summary>The payment breaker's state in this silo's report, so a WebFront's readiness can show it in cluster mode.</summary>
public sealed class PaymentBreakerHealth(ProtectedPaymentGateway gateway) : ISiloHealthSource
{
    public const string Source = "payments";

    public string Name => Source;

    public string State => gateway.BreakerState switch
    {
        PaymentBreakerState.Open => "open",
        PaymentBreakerState.HalfOpen => "half_open",
        _ => "closed",
    };
}
