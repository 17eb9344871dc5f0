namespace TicketFlow.Data.Orleans;

/// <summary>
/// Orleans' own ADO.NET tables and queries (grain state, and reminders on PostgreSQL), from the scripts in
/// dotnet/orleans <c>src/AdoNet</c> that the NuGet packages do not carry. They are kept as they were published (see
/// <c>Orleans/Scripts/README.md</c>) and applied once, in order, by the project's migrator under its lock.
/// </summary>
public static class OrleansSchema
{
    public const string Component = "orleans";

    /// <summary>Grain state and reminders, as the silos of a cluster use them.</summary>
    public static IReadOnlyList<Migration> PostgreSql { get; } =
        [new(1, Script("PostgreSQL-Main.sql")), new(2, Script("PostgreSQL-Persistence.sql")), new(3, Script("PostgreSQL-Reminders.sql"))];

    /// <summary>Grain state in the embedded file (Orleans publishes no SQLite reminder scripts: see <see cref="Reminders.SqliteReminderTable"/>).</summary>
    public static IReadOnlyList<Migration> Sqlite { get; } = [new(1, Script("Sqlite-Main.sql")), new(2, Script("Sqlite-Persistence.sql"))];

    public static Task MigrateAsync(SqlStoreDatabase database, CancellationToken cancellationToken) =>
        database.MigrateAsync(Component, database.IsPostgreSql ? PostgreSql : Sqlite, cancellationToken);

    private static string Script(string name)
    {
        using var stream = typeof(OrleansSchema).Assembly.GetManifestResourceStream($"TicketFlow.Data.Orleans.Scripts.{name}")
            ?? throw new InvalidOperationException($"The Orleans script {name} is not embedded in {typeof(OrleansSchema).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
