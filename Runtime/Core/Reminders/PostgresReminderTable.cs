using Npgsql;
using TicketFlow.Runtime.Storage;

namespace TicketFlow.Runtime.Reminders;

public sealed class PostgresReminderTable(NpgsqlDataSource dataSource, string serviceId) : IReminderTable
{
    private const string Columns = "grain_type, grain_key, name, due_at_ms, period_ms";

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await SchemaMigrator.ApplyAsync(connection, PostgresSchema.Component, PostgresSchema.Migrations, PostgresSchema.LockSql, cancellationToken);
    }

    public async Task UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            INSERT INTO tf_reminders (service_id, {Columns}) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (service_id, grain_type, grain_key, name) DO UPDATE SET due_at_ms = excluded.due_at_ms, period_ms = excluded.period_ms
            """);
        Add(command, serviceId, entry.GrainType, entry.GrainKey, entry.Name, entry.DueAtMs, entry.PeriodMs);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> RemoveAsync(string grainType, string grainKey, string name, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM tf_reminders WHERE service_id = $1 AND grain_type = $2 AND grain_key = $3 AND name = $4");
        Add(command, serviceId, grainType, grainKey, name);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<IReadOnlyList<ReminderEntry>> ReadForGrainAsync(string grainType, string grainKey, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM tf_reminders WHERE service_id = $1 AND grain_type = $2 AND grain_key = $3 ORDER BY name");
        Add(command, serviceId, grainType, grainKey);
        return await ReadEntries(command, cancellationToken);
    }

    public async Task<IReadOnlyList<ReminderEntry>> ReadDueAsync(long untilMs, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM tf_reminders WHERE service_id = $1 AND due_at_ms <= $2 ORDER BY due_at_ms LIMIT $3");
        Add(command, serviceId, untilMs, limit);
        return await ReadEntries(command, cancellationToken);
    }

    public async Task<bool> AdvanceAsync(ReminderEntry fired, long nextDueAtMs, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE tf_reminders SET due_at_ms = $6
            WHERE service_id = $1 AND grain_type = $2 AND grain_key = $3 AND name = $4 AND due_at_ms = $5 AND period_ms = $7
            """);
        Add(command, serviceId, fired.GrainType, fired.GrainKey, fired.Name, fired.DueAtMs, nextDueAtMs, fired.PeriodMs);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    private static void Add(NpgsqlCommand command, params object[] values)
    {
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
    }

    private static async Task<IReadOnlyList<ReminderEntry>> ReadEntries(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var entries = new List<ReminderEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            entries.Add(new ReminderEntry(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4)));
        return entries;
    }
}
