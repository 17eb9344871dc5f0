namespace TicketFlow.Grains.Diagnostics;

/// <summary>Answers from whichever silo hosts it: readiness checks use it to prove a grain call goes through.</summary>
[Alias("TicketFlow.IPingGrain")]
public interface IPingGrain : IGrainWithStringKey
{
    [ReadOnly, Alias("Ping")]
    Task<PingReply> Ping();
}

[GenerateSerializer, Immutable, Alias("TicketFlow.PingReply")]
public sealed record PingReply([property: Id(0)] string Silo, [property: Id(1)] DateTimeOffset At);
