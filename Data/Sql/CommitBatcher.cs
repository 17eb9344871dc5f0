using System.Diagnostics.Metrics;
using Npgsql;

namespace TicketFlow.Data;

/// <summary>One SQL statement of a write, with its positional parameters (<c>$1</c>, <c>$2</c>, …).</summary>
public sealed record SqlStatement(string Sql, params object?[] Parameters)
{
    internal NpgsqlBatchCommand Command()
    {
        var command = new NpgsqlBatchCommand(Sql);
        // A parameter belongs to one command, and a batch refused by PostgreSQL runs again one write at a time: fresh ones each time.
        foreach (var value in Parameters) command.Parameters.Add(value is NpgsqlParameter typed ? typed.Clone() : new NpgsqlParameter { Value = value ?? DBNull.Value });
        return command;
    }
}

/// <summary>
/// Group commit for the independent writes of many callers on PostgreSQL: the writes queued while a batch commits go
/// together in the next one, as one <see cref="NpgsqlBatch"/> (one round trip, one implicit transaction, one WAL flush).
/// A caller's task completes only after the commit that holds its write, so nothing is acknowledged before it is durable.
/// </summary>
/// <remarks>
/// A write is one or more statements that commit together; the first one returns the caller's result set (a
/// <c>RETURNING</c> or a <c>SELECT</c>). Writes decide their own conflicts (<c>ON CONFLICT</c>, <c>WHERE</c>) where they
/// can. Writes of one batch commit or fail together, so when PostgreSQL refuses a batch (it rolled it back) its writes run
/// again one at a time and only the refused write's caller sees the error; any other failure (a broken connection: the
/// commit may or may not have happened) fails every caller of the batch. Writes of a batch run in the order they were
/// queued; a caller that needs one write after another awaits the first. Nothing runs while nothing is queued: a batch
/// writer starts when a write arrives and stops when the queue is empty.
/// </remarks>
public sealed class CommitBatcher
{
    private static readonly Meter Meter = new("TicketFlow.Sql");
    private static readonly Histogram<int> BatchSizes = Meter.CreateHistogram<int>("ticketflow_commit_batch_writes",
        description: "Writes per group commit (journal appends, Idempotency-Key records).");

    private readonly NpgsqlDataSource dataSource;
    private readonly BatchQueue<Write> queue;
    private long commits;

    public CommitBatcher(NpgsqlDataSource dataSource, int maxWriters = 2, int maxBatch = 256)
    {
        this.dataSource = dataSource;
        queue = new BatchQueue<Write>(CommitBatchAsync, maxWriters, maxBatch);
    }

    /// <summary>Transactions committed so far (a batch run again one write at a time counts once per write).</summary>
    public long Commits => Interlocked.Read(ref commits);

    /// <summary>Queues a write and returns what <paramref name="read"/> made of its first statement's result set, once committed.</summary>
    public Task<T> WriteAsync<T>(IReadOnlyList<SqlStatement> statements, Func<NpgsqlDataReader, CancellationToken, Task<T>> read,
        CancellationToken cancellationToken = default)
    {
        var write = new Write<T>(statements, read);
        queue.Enqueue(write);
        return write.Result.WaitAsync(cancellationToken);
    }

    /// <summary>The number of rows the first statement returned (its <c>RETURNING</c>), once committed.</summary>
    public Task<int> WriteAsync(params SqlStatement[] statements) => WriteAsync(statements, CountRowsAsync);

    private static async Task<int> CountRowsAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var rows = 0;
        while (await reader.ReadAsync(cancellationToken)) rows++;
        return rows;
    }

    private async Task CommitBatchAsync(IReadOnlyList<Write> batch)
    {
        BatchSizes.Record(batch.Count);
        try { await CommitAsync(batch); }
        catch (PostgresException) when (batch.Count > 1)
        {
            foreach (var write in batch)
            {
                try { await CommitAsync([write]); }
                catch (Exception error) { write.Fail(error); }
            }
        }
        catch (Exception error)
        {
            foreach (var write in batch) write.Fail(error);
        }
    }

    private async Task CommitAsync(IReadOnlyList<Write> writes)
    {
        await using var batch = dataSource.CreateBatch();
        foreach (var write in writes)
            foreach (var statement in write.Statements) batch.BatchCommands.Add(statement.Command());
        var deliveries = new List<Action>(writes.Count);
        await using (var reader = await batch.ExecuteReaderAsync())
        {
            foreach (var write in writes)
            {
                deliveries.Add(await write.ReadAsync(reader));
                for (var i = 0; i < write.Statements.Count; i++) await reader.NextResultAsync();
            }
        }
        // The batch's implicit transaction committed with its last statement: now its callers may go on.
        Interlocked.Increment(ref commits);
        foreach (var deliver in deliveries) deliver();
    }

    private abstract class Write(IReadOnlyList<SqlStatement> statements)
    {
        public IReadOnlyList<SqlStatement> Statements { get; } = statements;

        /// <summary>Reads the first statement's result set; returns the delivery to run once the batch is known committed.</summary>
        public abstract Task<Action> ReadAsync(NpgsqlDataReader reader);

        public abstract void Fail(Exception error);
    }

    private sealed class Write<T>(IReadOnlyList<SqlStatement> statements, Func<NpgsqlDataReader, CancellationToken, Task<T>> read) : Write(statements)
    {
        private readonly TaskCompletionSource<T> result = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Result => result.Task;

        public override async Task<Action> ReadAsync(NpgsqlDataReader reader)
        {
            var value = await read(reader, CancellationToken.None);
            return () => result.TrySetResult(value);
        }

        public override void Fail(Exception error) => result.TrySetException(error);
    }
}
