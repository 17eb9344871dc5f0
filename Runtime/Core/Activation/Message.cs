using TicketFlow.Runtime.Invocation;

namespace TicketFlow.Runtime.Activation;

/// <summary>A unit of work queued on an activation: a grain call, a timer tick or a reminder tick.</summary>
internal sealed class Message
{
    private Message(string name, Func<Grain, Task<object?>> work, bool readOnly, bool alwaysInterleave, bool groupCommit, GrainCall? call, CancellationToken cancellation)
    {
        Name = name;
        Work = work;
        IsReadOnly = readOnly;
        IsAlwaysInterleave = alwaysInterleave;
        IsGroupCommit = groupCommit;
        Call = call;
        Cancellation = cancellation;
    }

    public string Name { get; }
    public Func<Grain, Task<object?>> Work { get; }
    public bool IsReadOnly { get; }
    public bool IsAlwaysInterleave { get; }
    public bool IsGroupCommit { get; }
    /// <summary>The grain call this message carries, or null for timer ticks (which are never rerouted).</summary>
    public GrainCall? Call { get; }
    /// <summary>Signalled when the caller has given up; a message not yet started is then dropped.</summary>
    public CancellationToken Cancellation { get; }
    public TaskCompletionSource<object?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public long EnqueuedAt { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>Runs with the activation's other mutating turns excluded.</summary>
    public bool IsMutating => !IsReadOnly && !IsAlwaysInterleave;

    public static Message ForCall(GrainCall call, CancellationToken cancellation) =>
        new(call.Method.Name, grain => call.Method.InvokeAsync(grain, call.Arguments),
            call.Method.IsReadOnly, call.Method.IsAlwaysInterleave, call.Method.IsGroupCommit, call, cancellation);

    public static Message ForTick(string name, Func<Grain, Task> tick) =>
        new(name, async grain => { await tick(grain); return null; }, false, false, false, null, CancellationToken.None);

    public void Complete(Task<object?> outcome)
    {
        if (outcome.IsCompletedSuccessfully) Completion.TrySetResult(outcome.Result);
        else if (outcome.IsCanceled) Completion.TrySetCanceled();
        else Completion.TrySetException(outcome.Exception!.InnerExceptions.Count == 1 ? outcome.Exception.InnerException! : outcome.Exception);
    }
}
