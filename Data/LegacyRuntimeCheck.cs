using System.Data.Common;

namespace TicketFlow.Data;

/// <summary>
/// Recognises a database or SQLite file written by TicketFlow's earlier home-made runtime (before Microsoft Orleans),
/// whose grain state, reminders and journal format Orleans cannot read. There were no deployments of it, so nothing is
/// migrated: such a database is refused at start with one message saying what to do.
/// </summary>
public static class LegacyRuntimeCheck
{
    /// <summary>The component the old runtime recorded in <c>tf_schema_migrations</c> (tables tf_grain_state, tf_reminders, tf_membership).</summary>
    public const string OldRuntimeComponent = "runtime";

    /// <exception cref="LegacyDatabaseException">The database holds the old runtime's tables.</exception>
    public static async Task ThrowIfOldRuntimeAsync(SqlStoreDatabase database, CancellationToken cancellationToken)
    {
        if (database.SqliteFile is { } file && !File.Exists(file.Path)) return; // a new embedded file: nothing to check
        await using var connection = await database.OpenAsync(cancellationToken);
        if (!await MigrationsTableExistsAsync(connection, database.IsPostgreSql, cancellationToken)) return;
        await using var command = DbCommands.Create(connection, null,
            "SELECT COUNT(*) FROM tf_schema_migrations WHERE component = @component", ("@component", OldRuntimeComponent));
        if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken)) == 0) return;
        throw new LegacyDatabaseException(database.SqliteFile is { } sqlite
            ? $"The SQLite file {sqlite.Path} was written by TicketFlow's old home-made runtime, whose data Orleans cannot read. " +
              $"Nothing is migrated (that runtime was never deployed): move or delete {sqlite.Path} (and signing.key beside it) and start again, " +
              "or point TICKETFLOW_DATA at a new file."
            : "This PostgreSQL database was written by TicketFlow's old home-made runtime (tables tf_grain_state, tf_membership, tf_reminders), " +
              "whose data Orleans cannot read. Nothing is migrated (that runtime was never deployed): create a new, empty database and point " +
              "TICKETFLOW_POSTGRES at it.");
    }

    private static async Task<bool> MigrationsTableExistsAsync(DbConnection connection, bool postgreSql, CancellationToken cancellationToken)
    {
        await using var command = DbCommands.Create(connection, null, postgreSql
            ? "SELECT to_regclass('tf_schema_migrations') IS NOT NULL"
            : "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'tf_schema_migrations'");
        return Convert.ToBoolean(await command.ExecuteScalarAsync(cancellationToken));
    }
}

/// <summary>The database belongs to TicketFlow's pre-Orleans runtime; the message says what to do.</summary>
public sealed class LegacyDatabaseException(string message) : InvalidOperationException(message);
