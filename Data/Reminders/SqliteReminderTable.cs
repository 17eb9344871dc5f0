using System.Globalization;
using Microsoft.Data.Sqlite;
using Orleans;
using Orleans.Runtime;

namespace TicketFlow.Data.Reminders;

/// <summary>
/// Orleans reminders in the embedded SQLite file. Orleans' ADO.NET reminder table has no SQLite scripts (the silo refuses
/// to start: "Not all required queries found"), so this is the same table and contract as its PostgreSQL one: a row per
/// grain and reminder name, the grain's uniform hash for range reads, and a version as the ETag (an upsert bumps it; a
/// removal must name it).
/// </summary>
public sealed class SqliteReminderTable(SqliteDatabase database, string serviceId) : IReminderTable
{
    public const string Component = "reminders";

    private const string Columns = "GrainId, ReminderName, StartTime, Period, Version";

    private static readonly Migration[] Migrations =
    [
        new(1, """
            CREATE TABLE OrleansRemindersTable (
                ServiceId    TEXT    NOT NULL,
                GrainId      TEXT    NOT NULL,
                ReminderName TEXT    NOT NULL,
                StartTime    INTEGER NOT NULL, -- Unix milliseconds (UTC)
                Period       INTEGER NOT NULL, -- milliseconds
                GrainHash    INTEGER NOT NULL, -- GrainId.GetUniformHashCode(), 0 .. 2^32 - 1
                Version      INTEGER NOT NULL,
                PRIMARY KEY (ServiceId, GrainId, ReminderName));
            CREATE INDEX OrleansRemindersTable_Hash ON OrleansRemindersTable (ServiceId, GrainHash);
            """),
    ];

    public Task StartAsync(CancellationToken cancellationToken = default) => database.MigrateAsync(Component, Migrations, cancellationToken);

    public Task<ReminderTableData> ReadRows(GrainId grainId) =>
        QueryAsync($"SELECT {Columns} FROM OrleansRemindersTable WHERE ServiceId = $s AND GrainId = $g", ("$g", grainId.ToString()));

    public Task<ReminderTableData> ReadRows(uint begin, uint end) => QueryAsync(begin < end
            ? $"SELECT {Columns} FROM OrleansRemindersTable WHERE ServiceId = $s AND GrainHash > $b AND GrainHash <= $e"
            : $"SELECT {Columns} FROM OrleansRemindersTable WHERE ServiceId = $s AND (GrainHash > $b OR GrainHash <= $e)", // the range wraps around
        ("$b", (long)begin), ("$e", (long)end));

    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) =>
        (await QueryAsync($"SELECT {Columns} FROM OrleansRemindersTable WHERE ServiceId = $s AND GrainId = $g AND ReminderName = $n",
            ("$g", grainId.ToString()), ("$n", reminderName))).Reminders.SingleOrDefault();

    public async Task<string?> UpsertRow(ReminderEntry entry)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var command = Command(connection, """
            INSERT INTO OrleansRemindersTable (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
            VALUES ($s, $g, $n, $t, $p, $h, 0)
            ON CONFLICT (ServiceId, GrainId, ReminderName) DO UPDATE
                SET StartTime = excluded.StartTime, Period = excluded.Period, GrainHash = excluded.GrainHash, Version = Version + 1
            RETURNING Version
            """, ("$g", entry.GrainId.ToString()), ("$n", entry.ReminderName),
            ("$t", new DateTimeOffset(DateTime.SpecifyKind(entry.StartAt, DateTimeKind.Utc)).ToUnixTimeMilliseconds()),
            ("$p", (long)entry.Period.TotalMilliseconds), ("$h", (long)entry.GrainId.GetUniformHashCode()));
        var version = (long)(await command.ExecuteScalarAsync())!;
        return version.ToString(CultureInfo.InvariantCulture);
    }

    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        if (!long.TryParse(eTag, NumberStyles.None, CultureInfo.InvariantCulture, out var version)) return false;
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var command = Command(connection, "DELETE FROM OrleansRemindersTable WHERE ServiceId = $s AND GrainId = $g AND ReminderName = $n AND Version = $v",
            ("$g", grainId.ToString()), ("$n", reminderName), ("$v", version));
        return await command.ExecuteNonQueryAsync() > 0;
    }

    public async Task TestOnlyClearTable()
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var command = Command(connection, "DELETE FROM OrleansRemindersTable WHERE ServiceId = $s");
        await command.ExecuteNonQueryAsync();
    }

    private async Task<ReminderTableData> QueryAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var command = Command(connection, sql, parameters);
        var entries = new List<ReminderEntry>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            entries.Add(new ReminderEntry
            {
                GrainId = GrainId.Parse(reader.GetString(0)),
                ReminderName = reader.GetString(1),
                StartAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)).UtcDateTime,
                Period = TimeSpan.FromMilliseconds(reader.GetInt64(3)),
                ETag = reader.GetInt64(4).ToString(CultureInfo.InvariantCulture),
            });
        }
        return new ReminderTableData(entries);
    }

    private SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$s", serviceId);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return command;
    }
}
