namespace TicketFlow.Grains.Diagnostics;

[GrainType("ping")]
public sealed class PingGrain(TimeProvider time) : Grain, IPingGrain
{
    public Task<PingReply> Ping() => Task.FromResult(new PingReply(RuntimeIdentity, time.GetUtcNow()));
}
