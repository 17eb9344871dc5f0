namespace TicketFlow.Data.Journal;

/// <summary>The journal tables; one DDL for PostgreSQL and SQLite (BIGINT is SQLite's 64-bit INTEGER, BYTEA a BLOB).</summary>
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
                seq         BIGINT NOT NULL CHECK (seq > 0),
                entry       BYTEA  NOT NULL,
                PRIMARY KEY (service_id, grain_type, grain_key, journal, seq));

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
