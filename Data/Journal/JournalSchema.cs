namespace TicketFlow.Data.Journal;

/// <summary>
/// The journal tables; one DDL for PostgreSQL and SQLite (BIGINT is SQLite's 64-bit INTEGER, BYTEA a BLOB). One row per
/// append: entries <c>first_seq</c>..<c>last_seq</c> as one JSON array (<see cref="JournalBatch"/>), so a group commit of
/// hundreds of entries costs the database one row, and the key on <c>first_seq</c> still fences every stale append.
/// </summary>
internal static class JournalSchema
{
    public const string Component = "journal";

    public static readonly Migration[] Migrations =
    [
        new(1, """
            CREATE TABLE tf_journal (
                service_id  TEXT   NOT NULL,
                grain_type  TEXT   NOT NULL,
                grain_key   TEXT   NOT NULL,
                journal     TEXT   NOT NULL,
                first_seq   BIGINT NOT NULL CHECK (first_seq > 0),
                last_seq    BIGINT NOT NULL CHECK (last_seq >= first_seq),
                entries     BYTEA  NOT NULL,
                PRIMARY KEY (service_id, grain_type, grain_key, journal, first_seq));

            CREATE TABLE tf_journal_snapshot (
                service_id  TEXT   NOT NULL,
                grain_type  TEXT   NOT NULL,
                grain_key   TEXT   NOT NULL,
                journal     TEXT   NOT NULL,
                version     BIGINT NOT NULL CHECK (version > 0),
                payload     BYTEA  NOT NULL,
                PRIMARY KEY (service_id, grain_type, grain_key, journal));
            """),
    ];
}
