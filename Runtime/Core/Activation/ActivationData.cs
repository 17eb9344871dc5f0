using System.Diagnostics;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TicketFlow.Runtime.Invocation;

namespace TicketFlow.Runtime.Activation;

/// <summary>
/// One activation of one grain: its instance, its mailbox and its turn scheduling.
/// All mailbox bookkeeping happens under <see cref="gate"/>; grain code runs on <see cref="scheduler"/>.
/// </summary>
internal sealed class ActivationData : IGrainContext
{
    private enum Status { Activating, Valid, Deactivating, Invalid }

    private readonly Lock gate = new();
    private readonly SiloContext silo;
    private readonly ActivationTaskScheduler scheduler = new();
    private readonly Queue<Message> waiting = new();
    private readonly List<IStateBinding> states = [];
    private readonly List<GrainTimer> timers = [];
    private readonly bool reentrant;
    private List<(Message Message, Task<object?> Outcome)> pendingReplies = [];
    private Status status = Status.Activating;
    private DeactivationReason? deactivation;
    private int running;
    private int runningMutating;
    private bool committing;
    private Grain? grain;
    private long lastActive = Stopwatch.GetTimestamp();

    public ActivationData(GrainId id, SiloContext silo)
    {
        Id = id;
        this.silo = silo;
        GrainClass = silo.Registry.ClassOf(id.Type);
        reentrant = GrainClass.IsDefined(typeof(ReentrantAttribute));
    }

    public GrainId Id { get; }
    public Type GrainClass { get; }
    public string GrainType => Id.Type;
    public string Key => Id.Key;
    public string SiloIdentity => silo.Identity;
    public IGrainFactory GrainFactory => silo.GrainFactory;
    public TimeProvider Time => silo.Time;

    public bool IsIdleSince(long timestamp)
    {
        lock (gate) return status == Status.Valid && running == 0 && !committing && waiting.Count == 0 && pendingReplies.Count == 0 && lastActive < timestamp;
    }

    /// <summary>Creates the grain, loads its state and runs OnActivateAsync; calls that arrive meanwhile wait.</summary>
    public void Start()
    {
        scheduler.Run(async () =>
        {
            grain = CreateGrain();
            grain.Context = this;
            foreach (var state in states) await state.ReadStateAsync();
            await grain.OnActivateAsync(CancellationToken.None);
        }).ContinueWith(OnActivated, TaskScheduler.Default);
    }

    /// <summary>Queues a message; false if this activation is gone and the caller must look again.</summary>
    public bool TryEnqueue(Message message)
    {
        lock (gate)
        {
            if (status == Status.Invalid) return false;
            waiting.Enqueue(message);
            Pump();
            return true;
        }
    }

    public Task? EnqueueTick(string name, Func<Grain, Task> tick)
    {
        var message = Message.ForTick(name, tick);
        return TryEnqueue(message) ? message.Completion.Task : null;
    }

    /// <summary>Deactivate once the running turns (and a pending group commit) finish; queued calls go to a new activation.</summary>
    public void Deactivate(DeactivationReason reason)
    {
        lock (gate)
        {
            RecordDeactivation(reason);
            Pump();
        }
    }

    // A failed write outranks an earlier benign reason: it decides whether pending replies may still be committed.
    private void RecordDeactivation(DeactivationReason reason)
    {
        if (deactivation is null || IsFailure(reason)) deactivation = reason;
    }

    private static bool IsFailure(DeactivationReason? reason) => reason is DeactivationReason.StateConflict or DeactivationReason.WriteFailed;

    /// <summary>The silo died: stop at once, no final writes, queued callers learn the silo is gone.</summary>
    public void Abandon()
    {
        Message[] neverRan, unstored;
        lock (gate)
        {
            status = Status.Invalid;
            neverRan = [.. waiting];
            unstored = [.. pendingReplies.Select(p => p.Message)];
            waiting.Clear();
            pendingReplies.Clear();
            foreach (var timer in timers.ToList()) timer.Dispose();
        }
        foreach (var message in neverRan)
            message.Completion.TrySetException(new SiloUnavailableException($"Silo {silo.Identity} stopped before running this call."));
        foreach (var message in unstored)
            message.Completion.TrySetException(new GrainCallOutcomeUnknownException($"Silo {silo.Identity} stopped before storing this call."));
    }

    public void ThrowIfTerminated()
    {
        if (silo.IsTerminated) throw new SiloUnavailableException($"Silo {silo.Identity} has stopped.");
    }

    // Decides what runs next. Called under the gate after anything changes.
    private void Pump()
    {
        while (status == Status.Valid)
        {
            if (deactivation is { } reason)
            {
                if (running > 0 || committing) return;
                if (pendingReplies.Count > 0)
                {
                    if (!IsFailure(reason)) { StartCommit(); return; }
                    FailPendingReplies(reason);
                }
                StartDeactivation(reason);
                return;
            }
            if (waiting.Count == 0)
            {
                if (running == 0 && !committing && pendingReplies.Count > 0) StartCommit();
                return;
            }
            var next = waiting.Peek();
            if (next.Cancellation.IsCancellationRequested)
            {
                waiting.Dequeue();
                next.Completion.TrySetCanceled(next.Cancellation);
                continue;
            }
            if (CanStart(next))
            {
                waiting.Dequeue();
                StartTurn(next);
                continue;
            }
            if (running == 0 && !committing && pendingReplies.Count > 0)
            {
                StartCommit();
                continue;
            }
            return;
        }
    }

    // A group-commit turn wrote state itself and that write failed: its batch-mates were in it and are not durable.
    private void FailPendingReplies(DeactivationReason reason)
    {
        Exception error = reason == DeactivationReason.StateConflict
            ? new InconsistentStateException($"{Id} was written by a newer activation; this batch was not stored.")
            : new GrainCallOutcomeUnknownException($"{Id} failed to write its state; this batch may or may not be stored.");
        foreach (var (message, _) in pendingReplies) message.Completion.TrySetException(error);
        pendingReplies.Clear();
    }

    private bool CanStart(Message next)
    {
        if (pendingReplies.Count > 0)
            // Replies are waiting: only more of the same batch may start, anything else waits for its commit (no starving it).
            return running == 0 && next.IsGroupCommit && pendingReplies.Count < silo.Options.MaxGroupCommitBatch;
        // While a batch is written, reads overlap the write, and the next batch forms (its replies wait for its own write).
        if (committing) return (!next.IsMutating && runningMutating == 0) || (next.IsGroupCommit && running == 0);
        if (running == 0) return true;
        return reentrant || next.IsAlwaysInterleave || (next.IsReadOnly && runningMutating == 0);
    }

    private void StartTurn(Message message)
    {
        running++;
        if (message.IsMutating) runningMutating++;
        lastActive = Stopwatch.GetTimestamp();
        scheduler.Run(() => message.Work(grain!)).ContinueWith((outcome, state) => ((ActivationData)state!).OnTurnCompleted(message, outcome),
            this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void OnTurnCompleted(Message message, Task<object?> outcome)
    {
        if (message.Call is not null)
            silo.Statistics.RecordCall(GrainType, message.Name, Stopwatch.GetElapsedTime(message.EnqueuedAt), !outcome.IsCompletedSuccessfully);
        lock (gate)
        {
            running--;
            if (message.IsMutating) runningMutating--;
            if (message.IsGroupCommit && states.Count > 0)
            {
                // A group-commit turn's reply waits for the write that makes it durable; an abandoned activation never writes.
                if (status == Status.Valid) pendingReplies.Add((message, outcome));
                else message.Completion.TrySetException(new GrainCallOutcomeUnknownException($"Silo {silo.Identity} stopped before {Id} stored this call."));
            }
            else
            {
                message.Complete(RanButUnavailable(outcome) ? Task.FromException<object?>(
                    new GrainCallOutcomeUnknownException($"{Id}.{message.Name} started, then its silo became unavailable: {outcome.Exception!.InnerException!.Message}")) : outcome);
            }
            Pump();
        }
    }

    // "Silo unavailable" means "never ran" only before a turn starts; once it ran, it may have written.
    private static bool RanButUnavailable(Task<object?> outcome) => outcome.Exception?.InnerException is SiloUnavailableException;

    private void StartCommit()
    {
        committing = true;
        var batch = pendingReplies;
        pendingReplies = [];
        scheduler.Run(async () =>
        {
            foreach (var state in states) await state.WriteStateAsync();
        }).ContinueWith(written => OnCommitted(batch, written), TaskScheduler.Default);
    }

    private void OnCommitted(List<(Message Message, Task<object?> Outcome)> batch, Task written)
    {
        silo.Statistics.RecordGroupCommit(batch.Count);
        lock (gate)
        {
            committing = false;
            if (written.IsCompletedSuccessfully)
            {
                foreach (var (message, outcome) in batch) message.Complete(outcome);
            }
            else
            {
                // Nothing of this batch is durable: no caller may see success. The failed write already asked to deactivate.
                // A conflict means "not stored"; anything else (a lost connection) may or may not have committed.
                Exception error = written.Exception?.InnerException is InconsistentStateException conflict
                    ? conflict
                    : new GrainCallOutcomeUnknownException($"{Id} failed to write its state; this batch may or may not be stored: {written.Exception?.InnerException?.Message}");
                foreach (var (message, _) in batch) message.Completion.TrySetException(error);
                if (!IsFailure(deactivation)) RecordDeactivation(DeactivationReason.WriteFailed);
            }
            Pump();
        }
    }

    private void OnActivated(Task activated)
    {
        lock (gate)
        {
            if (status != Status.Activating) return;
            if (activated.IsCompletedSuccessfully)
            {
                status = Status.Valid;
                silo.Logger.LogDebug("{GrainType} {GrainKey} activated on {Silo}", GrainType, Key, silo.Identity);
                Pump();
                return;
            }
            status = Status.Invalid;
        }
        var error = activated.Exception?.InnerException ?? new InvalidOperationException("Activation was cancelled.");
        silo.Logger.LogWarning(error, "{GrainType} {GrainKey} failed to activate", GrainType, Key);
        silo.Catalog.Remove(this);
        foreach (var message in DrainWaiting()) message.Completion.TrySetException(error);
    }

    private void StartDeactivation(DeactivationReason reason)
    {
        status = Status.Deactivating;
        foreach (var timer in timers.ToList()) timer.Dispose();
        scheduler.Run(() => grain!.OnDeactivateAsync(reason, CancellationToken.None))
            .ContinueWith(done =>
            {
                if (done.IsFaulted) silo.Logger.LogWarning(done.Exception, "{GrainType} {GrainKey} failed in OnDeactivateAsync", GrainType, Key);
                silo.Logger.LogDebug("{GrainType} {GrainKey} deactivated on {Silo} ({Reason})", GrainType, Key, silo.Identity, reason);
                lock (gate) status = Status.Invalid;
                silo.Catalog.Remove(this);
                foreach (var message in DrainWaiting()) silo.Catalog.Reroute(message);
            }, TaskScheduler.Default);
    }

    private Message[] DrainWaiting()
    {
        lock (gate)
        {
            var rest = waiting.ToArray();
            waiting.Clear();
            return rest;
        }
    }

    private Grain CreateGrain()
    {
        var constructor = GrainClass.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        var extra = new List<object>();
        foreach (var parameter in constructor.GetParameters())
        {
            var attribute = parameter.GetCustomAttribute<PersistentStateAttribute>();
            if (attribute is null) continue;
            var binding = parameter.ParameterType.GetGenericTypeDefinition() == typeof(IJournaledState<,>) ? typeof(JournaledState<,>) : typeof(PersistentState<>);
            var state = Activator.CreateInstance(binding.MakeGenericType(parameter.ParameterType.GetGenericArguments()), attribute.StateName, this, silo.Storage, silo.Json)!;
            states.Add((IStateBinding)state);
            extra.Add(state);
        }
        return (Grain)ActivatorUtilities.CreateInstance(silo.Services, GrainClass, [.. extra]);
    }

    // IGrainContext

    public void DeactivateOnIdle() => Deactivate(DeactivationReason.Requested);

    public IDisposable RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new GrainTimer(this, silo.Time, callback, dueTime, period);
        lock (gate) timers.Add(timer);
        return timer;
    }

    internal void RemoveTimer(GrainTimer timer)
    {
        lock (gate) timers.Remove(timer);
    }

    public Task RegisterOrUpdateReminder(string name, TimeSpan dueTime, TimeSpan period) =>
        silo.Reminders.RegisterAsync(Id, name, dueTime, period);

    public Task UnregisterReminder(string name) => silo.Reminders.UnregisterAsync(Id, name);

    public void Publish(string topic, object payload) => silo.Notifications.Publish(topic, payload);
}
