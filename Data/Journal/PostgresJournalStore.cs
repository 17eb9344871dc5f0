using Npgsql;
using NpgsqlTypes;

namespace TicketFlow.Data.Journal;

/// <summary>Journals in PostgreSQL: one append is one statement (plus the snapshot upsert) in one transaction.</summary>
public sealed class PostgresJournalStore(NpgsqlDataSource dataSource, string serviceId) : IJournalStore
{
    // True when the journal's last row up to entry $5 ends exactly at $5: one backward step on the primary key, whatever
    // the journal's length (a test on last_seq alone would scan every row of the journal).
    private const string LastRowEndsAtV = """
        (SELECT last_seq = $5 FROM tf_journal WHERE service_id = $1 AND grain_type = $2 AND grain_key = $3 AND journal = $4
         AND first_seq <= $5 ORDER BY first_seq DESC LIMIT 1)
        """;

    // One row per append, numbered from the version it extends ($5): an activation holding an older journal collides on the
    // key with the row a newer one appended there, and one that thinks the journal is longer than it is appends nothing.
    private const string AppendSql = $"""
        INSERT INTO tf_journal (service_id, grain_type, grain_key, journal, first_seq, last_seq, entries)
        SELECT $1, $2, $3, $4, $5 + 1, $5 + $6, $7
        WHERE $5 = 0 OR {LastRowEndsAtV}
        """;

    // Only beside an append that went in (the entry it covers, $5, exists in this transaction), never ahead of the journal.
    private const string SnapshotSql = $"""
        INSERT INTO tf_journal_snapshot (service_id, grain_type, grain_key, journal, version, payload)
        SELECT $1, $2, $3, $4, $5, $6
        WHERE {LastRowEndsAtV}
        ON CONFLICT (service_id, grain_type, grain_key, journal) DO UPDATE SET version = excluded.version, payload = excluded.payload
        WHERE tf_journal_snapshot.version < excluded.version
        """;

    public Task InitializeAsync(CancellationToken cancellationToken) =>
        SqlStoreDatabase.PostgreSql(dataSource).MigrateAsync(JournalSchema.Component, JournalSchema.Migrations, cancellationToken);

    public async Task<StoredJournal> ReadAsync(JournalId journal, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // One snapshot-consistent read of both tables, so no append can fall between them.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        byte[]? snapshot = null;
        long snapshotVersion = 0;
        await using (var command = new NpgsqlCommand(
            "SELECT payload, version FROM tf_journal_snapshot WHERE service_id = $1 AND grain_type = $2 AND grain_key = $3 AND journal = $4", connection, transaction))
        {
            AddKey(command.Parameters, journal);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken)) (snapshot, snapshotVersion) = ((byte[])reader[0], reader.GetInt64(1));
        }
        var entries = new List<byte[]>();
        await using (var command = new NpgsqlCommand("""
            SELECT first_seq, last_seq, entries FROM tf_journal
            WHERE service_id = $1 AND grain_type = $2 AND grain_key = $3 AND journal = $4 AND first_seq > $5 ORDER BY first_seq
            """, connection, transaction))
        {
            AddKey(command.Parameters, journal);
            command.Parameters.Add(new NpgsqlParameter { Value = snapshotVersion });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var batch = JournalBatch.Decode((byte[])reader[2]).ToList();
                JournalIntegrity.CheckNext(journal, snapshotVersion + entries.Count, reader.GetInt64(0), reader.GetInt64(1), batch.Count);
                entries.AddRange(batch);
            }
        }
        await transaction.CommitAsync(cancellationToken);
        return new StoredJournal(snapshot, snapshotVersion, entries);
    }

    public async Task AppendAsync(JournalId journal, long expectedVersion, IReadOnlyList<byte[]> entries, JournalSnapshot? snapshot, CancellationToken cancellationToken)
    {
        JournalIntegrity.CheckSnapshot(snapshot, expectedVersion + entries.Count);
        // One round trip and one commit: the statements of a batch run in one implicit transaction.
        await using var batch = dataSource.CreateBatch();
        var append = new NpgsqlBatchCommand(AppendSql);
        AddKey(append.Parameters, journal);
        append.Parameters.Add(new NpgsqlParameter { Value = expectedVersion });
        append.Parameters.Add(new NpgsqlParameter { Value = (long)entries.Count });
        append.Parameters.Add(new NpgsqlParameter { Value = JournalBatch.Encode(entries), NpgsqlDbType = NpgsqlDbType.Bytea });
        batch.BatchCommands.Add(append);
        if (snapshot is not null)
        {
            var save = new NpgsqlBatchCommand(SnapshotSql);
            AddKey(save.Parameters, journal);
            save.Parameters.Add(new NpgsqlParameter { Value = snapshot.Version });
            save.Parameters.Add(new NpgsqlParameter { Value = snapshot.Payload, NpgsqlDbType = NpgsqlDbType.Bytea });
            batch.BatchCommands.Add(save);
        }
        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException error) when (error.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new JournalConflictException(journal, expectedVersion);
        }
        if (append.RecordsAffected != 1) throw new JournalConflictException(journal, expectedVersion);
    }

    private void AddKey(NpgsqlParameterCollection parameters, JournalId journal)
    {
        parameters.Add(new NpgsqlParameter { Value = serviceId });
        parameters.Add(new NpgsqlParameter { Value = journal.GrainType });
        parameters.Add(new NpgsqlParameter { Value = journal.Key });
        parameters.Add(new NpgsqlParameter { Value = journal.Name });
    }
}
