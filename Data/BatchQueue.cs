using System.Collections.Concurrent;

namespace TicketFlow.Data;

/// <summary>
/// Items queued by many callers, handed to <c>process</c> in batches: what is queued while a batch is processed goes in
/// the next one, up to <c>maxBatch</c> items. At most <c>maxWorkers</c> batches are processed at once, and nothing runs
/// while nothing is queued: a worker starts when an item arrives and stops when the queue is empty. <c>process</c>
/// delivers every item's outcome itself (results and failures) and never throws; it must not keep the list it is given.
/// The loop under <see cref="CommitBatcher"/> (group commit) and <see cref="LookupBatcher{TKey,TValue}"/> (batched reads).
/// </summary>
internal sealed class BatchQueue<T>(Func<IReadOnlyList<T>, Task> process, int maxWorkers, int maxBatch)
{
    private readonly ConcurrentQueue<T> queue = new();
    private int workers;

    public void Enqueue(T item)
    {
        queue.Enqueue(item);
        if (TryStartWorker()) _ = Task.Run(WorkAsync);
    }

    private bool TryStartWorker()
    {
        for (var running = Volatile.Read(ref workers); running < maxWorkers; running = Volatile.Read(ref workers))
            if (Interlocked.CompareExchange(ref workers, running + 1, running) == running) return true;
        return false;
    }

    private async Task WorkAsync()
    {
        var batch = new List<T>(maxBatch);
        while (true)
        {
            while (batch.Count < maxBatch && queue.TryDequeue(out var item)) batch.Add(item);
            if (batch.Count == 0)
            {
                Interlocked.Decrement(ref workers);
                // An item queued between the last dequeue and the decrement may have found every worker taken: take it on.
                if (queue.IsEmpty || !TryStartWorker()) return;
                continue;
            }
            await process(batch);
            batch.Clear();
        }
    }
}
