using Npgsql;
using NpgsqlTypes;

namespace TicketFlow.Data.Journal;

/// <summary>
/// Journals in PostgreSQL: one append is one statement (plus the snapshot upsert), committed in a group commit with the
/// appends of every other journal of this process (<see cref="CommitBatcher"/>; a conflict refuses only its own append).
/// </summary>
public sealed class PostgresJournalStore(NpgsqlDataSource dataSource, string serviceId, CommitBatcher? batcher = null) : IJournalStore
{
    private readonly CommitBatcher batcher = batcher ?? new CommitBatcher(dataSource);

    // True when the journal's last row up to entry $5 ends exactly at $5: one backward step on the primary key, whatever
    // the journal's length (a test on last_seq alone would scan every row of the journal).
    private const string LastRowEndsAtV = """
        (SELECT last_seq = $5 FROM tf_journal WHERE service_id = $1 AND grain_type = $2 AND grain_key = $3 AND journal = $4
         AND first_seq <= $5 ORDER BY first_seq DESC LIMIT 1)
        """;

    // One row per append, numbered from the version it extends ($5): an activation holding an older journal collides on the
    // key with the row a newer one appended there, and one that thinks the journal is longer than it is appends nothing.
    // Either way no row comes back, and no error: an error would refuse the whole group commit the append is part of.
    private const string AppendSql = $"""
        INSERT INTO tf_journal (service_id, grain_type, grain_key, journal, first_seq, last_seq, entries)
        SELECT $1, $2, $3, $4, $5 + 1, $5 + $6, $7
        WHERE $5 = 0 OR {LastRowEndsAtV}
        ON CONFLICT (service_id, grain_type, grain_key, journal, first_seq) DO NOTHING
        RETURNING last_seq
        """;

    // The append and, only if it went in, the snapshot that covers it (never ahead of the journal: CheckSnapshot).
    private const string AppendWithSnapshotSql = $"""
        WITH appended AS ({AppendSql}),
        saved AS (
            INSERT INTO tf_journal_snapshot (service_id, grain_type, grain_key, journal, version, payload)
            SELECT $1, $2, $3, $4, $8, $9 WHERE EXISTS (SELECT FROM appended)
            ON CONFLICT (service_id, grain_type, grain_key, journal) DO UPDATE SET version = excluded.version, payload = excluded.payload
            WHERE tf_journal_snapshot.version < excluded.version)
        SELECT last_seq FROM appended
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
        // One statement, in the next group commit of this process's appends (every grain's).
        var append = snapshot is null
            ? new SqlStatement(AppendSql, serviceId, journal.GrainType, journal.Key, journal.Name, expectedVersion, (long)entries.Count, Bytes(JournalBatch.Encode(entries)))
            : new SqlStatement(AppendWithSnapshotSql, serviceId, journal.GrainType, journal.Key, journal.Name, expectedVersion, (long)entries.Count,
                Bytes(JournalBatch.Encode(entries)), snapshot.Version, Bytes(snapshot.Payload));
        if (await batcher.WriteAsync(append).WaitAsync(cancellationToken) != 1) throw new JournalConflictException(journal, expectedVersion);
    }

    private static NpgsqlParameter Bytes(byte[] value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Bytea };

    private void AddKey(NpgsqlParameterCollection parameters, JournalId journal)
    {
        parameters.Add(new NpgsqlParameter { Value = serviceId });
        parameters.Add(new NpgsqlParameter { Value = journal.GrainType });
        parameters.Add(new NpgsqlParameter { Value = journal.Key });
        parameters.Add(new NpgsqlParameter { Value = journal.Name });
    }
}
