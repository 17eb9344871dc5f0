using System.Collections.Concurrent;

namespace TicketFlow.Runtime.Activation;

/// <summary>
/// Runs an activation's work items one at a time on the thread pool. Grain code awaits without
/// ConfigureAwait(false), so its continuations come back here: turns interleave at awaits, never run in parallel.
/// </summary>
internal sealed class ActivationTaskScheduler : TaskScheduler
{
    private const int MaxItemsPerDrain = 128;
    private readonly ConcurrentQueue<Task> queue = new();
    private int scheduled;

    public override int MaximumConcurrencyLevel => 1;

    protected override void QueueTask(Task task)
    {
        queue.Enqueue(task);
        if (Interlocked.CompareExchange(ref scheduled, 1, 0) == 0)
            ThreadPool.UnsafeQueueUserWorkItem(static s => ((ActivationTaskScheduler)s!).Drain(), this);
    }

    private void Drain()
    {
        for (var i = 0; i < MaxItemsPerDrain && queue.TryDequeue(out var task); i++)
            TryExecuteTask(task);
        Volatile.Write(ref scheduled, 0);
        if (!queue.IsEmpty && Interlocked.CompareExchange(ref scheduled, 1, 0) == 0)
            ThreadPool.UnsafeQueueUserWorkItem(static s => ((ActivationTaskScheduler)s!).Drain(), this);
    }

    // Never inline: inlining could run a work item while another of this activation is on another thread.
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    protected override IEnumerable<Task> GetScheduledTasks() => queue.ToArray();

    public Task<T> Run<T>(Func<Task<T>> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.DenyChildAttach, this).Unwrap();

    public Task Run(Func<Task> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.DenyChildAttach, this).Unwrap();
}
