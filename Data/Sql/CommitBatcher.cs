using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Npgsql;

namespace TicketFlow.Data;

/// <summary>
/// Group commit for the independent writes of many requests on PostgreSQL: the writes queued while a batch commits go
/// together in the next one, as one <see cref="NpgsqlBatch"/> (one round trip, one implicit transaction, one WAL flush).
/// A caller's task completes only after the commit that holds its write, so nothing is acknowledged before it is durable.
/// </summary>
/// <remarks>
/// Every write is one statement that returns one result set (a <c>RETURNING</c> or a <c>SELECT</c>) and decides its conflicts
/// itself (<c>ON CONFLICT</c>, <c>WHERE</c>): writes of one batch commit or fail together, so a batch that fails is run
/// again one write at a time, and only the failing write's caller sees the error. Writes of one batch run in the order
/// they were queued; a caller that needs one write to follow another awaits the first.
/// </remarks>
public sealed class CommitBatcher : IAsyncDisposable
{
    private static readonly Meter Meter = new("TicketFlow.Sql");
    private static readonly Histogram<int> BatchSizes = Meter.CreateHistogram<int>("ticketflow_commit_batch_writes",
        description: "Writes per group commit of request records (Idempotency-Keys).");

    private readonly NpgsqlDataSource dataSource;
    private readonly int maxBatch;
    private readonly Channel<Write> queue = Channel.CreateUnbounded<Write>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Task[] writers;
    private long commits;

    /// <param name="writers">Batches committed at once: while one waits for its flush the next one forms and goes.</param>
    /// <param name="maxBatch">The most writes in one batch.</param>
    public CommitBatcher(NpgsqlDataSource dataSource, int writers = 2, int maxBatch = 256)
    {
        (this.dataSource, this.maxBatch) = (dataSource, maxBatch);
        this.writers = Enumerable.Range(0, writers).Select(_ => Task.Run(WriteLoopAsync)).ToArray();
    }

    /// <summary>Transactions committed so far (a batch run again one write at a time counts once per write).</summary>
    public long Commits => Interlocked.Read(ref commits);

    /// <summary>Queues one statement and returns what <paramref name="read"/> made of its result set, once it is committed.</summary>
    public Task<T> WriteAsync<T>(string sql, IReadOnlyList<NpgsqlParameter> parameters, Func<NpgsqlDataReader, CancellationToken, Task<T>> read,
        CancellationToken cancellationToken = default)
    {
        var write = new Write<T>(sql, parameters, read);
        if (!queue.Writer.TryWrite(write)) return Task.FromException<T>(new ObjectDisposedException(nameof(CommitBatcher)));
        return write.Result.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await Task.WhenAll(writers);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Write>(maxBatch);
        while (await queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < maxBatch && queue.Reader.TryRead(out var write)) batch.Add(write);
            if (batch.Count == 0) continue;
            BatchSizes.Record(batch.Count);
            try { await CommitAsync(batch); }
            catch when (batch.Count > 1)
            {
                foreach (var write in batch)
                {
                    try { await CommitAsync([write]); }
                    catch (Exception error) { write.Fail(error); }
                }
            }
            catch (Exception error) { batch[0].Fail(error); }
            batch.Clear();
        }
    }

    private async Task CommitAsync(IReadOnlyList<Write> writes)
    {
        await using var batch = dataSource.CreateBatch();
        foreach (var write in writes) batch.BatchCommands.Add(write.Command());
        var results = new List<Action>(writes.Count);
        await using (var reader = await batch.ExecuteReaderAsync())
        {
            foreach (var write in writes)
            {
                results.Add(await write.ReadAsync(reader));
                await reader.NextResultAsync();
            }
        }
        // The batch's implicit transaction committed when its last statement completed: now the callers may go on.
        Interlocked.Increment(ref commits);
        foreach (var deliver in results) deliver();
    }

    private abstract class Write
    {
        public abstract NpgsqlBatchCommand Command();

        /// <summary>Reads this write's result set; returns the delivery to run once the batch is known committed.</summary>
        public abstract Task<Action> ReadAsync(NpgsqlDataReader reader);

        public abstract void Fail(Exception error);
    }

    private sealed class Write<T>(string sql, IReadOnlyList<NpgsqlParameter> parameters, Func<NpgsqlDataReader, CancellationToken, Task<T>> read) : Write
    {
        private readonly TaskCompletionSource<T> result = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Result => result.Task;

        public override NpgsqlBatchCommand Command()
        {
            var command = new NpgsqlBatchCommand(sql);
            // A parameter belongs to one command: a batch run again after a failure needs fresh ones.
            foreach (var parameter in parameters) command.Parameters.Add(parameter.Clone());
            return command;
        }

        public override async Task<Action> ReadAsync(NpgsqlDataReader reader)
        {
            var value = await read(reader, CancellationToken.None);
            return () => result.TrySetResult(value);
        }

        public override void Fail(Exception error) => result.TrySetException(error);
    }
}
