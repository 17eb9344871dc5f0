namespace TicketFlow.Runtime;

/// <summary>What the runtime gives one activation. Grain code uses it through <see cref="Grain"/>.</summary>
public interface IGrainContext
{
    string GrainType { get; }

    string Key { get; }

    /// <summary>Identity of the silo hosting this activation (address and generation).</summary>
    string SiloIdentity { get; }

    IGrainFactory GrainFactory { get; }

    TimeProvider Time { get; }

    void DeactivateOnIdle();

    IDisposable RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period);

    Task RegisterOrUpdateReminder(string name, TimeSpan dueTime, TimeSpan period);

    Task UnregisterReminder(string name);

    /// <summary>Pushes a notification to every connected client (best effort, never blocks).</summary>
    void Publish(string topic, object payload);
}
