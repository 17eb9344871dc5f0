using System.Data.Common;
using System.Text.Json;
using TicketFlow.Data;
using TicketFlow.Domain.Seating;

namespace TicketFlow.WebFront.Catalog;

/// <summary>
/// The catalog in SQL, one implementation for both engines. They differ only in full-text search:
/// PostgreSQL matches a GIN-indexed <c>to_tsvector</c>, SQLite an FTS5 table kept beside <c>tf_events</c>.
/// </summary>
public sealed class SqlCatalogStore(SqlStoreDatabase database) : ICatalogStore
{
    private const string Tables = """
        CREATE TABLE tf_events (
            id            TEXT    PRIMARY KEY,
            name          TEXT    NOT NULL,
            artist        TEXT    NOT NULL,
            description   TEXT    NOT NULL,
            venue_name    TEXT    NOT NULL,
            venue_city    TEXT    NOT NULL,
            venue_address TEXT    NOT NULL,
            starts_at_ms  BIGINT  NOT NULL,
            on_sale_at_ms BIGINT  NOT NULL,
            status        TEXT    NOT NULL,
            high_demand   BOOLEAN NOT NULL,
            hold_seconds  INTEGER NOT NULL CHECK (hold_seconds BETWEEN 60 AND 1800),
            search_text   TEXT    NOT NULL);
        CREATE INDEX tf_events_start ON tf_events (starts_at_ms, id);
        CREATE INDEX tf_events_city ON tf_events (lower(venue_city), starts_at_ms);
        CREATE TABLE tf_tiers (
            id             TEXT    PRIMARY KEY,
            event_id       TEXT    NOT NULL REFERENCES tf_events (id),
            position       INTEGER NOT NULL,
            name           TEXT    NOT NULL,
            price_minor    BIGINT  NOT NULL CHECK (price_minor >= 0),
            currency       TEXT    NOT NULL,
            capacity       INTEGER NOT NULL CHECK (capacity >= 0),
            per_user_limit INTEGER NOT NULL CHECK (per_user_limit >= 1));
        CREATE INDEX tf_tiers_event ON tf_tiers (event_id, position);
        """;

    private const string SummaryColumns = """
        e.id, e.name, e.artist, e.venue_name, e.venue_city, e.venue_address, e.starts_at_ms, e.on_sale_at_ms, e.status, e.high_demand,
        (SELECT min(t.price_minor) FROM tf_tiers t WHERE t.event_id = e.id),
        (SELECT t.currency FROM tf_tiers t WHERE t.event_id = e.id ORDER BY t.position LIMIT 1),
        (SELECT max(t.price_minor) FROM tf_tiers t WHERE t.event_id = e.id)
        """;

    private readonly bool postgres = database.IsPostgreSql;

    // Version 2: an event's seat map (venue, layout version, seating as JSON) and reserved tiers; events from before are general admission.
    private const string SeatMapColumns = """
        ALTER TABLE tf_events ADD COLUMN venue_id TEXT NULL;
        ALTER TABLE tf_events ADD COLUMN layout_version INTEGER NULL;
        ALTER TABLE tf_events ADD COLUMN seating TEXT NULL;
        ALTER TABLE tf_tiers ADD COLUMN reserved BOOLEAN NOT NULL DEFAULT FALSE;
        """;

    private static readonly Migration[] PostgresMigrations =
    [
        new(1, Tables + "CREATE INDEX tf_events_search ON tf_events USING GIN (to_tsvector('simple', search_text));"),
        new(2, SeatMapColumns),
    ];

    private static readonly Migration[] SqliteMigrations =
    [
        new(1, Tables + "CREATE VIRTUAL TABLE tf_events_fts USING fts5(event_id UNINDEXED, search_text);"),
        new(2, SeatMapColumns.Replace("DEFAULT FALSE", "DEFAULT 0")),
    ];

    public Task InitializeAsync(CancellationToken cancellationToken) =>
        database.MigrateAsync("catalog", postgres ? PostgresMigrations : SqliteMigrations, cancellationToken);

    public async Task CreateAsync(EventDetails e, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var searchText = string.Join(' ', e.Name, e.Artist, e.Venue.Name, e.Venue.City);
        await DbCommands.ExecuteAsync(connection, transaction, """
            INSERT INTO tf_events (id, name, artist, description, venue_name, venue_city, venue_address, starts_at_ms, on_sale_at_ms, status, high_demand, hold_seconds, search_text,
                                   venue_id, layout_version, seating)
            VALUES (@id, @name, @artist, @description, @venue, @city, @address, @starts, @onsale, @status, @high, @hold, @search, @venue_id, @layout_version, @seating)
            """, cancellationToken, ("@venue_id", e.VenueId), ("@layout_version", e.LayoutVersion), ("@seating", SeatingJson(e)), ("@id", e.Id), ("@name", e.Name), ("@artist", e.Artist), ("@description", e.Description), ("@venue", e.Venue.Name),
            ("@city", e.Venue.City), ("@address", e.Venue.Address), ("@starts", e.StartsAt.ToUnixTimeMilliseconds()),
            ("@onsale", e.OnSaleAt.ToUnixTimeMilliseconds()), ("@status", e.Status), ("@high", e.HighDemand), ("@hold", e.HoldSeconds), ("@search", searchText));
        if (!postgres)
            await DbCommands.ExecuteAsync(connection, transaction, "INSERT INTO tf_events_fts (event_id, search_text) VALUES (@id, @search)", cancellationToken,
                ("@id", e.Id), ("@search", searchText));
        for (var i = 0; i < e.Tiers.Count; i++)
        {
            var t = e.Tiers[i];
            await DbCommands.ExecuteAsync(connection, transaction, """
                INSERT INTO tf_tiers (id, event_id, position, name, price_minor, currency, capacity, per_user_limit, reserved)
                VALUES (@id, @event, @position, @name, @price, @currency, @capacity, @limit, @reserved)
                """, cancellationToken, ("@reserved", t.Reserved), ("@id", t.Id), ("@event", e.Id), ("@position", i), ("@name", t.Name), ("@price", t.PriceMinor),
                ("@currency", t.Currency), ("@capacity", t.Capacity), ("@limit", t.PerUserLimit));
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<bool> UpdateAsync(EventDetails e, string expectedStatus, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var searchText = string.Join(' ', e.Name, e.Artist, e.Venue.Name, e.Venue.City);
        var updated = await DbCommands.ExecuteAsync(connection, transaction, """
            UPDATE tf_events SET name = @name, artist = @artist, description = @description, venue_name = @venue, venue_city = @city,
                venue_address = @address, starts_at_ms = @starts, on_sale_at_ms = @onsale, status = @status, high_demand = @high,
                hold_seconds = @hold, search_text = @search, venue_id = @venue_id, layout_version = @layout_version, seating = @seating
            WHERE id = @id AND status = @expected
            """, cancellationToken, ("@venue_id", e.VenueId), ("@layout_version", e.LayoutVersion), ("@seating", SeatingJson(e)), ("@id", e.Id), ("@expected", expectedStatus), ("@name", e.Name), ("@artist", e.Artist), ("@description", e.Description), ("@venue", e.Venue.Name),
            ("@city", e.Venue.City), ("@address", e.Venue.Address), ("@starts", e.StartsAt.ToUnixTimeMilliseconds()),
            ("@onsale", e.OnSaleAt.ToUnixTimeMilliseconds()), ("@status", e.Status), ("@high", e.HighDemand), ("@hold", e.HoldSeconds), ("@search", searchText));
        if (updated == 0) return false; // someone changed the status since it was read: nothing is written
        if (!postgres)
            await DbCommands.ExecuteAsync(connection, transaction, "UPDATE tf_events_fts SET search_text = @search WHERE event_id = @id", cancellationToken,
                ("@id", e.Id), ("@search", searchText));
        foreach (var t in e.Tiers)
        {
            // Capacity only grows, also when two admins race: a smaller value than the stored one writes nothing. A reserved tier's
            // capacity is its seats (computed from a draft's seating, which may change), so it may be anything.
            var grown = await DbCommands.ExecuteAsync(connection, transaction, """
                UPDATE tf_tiers SET name = @name, price_minor = @price, capacity = @capacity, per_user_limit = @limit, reserved = @reserved
                WHERE id = @id AND event_id = @event AND (capacity <= @capacity OR @reserved)
                """, cancellationToken, ("@reserved", t.Reserved), ("@id", t.Id), ("@event", e.Id), ("@name", t.Name), ("@price", t.PriceMinor), ("@capacity", t.Capacity), ("@limit", t.PerUserLimit));
            if (grown == 0) return false;
        }
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<EventDetails?> GetAsync(string eventId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = DbCommands.Create(connection, null, """
            SELECT e.id, e.name, e.artist, e.venue_name, e.venue_city, e.venue_address, e.starts_at_ms, e.on_sale_at_ms, e.status, e.high_demand,
                   e.description, e.hold_seconds, e.venue_id, e.layout_version, e.seating
            FROM tf_events e WHERE e.id = @id
            """, ("@id", eventId));
        EventDetails details;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken)) return null;
            details = new EventDetails(reader.GetString(0), reader.GetString(1), reader.GetString(2),
                new Venue(reader.GetString(3), reader.GetString(4), reader.GetString(5)), reader.GetString(10),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
                reader.GetString(8), reader.GetBoolean(9), reader.GetInt32(11), [],
                reader.IsDBNull(12) ? null : reader.GetString(12), reader.IsDBNull(13) ? null : reader.GetInt32(13),
                reader.IsDBNull(14) ? null : JsonSerializer.Deserialize<List<SectionTier>>(reader.GetString(14), JsonSerializerOptions.Web));
        }
        await using var tiers = DbCommands.Create(connection, null,
            "SELECT id, name, price_minor, currency, capacity, per_user_limit, reserved FROM tf_tiers WHERE event_id = @id ORDER BY position", ("@id", eventId));
        var list = new List<Tier>();
        await using var tierReader = await tiers.ExecuteReaderAsync(cancellationToken);
        while (await tierReader.ReadAsync(cancellationToken))
            list.Add(new Tier(tierReader.GetString(0), tierReader.GetString(1), tierReader.GetInt64(2), tierReader.GetString(3), tierReader.GetInt32(4), tierReader.GetInt32(5),
                tierReader.GetBoolean(6)));
        return details with { Tiers = list };
    }

    private static string? SeatingJson(EventDetails e) => e.Seating is { Count: > 0 } seating ? JsonSerializer.Serialize(seating, JsonSerializerOptions.Web) : null;

    public async Task<EventPage> SearchAsync(EventQuery query, CancellationToken cancellationToken)
    {
        var where = new List<string>();
        var parameters = new List<(string, object?)>();
        void Filter(string sql, string name, object value)
        {
            where.Add(sql);
            parameters.Add((name, value));
        }
        var terms = SearchTerms.Of(query.Text);
        if (terms.Count > 0)
            Filter(postgres
                    ? "to_tsvector('simple', e.search_text) @@ to_tsquery('simple', @text)"
                    : "e.id IN (SELECT event_id FROM tf_events_fts WHERE tf_events_fts MATCH @text)",
                "@text", postgres ? string.Join(" & ", terms.Select(t => t + ":*")) : string.Join(' ', terms.Select(t => $"\"{t}\"*")));
        if (!string.IsNullOrWhiteSpace(query.City)) Filter("lower(e.venue_city) = lower(@city)", "@city", query.City.Trim());
        if (!string.IsNullOrWhiteSpace(query.Venue)) Filter("lower(e.venue_name) = lower(@venue)", "@venue", query.Venue.Trim());
        if (!string.IsNullOrWhiteSpace(query.Artist)) Filter("lower(e.artist) = lower(@artist)", "@artist", query.Artist.Trim());
        if (query.From is { } from) Filter("e.starts_at_ms >= @from", "@from", from.ToUnixTimeMilliseconds());
        if (query.To is { } to) Filter("e.starts_at_ms <= @to", "@to", to.ToUnixTimeMilliseconds());
        if (!string.IsNullOrEmpty(query.Status)) Filter("e.status = @status", "@status", query.Status);
        if (query.AnyStatus is { Count: > 0 } statuses)
        {
            where.Add($"e.status IN ({string.Join(", ", statuses.Select((_, i) => "@any_status" + i))})");
            parameters.AddRange(statuses.Select((status, i) => ("@any_status" + i, (object?)status)));
        }
        if (query.After is { } after)
        {
            where.Add("(e.starts_at_ms > @after_start OR (e.starts_at_ms = @after_start AND e.id > @after_id))");
            parameters.Add(("@after_start", after.StartsAtMs));
            parameters.Add(("@after_id", after.Id));
        }
        parameters.Add(("@limit", query.Limit + 1));
        var sql = $"SELECT {SummaryColumns} FROM tf_events e {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")} ORDER BY e.starts_at_ms, e.id LIMIT @limit";

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = DbCommands.Create(connection, null, sql, [.. parameters]);
        var rows = new List<EventSummary>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new EventSummary(reader.GetString(0), reader.GetString(1), reader.GetString(2),
                new Venue(reader.GetString(3), reader.GetString(4), reader.GetString(5)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
                reader.GetString(8), reader.GetBoolean(9), reader.IsDBNull(10) ? 0 : reader.GetInt64(10), reader.IsDBNull(11) ? "" : reader.GetString(11),
                reader.IsDBNull(12) ? 0 : reader.GetInt64(12)));
        if (rows.Count <= query.Limit) return new EventPage(rows, null);
        rows.RemoveAt(rows.Count - 1);
        var last = rows[^1];
        return new EventPage(rows, new EventCursor(last.StartsAt.ToUnixTimeMilliseconds(), last.Id).Encode());
    }
}
