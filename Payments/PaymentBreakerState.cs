namespace TicketFlow.Payments;

/// <summary>The payment gateway's circuit breaker as health checks and dashboards see it.</summary>
public enum PaymentBreakerState
{
    /// <summary>Calls reach the gateway.</summary>
    Closed,

    /// <summary>Calls fail fast with <see cref="PaymentUnavailableException"/> without reaching the gateway.</summary>
    Open,

    /// <summary>The break is over and one probe call decides whether the breaker closes or opens again.</summary>
    HalfOpen,
}
