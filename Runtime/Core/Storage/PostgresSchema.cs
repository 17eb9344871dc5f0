namespace TicketFlow.Runtime.Storage;

/// <summary>The runtime's tables on PostgreSQL: grain state, journals, reminders and membership.</summary>
internal static class PostgresSchema
{
    public const string Component = "runtime";

    public const string LockSql = SchemaMigrator.PostgresLock;

    public static readonly Migration[] Migrations =
    [
        new(1, """
            CREATE TABLE tf_grain_state (
                service_id  TEXT   NOT NULL,
                grain_type  TEXT   NOT NULL,
                grain_key   TEXT   NOT NULL,
                state_name  TEXT   NOT NULL,
                payload     BYTEA  NULL,
                version     BIGINT NOT NULL CHECK (version > 0),
                updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
                PRIMARY KEY (service_id, grain_type, grain_key, state_name));

            CREATE TABLE tf_reminders (
                service_id  TEXT   NOT NULL,
                grain_type  TEXT   NOT NULL,
                grain_key   TEXT   NOT NULL,
                name        TEXT   NOT NULL,
                due_at_ms   BIGINT NOT NULL,
                period_ms   BIGINT NOT NULL CHECK (period_ms > 0),
                PRIMARY KEY (service_id, grain_type, grain_key, name));
            CREATE INDEX tf_reminders_due ON tf_reminders (service_id, due_at_ms);

            CREATE TABLE tf_membership (
                cluster_id   TEXT   NOT NULL,
                endpoint     TEXT   NOT NULL,
                generation   BIGINT NOT NULL,
                status       TEXT   NOT NULL CHECK (status IN ('Joining', 'Active', 'ShuttingDown', 'Dead')),
                started_at   TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
                heartbeat_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
                PRIMARY KEY (cluster_id, endpoint, generation));
            CREATE TABLE tf_membership_version (
                cluster_id TEXT PRIMARY KEY,
                version    BIGINT NOT NULL);
            """),
        new(2, """
            CREATE TABLE tf_journal (
                service_id  TEXT   NOT NULL,
                grain_type  TEXT   NOT NULL,
                grain_key   TEXT   NOT NULL,
                journal     TEXT   NOT NULL,
                seq         BIGINT NOT NULL CHECK (seq > 0),
                entry       BYTEA  NOT NULL,
                written_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
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
