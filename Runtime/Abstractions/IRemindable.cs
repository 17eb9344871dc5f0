namespace TicketFlow.Runtime;

/// <summary>Implemented by grains that register durable reminders.</summary>
/// <remarks>Ticks may be delivered twice during membership changes: the callback must be idempotent.</remarks>
public interface IRemindable
{
    Task ReceiveReminder(string reminderName, TickStatus status);
}

/// <param name="DueAt">When this tick was due.</param>
/// <param name="Period">The reminder's period.</param>
/// <param name="CurrentTime">When the tick was delivered.</param>
public readonly record struct TickStatus(DateTimeOffset DueAt, TimeSpan Period, DateTimeOffset CurrentTime);
