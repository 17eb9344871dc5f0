using Npgsql;

namespace TicketFlow.Benchmarks;

/// <summary>
/// The seeds' mechanism for the same hold: one transaction per hold that locks the tier's row
/// (<c>SELECT ... FOR UPDATE</c>), decrements it and inserts the hold, then commits. Every hold on a tier waits
/// for the row lock, which is held until the previous commit is on disk.
/// </summary>
public static class RowLockBenchmark
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS bench_tiers (
            id        TEXT PRIMARY KEY,
            capacity  INT NOT NULL,
            available INT NOT NULL CHECK (available >= 0),
            held      INT NOT NULL);
        CREATE TABLE IF NOT EXISTS bench_holds (
            id         BIGSERIAL PRIMARY KEY,
            tier_id    TEXT NOT NULL,
            user_id    TEXT NOT NULL,
            quantity   INT NOT NULL,
            expires_at TIMESTAMPTZ NOT NULL);
        """;

    public static async Task<List<InventoryBenchmark.Row>> RunAsync(NpgsqlConnectionStringBuilder settings, string runId, TimeSpan duration, int[] callerCounts)
    {
        var builder = new NpgsqlConnectionStringBuilder(settings.ConnectionString);
        await using (var probe = NpgsqlDataSource.Create(builder.ConnectionString))
        {
            await using (var schema = probe.CreateCommand(Schema)) await schema.ExecuteNonQueryAsync();
            // One connection per caller, as far as the server allows: it may be shared, so leave room for others.
            await using var free = probe.CreateCommand(
                "SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int - (SELECT count(*) FROM pg_stat_activity)::int");
            var available = (int)(await free.ExecuteScalarAsync())! - 20;
            builder.MaxPoolSize = Math.Max(1, Math.Min(callerCounts.Max() + 16, available));
        }
        Console.Error.WriteLine($"  row lock: pool of {builder.MaxPoolSize} connections (callers beyond that wait for one)");

        var rows = new List<InventoryBenchmark.Row>();
        await using var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        var warmUpTier = $"evt-bench-{runId}/warm-up";
        await CreateTierAsync(dataSource, warmUpTier);
        await LoadRun.RunAsync("warm-up", 16, InventoryBenchmark.WarmUp, () => HoldAsync(dataSource, warmUpTier, "u", 1, DateTimeOffset.UtcNow.AddMinutes(10)));
        foreach (var (callers, index) in callerCounts.Select((c, i) => (c, i)))
        {
            var tierId = $"evt-bench-{runId}/tier-{index}-{callers}";
            await CreateTierAsync(dataSource, tierId);
            long next = 0, granted = 0;
            var scenario = callers > builder.MaxPoolSize ? $"row lock (SELECT FOR UPDATE), {builder.MaxPoolSize} connections" : "row lock (SELECT FOR UPDATE)";
            var load = await LoadRun.RunAsync(scenario, callers, duration, async () =>
            {
                var n = Interlocked.Increment(ref next);
                if (!await HoldAsync(dataSource, tierId, $"u{n % 100_000}", 1, DateTimeOffset.UtcNow.AddMinutes(10)))
                    throw new InvalidOperationException("Hold refused: sold_out");
                Interlocked.Increment(ref granted);
            });

            await using var read = dataSource.CreateCommand(
                "SELECT capacity, available, held, (SELECT count(*) FROM bench_holds WHERE tier_id = $1) FROM bench_tiers WHERE id = $1");
            read.Parameters.Add(new NpgsqlParameter { Value = tierId });
            await using var reader = await read.ExecuteReaderAsync();
            await reader.ReadAsync();
            var (capacity, available, held, holdRows) = (reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt64(3));
            var consistent = available + held == capacity && held == granted && holdRows == granted;
            rows.Add(new InventoryBenchmark.Row(load, null, consistent,
                $"available + held {(available + held == capacity ? "=" : "≠")} capacity, held {held:N0} {(held == granted && holdRows == granted ? "=" : "≠")} granted {granted:N0}"));
            InventoryBenchmark.Report(rows[^1]);
        }
        return rows;
    }

    private static async Task CreateTierAsync(NpgsqlDataSource dataSource, string tierId)
    {
        await using var create = dataSource.CreateCommand("INSERT INTO bench_tiers (id, capacity, available, held) VALUES ($1, $2, $2, 0)");
        create.Parameters.Add(new NpgsqlParameter { Value = tierId });
        create.Parameters.Add(new NpgsqlParameter { Value = InventoryBenchmark.Terms.Capacity });
        await create.ExecuteNonQueryAsync();
    }

    /// <summary>One hold, one transaction: lock the tier's row, check, decrement, record the hold, commit (fsync).</summary>
    private static async Task<bool> HoldAsync(NpgsqlDataSource dataSource, string tierId, string userId, int quantity, DateTimeOffset expiresAt)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var select = new NpgsqlCommand("SELECT available FROM bench_tiers WHERE id = $1 FOR UPDATE", connection, transaction))
        {
            select.Parameters.Add(new NpgsqlParameter { Value = tierId });
            if ((int)(await select.ExecuteScalarAsync())! < quantity)
            {
                await transaction.RollbackAsync();
                return false;
            }
        }
        await using (var update = new NpgsqlCommand("UPDATE bench_tiers SET available = available - $2, held = held + $2 WHERE id = $1", connection, transaction))
        {
            update.Parameters.Add(new NpgsqlParameter { Value = tierId });
            update.Parameters.Add(new NpgsqlParameter { Value = quantity });
            await update.ExecuteNonQueryAsync();
        }
        await using (var insert = new NpgsqlCommand("INSERT INTO bench_holds (tier_id, user_id, quantity, expires_at) VALUES ($1, $2, $3, $4)", connection, transaction))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = tierId });
            insert.Parameters.Add(new NpgsqlParameter { Value = userId });
            insert.Parameters.Add(new NpgsqlParameter { Value = quantity });
            insert.Parameters.Add(new NpgsqlParameter { Value = expiresAt });
            await insert.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
        return true;
    }
}
