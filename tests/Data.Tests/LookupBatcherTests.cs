using TicketFlow.Data;

namespace TicketFlow.Data.Tests;

/// <summary>Lookups asked for while a read runs are read together in the next one; each caller gets its own key's value.</summary>
public sealed class LookupBatcherTests
{
    private sealed class Store
    {
        private readonly Lock gate = new();
        public List<IReadOnlyList<string>> Reads { get; } = [];
        public TaskCompletionSource FirstReadMayEnd { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource FirstReadStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool FailNext { get; set; }

        public async Task<IReadOnlyDictionary<string, string>> ReadAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
        {
            bool first;
            lock (gate)
            {
                Reads.Add(keys);
                first = Reads.Count == 1;
            }
            if (first)
            {
                FirstReadStarted.SetResult();
                await FirstReadMayEnd.Task;
            }
            if (FailNext)
            {
                FailNext = false;
                throw new InvalidOperationException("the database went away");
            }
            return keys.Where(key => !key.StartsWith("missing", StringComparison.Ordinal)).ToDictionary(key => key, key => "value of " + key);
        }
    }

    [Fact]
    public async Task Keys_asked_for_during_a_read_are_read_together_in_the_next_and_each_caller_gets_its_own()
    {
        var store = new Store();
        var batcher = new LookupBatcher<string, string>(store.ReadAsync, maxReaders: 1);

        var first = batcher.GetAsync("a");
        await store.FirstReadStarted.Task;
        var waiting = Enumerable.Range(0, 50).Select(i => (Key: $"k{i % 40}", Value: batcher.GetAsync($"k{i % 40}"))).ToList();
        var missing = batcher.GetAsync("missing-1");
        store.FirstReadMayEnd.SetResult();

        Assert.Equal("value of a", await first);
        foreach (var (key, value) in waiting) Assert.Equal("value of " + key, await value);
        Assert.Null(await missing);
        Assert.Equal(2, store.Reads.Count);
        Assert.Equal(41, store.Reads[1].Count); // 40 different keys and the missing one, each once
        Assert.Equal(2, batcher.Reads);
    }

    [Fact]
    public async Task A_failed_read_fails_its_callers_only_and_the_next_lookup_reads_again()
    {
        var store = new Store { FailNext = true };
        var batcher = new LookupBatcher<string, string>(store.ReadAsync, maxReaders: 1);
        store.FirstReadMayEnd.SetResult();

        await Assert.ThrowsAsync<InvalidOperationException>(() => batcher.GetAsync("a"));
        Assert.Equal("value of a", await batcher.GetAsync("a"));
    }

    [Fact]
    public async Task No_lookup_is_left_behind_when_many_callers_race_the_readers_stopping()
    {
        var store = new Store();
        store.FirstReadMayEnd.SetResult();
        var batcher = new LookupBatcher<string, string>(store.ReadAsync, maxReaders: 2, maxBatch: 7);

        for (var round = 0; round < 200; round++)
        {
            var values = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => batcher.GetAsync($"r{round}-{i}"))))
                .WaitAsync(TimeSpan.FromSeconds(30)); // a lookup left in the queue with no reader would never end
            Assert.Equal(Enumerable.Range(0, 20).Select(i => $"value of r{round}-{i}"), values);
        }
    }
}
