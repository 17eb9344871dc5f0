using Microsoft.Data.Sqlite;
using TicketFlow.Data;
using TicketFlow.Testing;
using TicketFlow.WebFront.Catalog;

namespace TicketFlow.WebFront.Tests;

/// <summary>Catalog search returns exactly the expected events, in order, on PostgreSQL and on SQLite.</summary>
public abstract class CatalogStoreTests : IAsyncLifetime
{
    // A city no other test or run uses, so a shared database never leaks rows into these results.
    private readonly string city = $"Testville {Guid.NewGuid():N}";
    private ICatalogStore store = null!;
    private readonly Dictionary<string, string> ids = [];

    protected abstract Task<ICatalogStore> CreateAsync();

    public async Task InitializeAsync()
    {
        store = await CreateAsync();
        await store.InitializeAsync(CancellationToken.None);
        await Add("summer", "Summer Jazz Night", "Miles Quintet", "Blue Hall", city, "2027-06-01T19:00:00Z", EventStatus.OnSale);
        await Add("rock", "Rock Arena Live", "The Stones Tribute", "Arena One", city, "2027-06-15T20:00:00Z", EventStatus.OnSale);
        await Add("brunch", "Jazz Brunch", "Miles Quintet", "Blue Hall", city, "2027-07-01T11:00:00Z", EventStatus.Draft);
        await Add("opera", "Opera Gala", "City Opera", "Opera House", city, "2027-08-01T19:30:00Z", EventStatus.Cancelled);
        await Add("winter", "Winter Jazz", "Ella Band", "Arena One", city, "2027-12-01T19:00:00Z", EventStatus.OnSale);
        await Add("elsewhere", "Jazz Elsewhere", "Miles Quintet", "Blue Hall", $"Othertown {Guid.NewGuid():N}", "2027-06-02T19:00:00Z", EventStatus.OnSale);
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    private async Task Add(string name, string title, string artist, string venue, string inCity, string startsAt, string status)
    {
        var id = $"evt_{Guid.NewGuid():N}";
        ids[name] = id;
        var starts = DateTimeOffset.Parse(startsAt);
        await store.CreateAsync(new EventDetails(id, title, artist, new Venue(venue, inCity, "1 Main St"), "", starts, starts.AddDays(-30), status, false, 600,
        [
            new Tier($"{id}-floor", "Floor", 8900, "EUR", 500, 4),
            new Tier($"{id}-seat", "Seated", 6500, "EUR", 1000, 6),
        ]), CancellationToken.None);
    }

    private async Task<string[]> Search(EventQuery query) =>
        (await store.SearchAsync(query, CancellationToken.None)).Items.Select(e => ids.Single(p => p.Value == e.Id).Key).ToArray();

    [Fact]
    public async Task Free_text_matches_name_artist_and_venue_by_word_prefix_all_words_required()
    {
        Assert.Equal(["summer", "brunch", "winter"], await Search(new EventQuery(Text: "jazz", City: city)));
        Assert.Equal(["summer", "brunch", "winter"], await Search(new EventQuery(Text: "JAZ", City: city)));
        Assert.Equal(["summer", "brunch"], await Search(new EventQuery(Text: "miles jazz", City: city)));
        Assert.Equal(["rock", "winter"], await Search(new EventQuery(Text: "arena", City: city)));
        Assert.Empty(await Search(new EventQuery(Text: "jazz\" OR * -- ;", City: city, Status: EventStatus.Cancelled)));
    }

    [Fact]
    public async Task Filters_by_city_venue_artist_dates_and_status_combine()
    {
        Assert.Equal(["rock", "brunch", "opera"], await Search(new EventQuery(City: city, From: DateTimeOffset.Parse("2027-06-10T00:00:00Z"), To: DateTimeOffset.Parse("2027-08-31T00:00:00Z"))));
        Assert.Equal(["summer", "rock", "winter"], await Search(new EventQuery(City: city.ToUpperInvariant(), Status: EventStatus.OnSale)));
        Assert.Equal(["summer", "brunch"], await Search(new EventQuery(City: city, Venue: "blue hall")));
        Assert.Equal(["summer", "brunch"], await Search(new EventQuery(City: city, Artist: "MILES QUINTET")));
    }

    [Fact]
    public async Task Pages_follow_each_other_by_cursor_without_gaps_or_repeats()
    {
        var first = await store.SearchAsync(new EventQuery(City: city, Limit: 2), CancellationToken.None);
        var second = await store.SearchAsync(new EventQuery(City: city, Limit: 2, After: EventCursor.TryDecode(first.NextCursor)), CancellationToken.None);
        var third = await store.SearchAsync(new EventQuery(City: city, Limit: 2, After: EventCursor.TryDecode(second.NextCursor)), CancellationToken.None);
        Assert.Equal(new[] { ids["summer"], ids["rock"] }, first.Items.Select(e => e.Id));
        Assert.Equal(new[] { ids["brunch"], ids["opera"] }, second.Items.Select(e => e.Id));
        Assert.Equal(new[] { ids["winter"] }, third.Items.Select(e => e.Id));
        Assert.Null(third.NextCursor);
    }

    [Fact]
    public async Task An_event_reads_back_with_its_tiers_in_order_and_summaries_carry_the_lowest_price()
    {
        var summer = await store.GetAsync(ids["summer"], CancellationToken.None);
        Assert.Equal("Summer Jazz Night", summer!.Name);
        Assert.Equal(["Floor", "Seated"], summer.Tiers.Select(t => t.Name));
        Assert.Equal(DateTimeOffset.Parse("2027-06-01T19:00:00Z"), summer.StartsAt);
        Assert.Null(await store.GetAsync("evt_missing", CancellationToken.None));
        var summary = (await store.SearchAsync(new EventQuery(City: city, Limit: 1), CancellationToken.None)).Items.Single();
        Assert.Equal(6500, summary.MinPriceMinor);
        Assert.Equal("EUR", summary.Currency);
    }

    [Fact]
    public async Task An_update_based_on_a_stale_status_or_shrinking_a_capacity_writes_nothing()
    {
        var current = (await store.GetAsync(ids["summer"], CancellationToken.None))!;
        var published = current with { Status = EventStatus.OnSale };
        Assert.True(await store.UpdateAsync(published, EventStatus.OnSale, CancellationToken.None));
        // Read while it was a draft, written after it went on sale: refused.
        Assert.False(await store.UpdateAsync(current with { Status = EventStatus.Cancelled, Name = "Stale" }, EventStatus.Draft, CancellationToken.None));
        var shrunk = published with { Name = "Shrunk", Tiers = [published.Tiers[0] with { Capacity = 10 }, published.Tiers[1]] };
        Assert.False(await store.UpdateAsync(shrunk, EventStatus.OnSale, CancellationToken.None));

        var stored = (await store.GetAsync(ids["summer"], CancellationToken.None))!;
        Assert.Equal((EventStatus.OnSale, "Summer Jazz Night", 500), (stored.Status, stored.Name, stored.Tiers[0].Capacity));
    }
}

public sealed class PostgresCatalogStoreTests : CatalogStoreTests
{
    protected override async Task<ICatalogStore> CreateAsync() => new SqlCatalogStore(SqlStoreDatabase.PostgreSql(await TestDatabase.DataSourceAsync()));
}

public sealed class SqliteCatalogStoreTests : CatalogStoreTests
{
    private readonly string folder = Directory.CreateTempSubdirectory("tf-catalog-").FullName;

    protected override Task<ICatalogStore> CreateAsync() =>
        Task.FromResult<ICatalogStore>(new SqlCatalogStore(SqlStoreDatabase.Sqlite(new SqliteDatabase(Path.Combine(folder, "catalog.db")))));

    public override Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
        return Task.CompletedTask;
    }
}
