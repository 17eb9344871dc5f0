using System.Collections.Concurrent;
using System.Diagnostics;
using TicketFlow.Runtime.Invocation;

namespace TicketFlow.Runtime.Activation;

/// <summary>The activations of one silo: creates them on first message, collects idle ones, hands messages back to the router after deactivation.</summary>
internal sealed class Catalog(SiloContext silo, Func<GrainCall, CancellationToken, Task<object?>> reroute)
{
    private readonly ConcurrentDictionary<GrainId, ActivationData> activations = new();

    public int Count => activations.Count;

    public IReadOnlyDictionary<string, int> CountByType() =>
        activations.Keys.GroupBy(id => id.Type).ToDictionary(g => g.Key, g => g.Count());

    public IEnumerable<ActivationData> All => activations.Values;

    public bool Contains(GrainId id) => activations.ContainsKey(id);

    /// <summary>Runs the call on this silo's activation of the grain, creating it if needed.</summary>
    public Task<object?> DispatchAsync(GrainCall call, CancellationToken cancellation)
    {
        var message = Message.ForCall(call, cancellation);
        Enqueue(call.Target, message);
        return message.Completion.Task;
    }

    /// <summary>Queues on an existing activation (even one that is deactivating: it hands the message on when done).</summary>
    public bool TryDispatchToExisting(GrainCall call, CancellationToken cancellation, out Task<object?> result)
    {
        result = Task.FromResult<object?>(null);
        if (!activations.TryGetValue(call.Target, out var activation)) return false;
        var message = Message.ForCall(call, cancellation);
        if (!activation.TryEnqueue(message)) return false;
        result = message.Completion.Task;
        return true;
    }

    public void Enqueue(GrainId id, Message message)
    {
        while (true)
        {
            if (silo.IsTerminated)
            {
                message.Completion.TrySetException(new SiloUnavailableException($"Silo {silo.Identity} has stopped."));
                return;
            }
            if (!activations.TryGetValue(id, out var activation))
            {
                var fresh = new ActivationData(id, silo);
                if (!activations.TryAdd(id, fresh)) continue;
                fresh.Start();
                activation = fresh;
            }
            if (activation.TryEnqueue(message)) return;
            // That activation finished deactivating between the lookup and the enqueue: look again.
            Thread.Yield();
        }
    }

    public void Remove(ActivationData activation) => activations.TryRemove(new KeyValuePair<GrainId, ActivationData>(activation.Id, activation));

    /// <summary>A message left behind by a deactivated activation never ran: send it again through the router.</summary>
    public void Reroute(Message message)
    {
        if (message.Call is null)
        {
            message.Completion.TrySetCanceled();
            return;
        }
        reroute(message.Call, message.Cancellation).ContinueWith(message.Complete, TaskScheduler.Default);
    }

    public void Deactivate(GrainId id, DeactivationReason reason)
    {
        if (activations.TryGetValue(id, out var activation)) activation.Deactivate(reason);
    }

    public void DeactivateWhere(Func<ActivationData, bool> predicate, DeactivationReason reason)
    {
        foreach (var activation in activations.Values.Where(predicate)) activation.Deactivate(reason);
    }

    public void CollectIdle(TimeSpan idleAge)
    {
        var cutoff = Stopwatch.GetTimestamp() - (long)(idleAge.TotalSeconds * Stopwatch.Frequency);
        foreach (var activation in activations.Values)
            if (activation.IsIdleSince(cutoff)) activation.Deactivate(DeactivationReason.Idle);
    }

    /// <summary>Deactivates everything and waits until the catalog is empty or the deadline passes.</summary>
    public async Task DeactivateAllAsync(DeactivationReason reason, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!activations.IsEmpty && Stopwatch.GetTimestamp() < deadline)
        {
            foreach (var activation in activations.Values) activation.Deactivate(reason);
            await Task.Delay(10);
        }
    }

    public void AbandonAll()
    {
        foreach (var activation in activations.Values) activation.Abandon();
        activations.Clear();
    }
}
