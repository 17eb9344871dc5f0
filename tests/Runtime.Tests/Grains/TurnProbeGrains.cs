using TicketFlow.Runtime;

namespace TicketFlow.Runtime.Tests.Grains;

/// <summary>The probe's methods, shared by a non-reentrant and a reentrant grain interface.</summary>
public interface ITurnProbe
{
    /// <summary>A turn with await points in it; records whether another turn was inside at the same time.</summary>
    Task Work();

    Task<int> Overlaps();

    /// <summary>Waits until a second call of this method arrives: only possible if the two interleave.</summary>
    Task<bool> Rendezvous();

    /// <summary>Same as <see cref="Rendezvous"/>, but read-only, so two of them may interleave.</summary>
    [ReadOnly]
    Task<bool> ReadOnlyRendezvous();
}

public interface ITurnProbeGrain : ITurnProbe, IGrainWithStringKey;

public interface IReentrantProbeGrain : ITurnProbe, IGrainWithStringKey;

public abstract class TurnProbeGrainBase : Grain, ITurnProbe
{
    private int inside;
    private int overlaps;
    private int arrivals;
    private readonly TaskCompletionSource bothArrived = new();

    public async Task Work()
    {
        if (Interlocked.Increment(ref inside) > 1) Interlocked.Increment(ref overlaps);
        await Task.Yield();
        await Task.Yield();
        Interlocked.Decrement(ref inside);
    }

    public Task<int> Overlaps() => Task.FromResult(Volatile.Read(ref overlaps));

    public Task<bool> Rendezvous() => Meet();

    public Task<bool> ReadOnlyRendezvous() => Meet();

    private async Task<bool> Meet()
    {
        if (++arrivals == 2) bothArrived.SetResult();
        try
        {
            await bothArrived.Task.WaitAsync(TimeSpan.FromSeconds(2));
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}

public sealed class TurnProbeGrain : TurnProbeGrainBase, ITurnProbeGrain;

[Reentrant]
public sealed class ReentrantProbeGrain : TurnProbeGrainBase, IReentrantProbeGrain;
