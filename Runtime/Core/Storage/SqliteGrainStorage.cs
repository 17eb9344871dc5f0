using Microsoft.Data.Sqlite;

namespace TicketFlow.Runtime.Storage;

/// <summary>Grain state in an embedded SQLite file, with the same conditional-write contract as PostgreSQL.</summary>
public sealed class SqliteGrainStorage(SqliteDatabase database, string serviceId) : IGrainStorage
{
    public Task InitializeAsync(CancellationToken cancellationToken) =>
        database.MigrateAsync(SqliteSchema.Component, SqliteSchema.Migrations, cancellationToken);

    public async Task<StoredState?> ReadAsync(string grainType, string key, string stateName, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT payload, version FROM tf_grain_state WHERE service_id = $s AND grain_type = $t AND grain_key = $k AND state_name = $n";
        AddKey(command, grainType, key, stateName);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return new StoredState(reader.IsDBNull(0) ? null : (byte[])reader[0], reader.GetInt64(1));
    }

    public Task<long> WriteAsync(string grainType, string key, string stateName, byte[] payload, long expectedVersion, CancellationToken cancellationToken) =>
        Put(grainType, key, stateName, payload, expectedVersion, cancellationToken);

    public Task<long> ClearAsync(string grainType, string key, string stateName, long expectedVersion, CancellationToken cancellationToken) =>
        Put(grainType, key, stateName, null, expectedVersion, cancellationToken);

    private async Task<long> Put(string grainType, string key, string stateName, byte[]? payload, long expectedVersion, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = expectedVersion == 0
            ? """
              INSERT INTO tf_grain_state (service_id, grain_type, grain_key, state_name, payload, version)
              VALUES ($s, $t, $k, $n, $p, 1) ON CONFLICT DO NOTHING RETURNING version
              """
            : """
              UPDATE tf_grain_state SET payload = $p, version = version + 1
              WHERE service_id = $s AND grain_type = $t AND grain_key = $k AND state_name = $n AND version = $v
              RETURNING version
              """;
        AddKey(command, grainType, key, stateName);
        command.Parameters.Add(new SqliteParameter("$p", SqliteType.Blob) { Value = (object?)payload ?? DBNull.Value });
        command.Parameters.AddWithValue("$v", expectedVersion);
        var version = await command.ExecuteScalarAsync(cancellationToken);
        return version is long newVersion
            ? newVersion
            : throw new InconsistentStateException($"{grainType}/{key} state '{stateName}' is no longer at version {expectedVersion}: a newer activation wrote it.");
    }

    public async Task<StoredJournal> ReadJournalAsync(string grainType, string key, string journal, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        byte[]? snapshot = null;
        long snapshotVersion = 0;
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "SELECT payload, version FROM tf_journal_snapshot WHERE service_id = $s AND grain_type = $t AND grain_key = $k AND journal = $n";
            AddKey(command, grainType, key, journal);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken)) (snapshot, snapshotVersion) = ((byte[])reader[0], reader.GetInt64(1));
        }
        var entries = new List<byte[]>();
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "SELECT seq, entry FROM tf_journal WHERE service_id = $s AND grain_type = $t AND grain_key = $k AND journal = $n AND seq > $v ORDER BY seq";
            AddKey(command, grainType, key, journal);
            command.Parameters.AddWithValue("$v", snapshotVersion);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                JournalIntegrity.CheckNext(grainType, key, journal, snapshotVersion + entries.Count, reader.GetInt64(0));
                entries.Add((byte[])reader[1]);
            }
        }
        await transaction.CommitAsync(cancellationToken);
        return new StoredJournal(snapshot, snapshotVersion, entries);
    }

    public async Task AppendJournalAsync(string grainType, string key, string journal, long expectedVersion, IReadOnlyList<byte[]> entries, JournalSnapshot? snapshot,
        CancellationToken cancellationToken)
    {
        JournalIntegrity.CheckSnapshot(snapshot, expectedVersion + entries.Count);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await using (var last = connection.CreateCommand())
            {
                last.Transaction = transaction;
                last.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM tf_journal WHERE service_id = $s AND grain_type = $t AND grain_key = $k AND journal = $n";
                AddKey(last, grainType, key, journal);
                if ((long)(await last.ExecuteScalarAsync(cancellationToken))! != expectedVersion) throw Conflict(grainType, key, journal, expectedVersion);
            }
            await using (var append = connection.CreateCommand())
            {
                append.Transaction = transaction;
                append.CommandText = "INSERT INTO tf_journal (service_id, grain_type, grain_key, journal, seq, entry) VALUES ($s, $t, $k, $n, $q, $e)";
                AddKey(append, grainType, key, journal);
                var seq = append.Parameters.Add("$q", SqliteType.Integer);
                var entry = append.Parameters.Add("$e", SqliteType.Blob);
                for (var i = 0; i < entries.Count; i++)
                {
                    seq.Value = expectedVersion + i + 1;
                    entry.Value = entries[i];
                    await append.ExecuteNonQueryAsync(cancellationToken);
                }
            }
            if (snapshot is not null)
            {
                await using var save = connection.CreateCommand();
                save.Transaction = transaction;
                save.CommandText = """
                    INSERT INTO tf_journal_snapshot (service_id, grain_type, grain_key, journal, version, payload) VALUES ($s, $t, $k, $n, $v, $p)
                    ON CONFLICT (service_id, grain_type, grain_key, journal) DO UPDATE SET version = excluded.version, payload = excluded.payload
                    WHERE tf_journal_snapshot.version < excluded.version
                    """;
                AddKey(save, grainType, key, journal);
                save.Parameters.AddWithValue("$v", snapshot.Version);
                save.Parameters.Add(new SqliteParameter("$p", SqliteType.Blob) { Value = snapshot.Payload });
                await save.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        catch (SqliteException error) when (error.SqliteErrorCode == 19) // SQLITE_CONSTRAINT: those numbers are taken
        {
            throw Conflict(grainType, key, journal, expectedVersion);
        }
    }

    private static InconsistentStateException Conflict(string grainType, string key, string journal, long expectedVersion) =>
        new($"{grainType}/{key} journal '{journal}' is not at version {expectedVersion}: another activation appended to it.");

    private void AddKey(SqliteCommand command, string grainType, string key, string stateName)
    {
        command.Parameters.AddWithValue("$s", serviceId);
        command.Parameters.AddWithValue("$t", grainType);
        command.Parameters.AddWithValue("$k", key);
        command.Parameters.AddWithValue("$n", stateName);
    }
}
