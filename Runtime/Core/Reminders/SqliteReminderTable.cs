using Microsoft.Data.Sqlite;
using TicketFlow.Runtime.Storage;

namespace TicketFlow.Runtime.Reminders;

public sealed class SqliteReminderTable(SqliteDatabase database, string serviceId) : IReminderTable
{
    private const string Columns = "grain_type, grain_key, name, due_at_ms, period_ms";

    public Task InitializeAsync(CancellationToken cancellationToken) =>
        database.MigrateAsync(SqliteSchema.Component, SqliteSchema.Migrations, cancellationToken);

    public Task UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken) =>
        Execute($"""
            INSERT INTO tf_reminders (service_id, {Columns}) VALUES ($p0, $p1, $p2, $p3, $p4, $p5)
            ON CONFLICT (service_id, grain_type, grain_key, name) DO UPDATE SET due_at_ms = excluded.due_at_ms, period_ms = excluded.period_ms
            """, cancellationToken, serviceId, entry.GrainType, entry.GrainKey, entry.Name, entry.DueAtMs, entry.PeriodMs);

    public async Task<bool> RemoveAsync(string grainType, string grainKey, string name, CancellationToken cancellationToken) =>
        await Execute("DELETE FROM tf_reminders WHERE service_id = $p0 AND grain_type = $p1 AND grain_key = $p2 AND name = $p3",
            cancellationToken, serviceId, grainType, grainKey, name) > 0;

    public Task<IReadOnlyList<ReminderEntry>> ReadForGrainAsync(string grainType, string grainKey, CancellationToken cancellationToken) =>
        Query($"SELECT {Columns} FROM tf_reminders WHERE service_id = $p0 AND grain_type = $p1 AND grain_key = $p2 ORDER BY name",
            cancellationToken, serviceId, grainType, grainKey);

    public Task<IReadOnlyList<ReminderEntry>> ReadDueAsync(long untilMs, int limit, CancellationToken cancellationToken) =>
        Query($"SELECT {Columns} FROM tf_reminders WHERE service_id = $p0 AND due_at_ms <= $p1 ORDER BY due_at_ms LIMIT $p2",
            cancellationToken, serviceId, untilMs, limit);

    public async Task<bool> AdvanceAsync(ReminderEntry fired, long nextDueAtMs, CancellationToken cancellationToken) =>
        await Execute("""
            UPDATE tf_reminders SET due_at_ms = $p5
            WHERE service_id = $p0 AND grain_type = $p1 AND grain_key = $p2 AND name = $p3 AND due_at_ms = $p4 AND period_ms = $p6
            """, cancellationToken, serviceId, fired.GrainType, fired.GrainKey, fired.Name, fired.DueAtMs, nextDueAtMs, fired.PeriodMs) > 0;

    private async Task<int> Execute(string sql, CancellationToken cancellationToken, params object[] values)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Command(connection, sql, values);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<ReminderEntry>> Query(string sql, CancellationToken cancellationToken, params object[] values)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Command(connection, sql, values);
        var entries = new List<ReminderEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            entries.Add(new ReminderEntry(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4)));
        return entries;
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, object[] values)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        for (var i = 0; i < values.Length; i++) command.Parameters.AddWithValue($"$p{i}", values[i]);
        return command;
    }
}
