using Microsoft.Data.Sqlite;

namespace TicketFlow.Data.Journal;

/// <summary>Journals in the embedded SQLite file, with the same dense, conditional appends as PostgreSQL.</summary>
public sealed class SqliteJournalStore(SqliteDatabase database, string serviceId) : IJournalStore
{
    public Task InitializeAsync(CancellationToken cancellationToken) =>
        database.MigrateAsync(JournalSchema.Component, JournalSchema.Migrations, cancellationToken);

    public async Task<StoredJournal> ReadAsync(JournalId journal, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // A deferred transaction reads one consistent state of both tables without taking the write lock.
        await using var transaction = connection.BeginTransaction(deferred: true);
        byte[]? snapshot = null;
        long snapshotVersion = 0;
        await using (var command = Command(connection, transaction, journal,
            "SELECT payload, version FROM tf_journal_snapshot WHERE service_id = $s AND grain_type = $t AND grain_key = $k AND journal = $n"))
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken)) (snapshot, snapshotVersion) = ((byte[])reader[0], reader.GetInt64(1));
        }
        var entries = new List<byte[]>();
        await using (var command = Command(connection, transaction, journal,
            "SELECT first_seq, last_seq, entries FROM tf_journal WHERE service_id = $s AND grain_type = $t AND grain_key = $k AND journal = $n AND first_seq > $v ORDER BY first_seq"))
        {
            command.Parameters.AddWithValue("$v", snapshotVersion);
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
        await using var connection = await database.OpenAsync(cancellationToken);
        // SQLite has one writer at a time: take the write lock first, so the check below and the inserts are one step.
        await using var transaction = connection.BeginTransaction(deferred: false);
        try
        {
            await using (var last = Command(connection, transaction, journal,
                "SELECT COALESCE((SELECT last_seq FROM tf_journal WHERE service_id = $s AND grain_type = $t AND grain_key = $k AND journal = $n ORDER BY first_seq DESC LIMIT 1), 0)"))
            {
                if ((long)(await last.ExecuteScalarAsync(cancellationToken))! != expectedVersion) throw new JournalConflictException(journal, expectedVersion);
            }
            await using (var append = Command(connection, transaction, journal,
                "INSERT INTO tf_journal (service_id, grain_type, grain_key, journal, first_seq, last_seq, entries) VALUES ($s, $t, $k, $n, $f, $l, $e)"))
            {
                append.Parameters.AddWithValue("$f", expectedVersion + 1);
                append.Parameters.AddWithValue("$l", expectedVersion + entries.Count);
                append.Parameters.Add(new SqliteParameter("$e", SqliteType.Blob) { Value = JournalBatch.Encode(entries) });
                await append.ExecuteNonQueryAsync(cancellationToken);
            }
            if (snapshot is not null)
            {
                await using var save = Command(connection, transaction, journal, """
                    INSERT INTO tf_journal_snapshot (service_id, grain_type, grain_key, journal, version, payload) VALUES ($s, $t, $k, $n, $v, $p)
                    ON CONFLICT (service_id, grain_type, grain_key, journal) DO UPDATE SET version = excluded.version, payload = excluded.payload
                    WHERE tf_journal_snapshot.version < excluded.version
                    """);
                save.Parameters.AddWithValue("$v", snapshot.Version);
                save.Parameters.Add(new SqliteParameter("$p", SqliteType.Blob) { Value = snapshot.Payload });
                await save.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        catch (SqliteException error) when (error.SqliteErrorCode == 19) // SQLITE_CONSTRAINT: those numbers are taken
        {
            throw new JournalConflictException(journal, expectedVersion);
        }
    }

    private SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, JournalId journal, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddWithValue("$s", serviceId);
        command.Parameters.AddWithValue("$t", journal.GrainType);
        command.Parameters.AddWithValue("$k", journal.Key);
        command.Parameters.AddWithValue("$n", journal.Name);
        return command;
    }
}
