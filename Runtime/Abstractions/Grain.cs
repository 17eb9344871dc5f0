namespace TicketFlow.Runtime;

public enum DeactivationReason
{
    Idle,
    Requested,
    OwnershipChanged,
    StateConflict,
    WriteFailed,
    ActivationFailed,
    SiloShutdown,
}

/// <summary>Base class of grains: one activation per key, one turn at a time.</summary>
public abstract class Grain
{
    private IGrainContext? context;

    /// <summary>Set by the runtime once, before <see cref="OnActivateAsync"/>.</summary>
    internal IGrainContext Context
    {
        get => context ?? throw new InvalidOperationException("The grain is not attached to an activation yet.");
        set => context = value;
    }

    public string GetPrimaryKeyString() => Context.Key;

    protected IGrainFactory GrainFactory => Context.GrainFactory;

    protected TimeProvider Time => Context.Time;

    protected string SiloIdentity => Context.SiloIdentity;

    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Deactivate after the current turn; calls queued behind it go to a fresh activation.</summary>
    protected void DeactivateOnIdle() => Context.DeactivateOnIdle();

    /// <summary>An in-memory timer whose ticks are turns of this activation; dies with it and never overlaps itself.</summary>
    protected IDisposable RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period) =>
        Context.RegisterTimer(callback, dueTime, period);

    /// <summary>A durable reminder: survives deactivation and silo failure; delivered through <see cref="IRemindable"/>.</summary>
    protected Task RegisterOrUpdateReminder(string name, TimeSpan dueTime, TimeSpan period) =>
        Context.RegisterOrUpdateReminder(name, dueTime, period);

    protected Task UnregisterReminder(string name) => Context.UnregisterReminder(name);

    protected void Publish(string topic, object payload) => Context.Publish(topic, payload);
}
