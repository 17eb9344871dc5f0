namespace TicketFlow.Runtime;

/// <summary>State of a grain that survives deactivation and silo failure.</summary>
/// <remarks>Every write is conditional on <see cref="Version"/>: a write from an activation that
/// read an older version fails with <see cref="InconsistentStateException"/> and the activation is deactivated.</remarks>
public interface IPersistentState<TState> where TState : new()
{
    TState State { get; set; }

    /// <summary>Version of the stored record this activation holds; 0 when nothing was ever written.</summary>
    long Version { get; }

    bool RecordExists { get; }

    Task ReadStateAsync();

    Task WriteStateAsync();

    Task ClearStateAsync();
}
