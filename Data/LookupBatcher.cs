namespace TicketFlow.Data;

/// <summary>
/// Coalesces lookups by key: the keys asked for while a read runs go together in the next read, one query for many
/// callers (<c>WHERE id = ANY(…)</c>) instead of one each. A caller's task completes with what that read found, null
/// for a key it did not find. Nothing runs while nothing is asked: a reader starts when a lookup arrives and stops
/// when the queue is empty; at most <c>maxReaders</c> reads run at once, each for at most <c>maxBatch</c> keys.
/// A failed read fails the callers of its batch only; the next lookups read again.
/// </summary>
public sealed class LookupBatcher<TKey, TValue>
    where TKey : notnull
    where TValue : class
{
    private readonly Func<IReadOnlyList<TKey>, CancellationToken, Task<IReadOnlyDictionary<TKey, TValue>>> readMany;
    private readonly BatchQueue<Lookup> lookups;
    private long reads;

    public LookupBatcher(Func<IReadOnlyList<TKey>, CancellationToken, Task<IReadOnlyDictionary<TKey, TValue>>> readMany, int maxReaders = 2,
        int maxBatch = 100)
    {
        this.readMany = readMany;
        lookups = new BatchQueue<Lookup>(ReadAsync, maxReaders, maxBatch);
    }

    /// <summary>Reads done so far (each for one or more keys).</summary>
    public long Reads => Interlocked.Read(ref reads);

    public Task<TValue?> GetAsync(TKey key)
    {
        var lookup = new Lookup(key, new TaskCompletionSource<TValue?>(TaskCreationOptions.RunContinuationsAsynchronously));
        lookups.Enqueue(lookup);
        return lookup.Result.Task;
    }

    private async Task ReadAsync(IReadOnlyList<Lookup> batch)
    {
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
    }

    private sealed record Lookup(TKey Key, TaskCompletionSource<TValue?> Result);
}
