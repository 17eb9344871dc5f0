using System.Text.Json;
using TicketFlow.Runtime.Storage;

namespace TicketFlow.Runtime.Activation;

/// <summary>The parts of a persistent state the activation drives: load on activation, write for a group commit.</summary>
internal interface IStateBinding
{
    Task ReadStateAsync();
    Task WriteStateAsync();
}

/// <summary>
/// A grain's persistent state. Writes are conditional on the version this activation holds; a failed
/// write leaves memory ahead of storage, so the activation is deactivated and the next call reloads.
/// </summary>
internal sealed class PersistentState<TState>(string stateName, ActivationData activation, IGrainStorage storage, JsonSerializerOptions json)
    : IPersistentState<TState>, IStateBinding where TState : new()
{
    public TState State { get; set; } = new();

    public long Version { get; private set; }

    public bool RecordExists { get; private set; }

    public async Task ReadStateAsync()
    {
        activation.ThrowIfTerminated();
        var stored = await storage.ReadAsync(activation.GrainType, activation.Key, stateName, CancellationToken.None);
        Version = stored?.Version ?? 0;
        RecordExists = stored?.Exists ?? false;
        State = RecordExists ? JsonSerializer.Deserialize<TState>(stored!.Payload, json) ?? new TState() : new TState();
    }

    public Task WriteStateAsync()
    {
        activation.ThrowIfTerminated();
        // Serialize now, inside the turn: interleaving read-only calls must not change what gets written.
        var payload = JsonSerializer.SerializeToUtf8Bytes(State, json);
        return Guarded(async () =>
        {
            Version = await storage.WriteAsync(activation.GrainType, activation.Key, stateName, payload, Version, CancellationToken.None);
            RecordExists = true;
        });
    }

    public Task ClearStateAsync()
    {
        activation.ThrowIfTerminated();
        return Guarded(async () =>
        {
            Version = await storage.ClearAsync(activation.GrainType, activation.Key, stateName, Version, CancellationToken.None);
            RecordExists = false;
            State = new TState();
        });
    }

    private async Task Guarded(Func<Task> write)
    {
        try
        {
            await write();
        }
        catch (InconsistentStateException)
        {
            activation.Deactivate(DeactivationReason.StateConflict);
            throw;
        }
        catch
        {
            activation.Deactivate(DeactivationReason.WriteFailed);
            throw;
        }
    }
}
