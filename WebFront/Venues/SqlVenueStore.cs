using System.Text.Json;
using TicketFlow.Data;
using TicketFlow.Domain.Seating;

namespace TicketFlow.WebFront.Venues;

/// <summary>
/// Venues and their layout versions in SQL, one implementation for both engines. A layout version is inserted once and
/// never updated (its primary key is the venue and the version); a new layout is the next version, made current in the
/// same transaction. Layouts are stored as JSON text (System.Text.Json web defaults of <see cref="VenueLayout"/>).
/// </summary>
public sealed class SqlVenueStore(SqlStoreDatabase database) : IVenueStore
{
    private static readonly Migration[] Migrations =
    [
        new(1, """
            CREATE TABLE tf_venues (
                id             TEXT    PRIMARY KEY,
                name           TEXT    NOT NULL,
                city           TEXT    NOT NULL,
                address        TEXT    NOT NULL,
                layout_version INTEGER NOT NULL CHECK (layout_version >= 1));
            CREATE TABLE tf_venue_layouts (
                venue_id TEXT    NOT NULL REFERENCES tf_venues (id),
                version  INTEGER NOT NULL CHECK (version >= 1),
                seats    INTEGER NOT NULL CHECK (seats >= 0),
                layout   TEXT    NOT NULL,
                PRIMARY KEY (venue_id, version));
            """),
    ];

    public static readonly JsonSerializerOptions LayoutJson = JsonSerializerOptions.Web;

    public Task InitializeAsync(CancellationToken cancellationToken) => database.MigrateAsync("venues", Migrations, cancellationToken);

    public async Task CreateAsync(VenueInfo venue, VenueLayout layout, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await DbCommands.ExecuteAsync(connection, transaction,
            "INSERT INTO tf_venues (id, name, city, address, layout_version) VALUES (@id, @name, @city, @address, 1)", cancellationToken,
            ("@id", venue.Id), ("@name", venue.Name), ("@city", venue.City), ("@address", venue.Address));
        await InsertLayoutAsync(connection, transaction, venue.Id, 1, layout, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<VenueInfo?> GetAsync(string venueId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = DbCommands.Create(connection, null, "SELECT id, name, city, address, layout_version FROM tf_venues WHERE id = @id", ("@id", venueId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<VenueInfo>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = DbCommands.Create(connection, null, "SELECT id, name, city, address, layout_version FROM tf_venues ORDER BY name, id");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var venues = new List<VenueInfo>();
        while (await reader.ReadAsync(cancellationToken)) venues.Add(Read(reader));
        return venues;
    }

    public async Task<int?> AddLayoutVersionAsync(string venueId, VenueLayout layout, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The update takes the venue's row first, so two new layouts of one venue get consecutive versions, never the same one.
        await using var bump = DbCommands.Create(connection, transaction,
            "UPDATE tf_venues SET layout_version = layout_version + 1 WHERE id = @id RETURNING layout_version", ("@id", venueId));
        if (await bump.ExecuteScalarAsync(cancellationToken) is not { } result) return null;
        var version = Convert.ToInt32(result, System.Globalization.CultureInfo.InvariantCulture);
        await InsertLayoutAsync(connection, transaction, venueId, version, layout, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return version;
    }

    public async Task<VenueLayout?> GetLayoutAsync(string venueId, int version, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = DbCommands.Create(connection, null, "SELECT layout FROM tf_venue_layouts WHERE venue_id = @id AND version = @version",
            ("@id", venueId), ("@version", version));
        return await command.ExecuteScalarAsync(cancellationToken) is string json ? JsonSerializer.Deserialize<VenueLayout>(json, LayoutJson) : null;
    }

    private static async Task InsertLayoutAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, string venueId, int version,
        VenueLayout layout, CancellationToken cancellationToken) =>
        await DbCommands.ExecuteAsync(connection, transaction,
            "INSERT INTO tf_venue_layouts (venue_id, version, seats, layout) VALUES (@id, @version, @seats, @layout)", cancellationToken,
            ("@id", venueId), ("@version", version), ("@seats", layout.SeatCount), ("@layout", JsonSerializer.Serialize(layout, LayoutJson)));

    private static VenueInfo Read(System.Data.Common.DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4));
}
