using TicketFlow.Runtime;

namespace TicketFlow.Runtime.Tests.Grains;

public sealed record ActivationInfo(string ActivationId, string Silo);

public interface ICounterGrain : IGrainWithStringKey
{
    /// <summary>One conditional write per call.</summary>
    Task<long> Increment();

    /// <summary>Applied in memory; acknowledged after the group commit that stores it.</summary>
    [GroupCommit]
    Task<long> IncrementBatched();

    /// <summary>A group-commit call that awaits before changing state, so a test can stop the silo mid-turn.</summary>
    [GroupCommit]
    Task<long> IncrementBatchedAfter(int milliseconds);

    [ReadOnly]
    Task<long> Get();

    /// <summary>A read that awaits, so that concurrent reads overlap.</summary>
    [ReadOnly]
    Task<long> SlowGet(int milliseconds);

    [ReadOnly]
    Task<ActivationInfo> WhoAmI();

    /// <summary>Calls another counter from inside this grain (grain-to-grain).</summary>
    Task<ActivationInfo> WhoIs(string otherKey);

    Task Deactivate();
}

public sealed class CounterState
{
    public long Value { get; set; }
}

public sealed class CounterGrain([PersistentState("counter")] IPersistentState<CounterState> counter) : Grain, ICounterGrain
{
    private readonly string activationId = Guid.NewGuid().ToString("N");

    public async Task<long> Increment()
    {
        counter.State.Value++;
        await counter.WriteStateAsync();
        return counter.State.Value;
    }

    public Task<long> IncrementBatched() => Task.FromResult(++counter.State.Value);

    public async Task<long> IncrementBatchedAfter(int milliseconds)
    {
        Lifecycle.Started.TryAdd(GetPrimaryKeyString(), 0);
        await Task.Delay(milliseconds);
        return ++counter.State.Value;
    }

    public Task<long> Get() => Task.FromResult(counter.State.Value);

    public async Task<long> SlowGet(int milliseconds)
    {
        await Task.Delay(milliseconds);
        return counter.State.Value;
    }

    public Task<ActivationInfo> WhoAmI() => Task.FromResult(new ActivationInfo(activationId, SiloIdentity));

    public Task<ActivationInfo> WhoIs(string otherKey) => GrainFactory.GetGrain<ICounterGrain>(otherKey).WhoAmI();

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}
