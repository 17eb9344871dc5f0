using Orleans;
using Orleans.Runtime;
using Orleans.Storage;

namespace TicketFlow.Testing;

/// <summary>Orleans' real grain storage with a switch that makes the next writes fail before they reach the database.</summary>
public sealed class FaultInjectingGrainStorage(IGrainStorage inner) : IGrainStorage
{
    private int failuresToInject;

    /// <summary>The next <paramref name="count"/> writes (anywhere in the cluster) throw <see cref="InjectedFaultException"/> and store nothing.</summary>
    public void FailNextWrites(int count) => Interlocked.Exchange(ref failuresToInject, count);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Injected() ? Task.FromException(new InjectedFaultException()) : inner.WriteStateAsync(stateName, grainId, grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Injected() ? Task.FromException(new InjectedFaultException()) : inner.ClearStateAsync(stateName, grainId, grainState);

    private bool Injected()
    {
        var left = Volatile.Read(ref failuresToInject);
        while (left > 0)
        {
            if (Interlocked.CompareExchange(ref failuresToInject, left - 1, left) == left) return true;
            left = Volatile.Read(ref failuresToInject);
        }
        return false;
    }
}
