namespace TicketFlow.Runtime.Storage;

/// <summary>The runtime's tables on SQLite (embedded mode): grain state, journals and reminders.</summary>
internal static class SqliteSchema
{
    public const string Component = "runtime";

    public static readonly Migration[] Migrations =
    [
        new(1, """
            CREATE TABLE tf_grain_state (
                service_id  TEXT    NOT NULL,
                grain_type  TEXT    NOT NULL,
                grain_key   TEXT    NOT NULL,
                state_name  TEXT    NOT NULL,
                payload     BLOB    NULL,
                version     INTEGER NOT NULL CHECK (version > 0),
                PRIMARY KEY (service_id, grain_type, grain_key, state_name));

            CREATE TABLE tf_reminders (
                service_id  TEXT    NOT NULL,
                grain_type  TEXT    NOT NULL,
                grain_key   TEXT    NOT NULL,
                name        TEXT    NOT NULL,
                due_at_ms   INTEGER NOT NULL,
                period_ms   INTEGER NOT NULL CHECK (period_ms > 0),
                PRIMARY KEY (service_id, grain_type, grain_key, name));
            CREATE INDEX tf_reminders_due ON tf_reminders (service_id, due_at_ms);
            """),
        new(2, """
            CREATE TABLE tf_journal (
                service_id  TEXT    NOT NULL,
                grain_type  TEXT    NOT NULL,
                grain_key   TEXT    NOT NULL,
                journal     TEXT    NOT NULL,
                seq         INTEGER NOT NULL CHECK (seq > 0),
                entry       BLOB    NOT NULL,
                PRIMARY KEY (service_id, grain_type, grain_key, journal, seq));

            CREATE TABLE tf_journal_snapshot (
                service_id  TEXT    NOT NULL,
                grain_type  TEXT    NOT NULL,
                grain_key   TEXT    NOT NULL,
                journal     TEXT    NOT NULL,
                version     INTEGER NOT NULL CHECK (version > 0),
                payload     BLOB    NOT NULL,
                PRIMARY KEY (service_id, grain_type, grain_key, journal));
            """),
    ];
}
