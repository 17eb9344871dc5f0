using System.Collections.Concurrent;
using TicketFlow.Runtime;

namespace TicketFlow.Runtime.Tests.Grains;

public sealed class TicketSoldOutException(string message) : Exception(message);

public interface IBehaviourGrain : IGrainWithStringKey
{
    Task<bool> IsActivated();

    Task Throw(string message);

    Task ThrowCustom(string message);

    Task Hang(TimeSpan duration);

    Task StartTimer(TimeSpan period);

    [ReadOnly]
    Task<TimerReport> TimerTicks();

    Task Publish(string topic, string text);
}

/// <summary>Observations a test makes of grain lifecycles it cannot see through calls.</summary>
public static class Lifecycle
{
    public static readonly ConcurrentDictionary<string, int> Activations = new();
    public static readonly ConcurrentDictionary<string, int> Deactivations = new();
    public static readonly ConcurrentDictionary<string, byte> Started = new();
}

public sealed record Announcement(string Text);

public sealed record TimerReport(int Ticks, int Overlaps);

public sealed class BehaviourGrain : Grain, IBehaviourGrain
{
    private bool activated;
    private int ticks;
    private int inTick;
    private int overlaps;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Lifecycle.Activations.AddOrUpdate(GetPrimaryKeyString(), 1, (_, n) => n + 1);
        await Task.Delay(TimeSpan.FromMilliseconds(300), cancellationToken);
        activated = true;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Lifecycle.Deactivations.AddOrUpdate(GetPrimaryKeyString(), 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }

    public Task<bool> IsActivated() => Task.FromResult(activated);

    public Task Throw(string message) => throw new InvalidOperationException(message);

    public Task ThrowCustom(string message) => throw new TicketSoldOutException(message);

    public Task Hang(TimeSpan duration) => Task.Delay(duration);

    public Task StartTimer(TimeSpan period)
    {
        RegisterTimer(async _ =>
        {
            if (Interlocked.Increment(ref inTick) > 1) overlaps++;
            await Task.Delay(period * 2); // longer than the period: the next tick must still wait for this one
            ticks++;
            Interlocked.Decrement(ref inTick);
        }, period, period);
        return Task.CompletedTask;
    }

    public Task<TimerReport> TimerTicks() => Task.FromResult(new TimerReport(ticks, overlaps));

    public Task Publish(string topic, string text)
    {
        base.Publish(topic, new Announcement(text));
        return Task.CompletedTask;
    }
}
