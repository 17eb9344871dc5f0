using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace TicketFlow.Payments;

/// <summary>The gateway's instruments (meter <c>TicketFlow.Payments</c>), exported at <c>/metrics</c> of the process that pays (silos; WebFront when embedded).</summary>
public static class PaymentMetrics
{
    private static readonly Meter Meter = new("TicketFlow.Payments");
    private static readonly ConcurrentDictionary<ProtectedPaymentGateway, byte> Breakers = new();
    private static readonly Histogram<double> CaptureSeconds = Meter.CreateHistogram<double>("ticketflow_payment_duration_seconds", "s", "Payment gateway capture latency by outcome.");

    static PaymentMetrics() => Meter.CreateObservableGauge("ticketflow_payment_breaker_state",
        () => Breakers.Keys.Select(b => b.BreakerState switch { PaymentBreakerState.Open => 2L, PaymentBreakerState.HalfOpen => 1L, _ => 0L }).DefaultIfEmpty(0).Max(),
        description: "Payment circuit breaker: 0 closed, 1 half-open, 2 open (the worst of this process's breakers).");

    public static void Captured(TimeSpan elapsed, string outcome) => CaptureSeconds.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));

    public static void Observe(ProtectedPaymentGateway breaker) => Breakers.TryAdd(breaker, 0);
}
