using TicketFlow.Runtime;

namespace TicketFlow.Grains.Diagnostics;

/// <summary>Answers from whichever silo hosts it: readiness checks use it to prove a grain call goes through.</summary>
public interface IPingGrain : IGrainWithStringKey
{
    [ReadOnly]
    Task<PingReply> Ping();
}

public sealed record PingReply(string Silo, DateTimeOffset At);
