using TicketFlow.Runtime;

namespace TicketFlow.Grains.Diagnostics;

public sealed class PingGrain : Grain, IPingGrain
{
    public Task<PingReply> Ping() => Task.FromResult(new PingReply(SiloIdentity, Time.GetUtcNow()));
}
