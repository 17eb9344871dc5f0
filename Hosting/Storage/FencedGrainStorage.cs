using Orleans.Runtime;
using Orleans.Storage;
using TicketFlow.Grains;

namespace TicketFlow.Hosting.Storage;

/// <summary>
/// Orleans' grain storage with one rule added: any failed write deactivates the activation that made it, so memory never
/// runs ahead of storage. Orleans itself deactivates only when an <see cref="InconsistentStateException"/> (a stale ETag)
/// escapes the grain call; a grain that catches it, or a write that failed otherwise (the database went away mid-write, an
/// outcome nobody knows), would keep serving state that may not be stored. A conflict stays an
/// <see cref="InconsistentStateException"/> (nothing was stored); any other failure becomes a
/// <see cref="StorageWriteFailedException"/> (outcome unknown), which callers treat as transient.
/// </summary>
public sealed class FencedGrainStorage(IGrainStorage inner, IGrainContextAccessor activations) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        FencedAsync(inner.WriteStateAsync(stateName, grainId, grainState), stateName, grainId, "write");

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        FencedAsync(inner.ClearStateAsync(stateName, grainId, grainState), stateName, grainId, "clear");

    private async Task FencedAsync(Task write, string stateName, GrainId grainId, string operation)
    {
        var activation = activations.GrainContext; // the caller's activation, read before any await
        try
        {
            await write;
        }
        catch (InconsistentStateException conflict)
        {
            activation?.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationError, conflict, $"Stale state '{stateName}': another activation wrote it."));
            throw;
        }
        catch (Exception failure)
        {
            var unknown = new StorageWriteFailedException(
                $"{grainId} state '{stateName}': the {operation} failed ({failure.GetBaseException().Message}); it may or may not be stored. The activation reloads.", failure);
            activation?.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationError, unknown, $"A {operation} of state '{stateName}' failed: outcome unknown."));
            throw unknown;
        }
    }
}
