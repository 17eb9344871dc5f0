using Orleans;
using Orleans.Runtime;
using Orleans.Storage;

namespace TicketFlow.Testing;

/// <summary>Orleans' real grain storage (one silo's) with a cluster-wide switch that makes the next writes fail before they reach the database.</summary>
public sealed class FaultInjectingGrainStorage(IGrainStorage inner, FaultSwitch faults) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        faults.Trip() ? Task.FromException(new InjectedFaultException()) : inner.WriteStateAsync(stateName, grainId, grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        faults.Trip() ? Task.FromException(new InjectedFaultException()) : inner.ClearStateAsync(stateName, grainId, grainState);
}
