using Npgsql;

namespace TicketFlow.Runtime.Storage;

/// <summary>Grain state in PostgreSQL. Conditional writes are single statements, so a stale writer can never win.</summary>
public sealed class PostgresGrainStorage(NpgsqlDataSource dataSource, string serviceId) : IGrainStorage
{
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await SchemaMigrator.ApplyAsync(connection, PostgresSchema.Component, PostgresSchema.Migrations, PostgresSchema.LockSql, cancellationToken);
    }

    public async Task<StoredState?> ReadAsync(string grainType, string key, string stateName, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT payload, version FROM tf_grain_state WHERE service_id = $1 AND grain_type = $2 AND grain_key = $3 AND state_name = $4");
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
        // Version 0 means "no record": insert, and lose to anyone who inserted first.
        await using var command = dataSource.CreateCommand(expectedVersion == 0
            ? """
              INSERT INTO tf_grain_state (service_id, grain_type, grain_key, state_name, payload, version)
              VALUES ($1, $2, $3, $4, $5, 1) ON CONFLICT DO NOTHING RETURNING version
              """
            : """
              UPDATE tf_grain_state SET payload = $5, version = version + 1, updated_at = now()
              WHERE service_id = $1 AND grain_type = $2 AND grain_key = $3 AND state_name = $4 AND version = $6
              RETURNING version
              """);
        AddKey(command, grainType, key, stateName);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)payload ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea });
        if (expectedVersion != 0) command.Parameters.Add(new NpgsqlParameter { Value = expectedVersion });
        var version = await command.ExecuteScalarAsync(cancellationToken);
        return version is long newVersion
            ? newVersion
            : throw new InconsistentStateException($"{grainType}/{key} state '{stateName}' is no longer at version {expectedVersion}: a newer activation wrote it.");
    }

    public async Task<StoredJournal> ReadJournalAsync(string grainType, string key, string journal, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // One snapshot-consistent read of both tables, so no append can fall between them.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        byte[]? snapshot = null;
        long snapshotVersion = 0;
        await using (var command = new NpgsqlCommand(
            "SELECT payload, version FROM tf_journal_snapshot WHERE service_id = $1 AND grain_type = $2 AND grain_key = $3 AND journal = $4", connection, transaction))
        {
            AddKey(command, grainType, key, journal);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken)) (snapshot, snapshotVersion) = ((byte[])reader[0], reader.GetInt64(1));
        }
        var entries = new List<byte[]>();
        await using (var command = new NpgsqlCommand("""
            SELECT seq, entry FROM tf_journal WHERE service_id = $1 AND grain_type = $2 AND grain_key = $3 AND journal = $4 AND seq > $5 ORDER BY seq
            """, connection, transaction))
        {
            AddKey(command, grainType, key, journal);
            command.Parameters.Add(new NpgsqlParameter { Value = snapshotVersion });
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
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);
        // Numbers are dense, so an activation holding an older journal always collides with what a newer one appended.
        var append = new NpgsqlBatchCommand("""
            INSERT INTO tf_journal (service_id, grain_type, grain_key, journal, seq, entry)
            SELECT $1, $2, $3, $4, $5 + t.ordinal, t.entry FROM unnest($6::bytea[]) WITH ORDINALITY AS t(entry, ordinal)
            WHERE $5 = 0 OR EXISTS (SELECT 1 FROM tf_journal WHERE service_id = $1 AND grain_type = $2 AND grain_key = $3 AND journal = $4 AND seq = $5)
            """);
        AddKey(append.Parameters, grainType, key, journal);
        append.Parameters.Add(new NpgsqlParameter { Value = expectedVersion });
        append.Parameters.Add(new NpgsqlParameter { Value = entries.ToArray(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Bytea });
        batch.BatchCommands.Add(append);
        if (snapshot is not null)
        {
            var save = new NpgsqlBatchCommand("""
                INSERT INTO tf_journal_snapshot (service_id, grain_type, grain_key, journal, version, payload) VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (service_id, grain_type, grain_key, journal) DO UPDATE SET version = excluded.version, payload = excluded.payload
                WHERE tf_journal_snapshot.version < excluded.version
                """);
            AddKey(save.Parameters, grainType, key, journal);
            save.Parameters.Add(new NpgsqlParameter { Value = snapshot.Version });
            save.Parameters.Add(new NpgsqlParameter { Value = snapshot.Payload, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea });
            batch.BatchCommands.Add(save);
        }
        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException error) when (error.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw Conflict(grainType, key, journal, expectedVersion);
        }
        // Appending after a number that does not exist would leave a gap: the journal is not where this activation thinks.
        if (append.RecordsAffected != entries.Count) throw Conflict(grainType, key, journal, expectedVersion);
        await transaction.CommitAsync(cancellationToken);
    }

    private static InconsistentStateException Conflict(string grainType, string key, string journal, long expectedVersion) =>
        new($"{grainType}/{key} journal '{journal}' is not at version {expectedVersion}: another activation appended to it.");

    private void AddKey(NpgsqlCommand command, string grainType, string key, string stateName) => AddKey(command.Parameters, grainType, key, stateName);

    private void AddKey(NpgsqlParameterCollection parameters, string grainType, string key, string stateName)
    {
        parameters.Add(new NpgsqlParameter { Value = serviceId });
        parameters.Add(new NpgsqlParameter { Value = grainType });
        parameters.Add(new NpgsqlParameter { Value = key });
        parameters.Add(new NpgsqlParameter { Value = stateName });
    }
}
