using TicketFlow.Runtime;

namespace TicketFlow.Benchmarks;

public interface IBenchCounterGrain : IGrainWithStringKey
{
    /// <summary>One conditional write per call.</summary>
    Task<long> Increment();

    /// <summary>Batched durable turn: many calls share one conditional write.</summary>
    [GroupCommit]
    Task<long> IncrementBatched();

    [ReadOnly]
    Task<long> Get();
}

public sealed class BenchCounterState
{
    public long Value { get; set; }
}

public sealed class BenchCounterGrain([PersistentState("counter")] IPersistentState<BenchCounterState> counter) : Grain, IBenchCounterGrain
{
    public async Task<long> Increment()
    {
        counter.State.Value++;
        await counter.WriteStateAsync();
        return counter.State.Value;
    }

    public Task<long> IncrementBatched() => Task.FromResult(++counter.State.Value);

    public Task<long> Get() => Task.FromResult(counter.State.Value);
}
