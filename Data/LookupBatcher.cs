using System.Collections.Concurrent;

namespace TicketFlow.Data;

/// <summary>
/// Coalesces lookups by key: the keys asked for while a read runs go together in the next read, one query for many
/// callers (<c>WHERE id = ANY(…)</c>) instead of one each. A caller's task completes with what that read found, null
/// for a key it did not find. Nothing runs while nothing is asked: a reader starts when a lookup arrives and stops
/// when the queue is empty; at most <c>maxReaders</c> reads run at once, each for at most <c>maxBatch</c> keys.
/// A failed read fails the callers of its batch only; the next lookups read again.
/// </summary>
public sealed class LookupBatcher<TKey, TValue>(Func<IReadOnlyList<TKey>, CancellationToken, Task<IReadOnlyDictionary<TKey, TValue>>> readMany,
    int maxReaders = 2, int maxBatch = 100)
    where TKey : notnull
    where TValue : class
{
    private readonly ConcurrentQueue<Lookup> queue = new();
    private BatchWorkers readers = new(maxReaders);
    private long reads;

    /// <summary>Reads done so far (each for one or more keys).</summary>
    public long Reads => Interlocked.Read(ref reads);

    public Task<TValue?> GetAsync(TKey key)
    {
        var lookup = new Lookup(key, new TaskCompletionSource<TValue?>(TaskCreationOptions.RunContinuationsAsynchronously));
        queue.Enqueue(lookup);
        if (readers.TryStart()) _ = Task.Run(ReadBatchesAsync);
        return lookup.Result.Task;
    }

    private async Task ReadBatchesAsync()
    {
        var batch = new List<Lookup>(maxBatch);
        while (true)
        {
            while (batch.Count < maxBatch && queue.TryDequeue(out var lookup)) batch.Add(lookup);
            if (batch.Count == 0)
            {
                if (readers.StopUnlessMoreQueued(queue)) return;
                continue;
            }
            try
            {
                var found = await readMany([.. batch.Select(lookup => lookup.Key).Distinct()], CancellationToken.None);
                Interlocked.Increment(ref reads);
                foreach (var lookup in batch) lookup.Result.TrySetResult(found.GetValueOrDefault(lookup.Key));
            }
            catch (Exception error)
            {
                foreach (var lookup in batch) lookup.Result.TrySetException(error);
            }
            batch.Clear();
        }
    }

    private sealed record Lookup(TKey Key, TaskCompletionSource<TValue?> Result);
}

/// <summary>How many batch workers (of a <see cref="CommitBatcher"/> or a <see cref="LookupBatcher{TKey,TValue}"/>) run, at most a limit.</summary>
internal struct BatchWorkers(int limit)
{
    private int running;

    /// <summary>Takes a slot for a new worker; false when every slot is taken (a running worker will pick the work up).</summary>
    public bool TryStart()
    {
        for (var now = Volatile.Read(ref running); now < limit; now = Volatile.Read(ref running))
            if (Interlocked.CompareExchange(ref running, now + 1, now) == now) return true;
        return false;
    }

    /// <summary>A worker that found its queue empty gives up its slot; true when it should end. Work queued between its
    /// last look and giving the slot up may have found every slot taken, so then it takes a slot again and goes on.</summary>
    public bool StopUnlessMoreQueued<T>(ConcurrentQueue<T> queue)
    {
        Interlocked.Decrement(ref running);
        return queue.IsEmpty || !TryStart();
    }
}
