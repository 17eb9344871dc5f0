using Microsoft.Data.Sqlite;
using TicketFlow.Data;
using TicketFlow.Domain.Seating;
using TicketFlow.Testing;
using TicketFlow.WebFront.Venues;

namespace TicketFlow.WebFront.Tests;

/// <summary>The venue store on PostgreSQL and on SQLite: venues, their layout versions, and that a stored version never changes.</summary>
public abstract class VenueStoreTests : IAsyncLifetime
{
    private IVenueStore store = null!;

    protected abstract Task<IVenueStore> CreateAsync();

    public async Task InitializeAsync()
    {
        store = await CreateAsync();
        await store.InitializeAsync(CancellationToken.None);
        await store.InitializeAsync(CancellationToken.None); // a second start applies nothing twice
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    private static VenueLayout Layout(string section, int rows, int seats) => new(
    [
        new LayoutSection(section, $"Section {section}", Enumerable.Range(0, rows).Select(r => new LayoutRow($"R{r + 1}",
            Enumerable.Range(0, seats).Select(n => new LayoutSeat($"{section}-{r}-{n}", $"{n + 1}", n * 10.5, r * 12, Accessible: n == 0, RestrictedView: r == rows - 1))
                .ToList())).ToList()),
    ]);

    private static string NewId() => $"ven_{Guid.NewGuid():N}";

    [Fact]
    public async Task A_venue_reads_back_with_its_first_layout_exactly_as_stored()
    {
        var id = NewId();
        var layout = Layout("A", rows: 3, seats: 4);
        await store.CreateAsync(new VenueInfo(id, "Blue Hall", "Lisbon", "1 Rua Azul", 1), layout, CancellationToken.None);

        Assert.Equal(new VenueInfo(id, "Blue Hall", "Lisbon", "1 Rua Azul", 1), await store.GetAsync(id, CancellationToken.None));
        var stored = (await store.GetLayoutAsync(id, 1, CancellationToken.None))!;
        Assert.Equal(12, stored.SeatCount);
        var seats = stored.Sections[0].Rows.SelectMany(r => r.Seats).ToList();
        Assert.Equal(layout.Sections[0].Rows.SelectMany(r => r.Seats), seats);
        Assert.Equal(["R1", "R2", "R3"], stored.Sections[0].Rows.Select(r => r.Label));
        Assert.Null(await store.GetLayoutAsync(id, 2, CancellationToken.None));
        Assert.Null(await store.GetAsync(NewId(), CancellationToken.None));
    }

    [Fact]
    public async Task A_new_layout_is_the_next_version_and_every_earlier_version_stays_as_it_was()
    {
        var id = NewId();
        await store.CreateAsync(new VenueInfo(id, "Hall", "Porto", "2 Rua", 1), Layout("A", 2, 2), CancellationToken.None);

        Assert.Equal(2, await store.AddLayoutVersionAsync(id, Layout("B", 3, 3), CancellationToken.None));
        Assert.Equal(3, await store.AddLayoutVersionAsync(id, Layout("C", 1, 5), CancellationToken.None));

        Assert.Equal(3, (await store.GetAsync(id, CancellationToken.None))!.LayoutVersion);
        Assert.Equal(("A", 4), Shape(await store.GetLayoutAsync(id, 1, CancellationToken.None)));
        Assert.Equal(("B", 9), Shape(await store.GetLayoutAsync(id, 2, CancellationToken.None)));
        Assert.Equal(("C", 5), Shape(await store.GetLayoutAsync(id, 3, CancellationToken.None)));
        Assert.Null(await store.AddLayoutVersionAsync(NewId(), Layout("D", 1, 1), CancellationToken.None));
    }

    [Fact]
    public async Task Layouts_added_at_once_get_distinct_consecutive_versions()
    {
        var id = NewId();
        await store.CreateAsync(new VenueInfo(id, "Hall", "Porto", "2 Rua", 1), Layout("A", 1, 1), CancellationToken.None);

        var versions = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => store.AddLayoutVersionAsync(id, Layout($"S{i}", 1, 1), CancellationToken.None)));

        Assert.Equal(Enumerable.Range(2, 8), versions.Select(v => v!.Value).Order());
        foreach (var version in Enumerable.Range(2, 8))
            Assert.Equal($"S{Array.IndexOf(versions, version)}", (await store.GetLayoutAsync(id, version, CancellationToken.None))!.Sections[0].Id);
    }

    [Fact]
    public async Task The_list_holds_every_venue_with_its_current_version()
    {
        var (first, second) = (NewId(), NewId());
        await store.CreateAsync(new VenueInfo(first, "Alpha Hall", "Riga", "1 Iela", 1), Layout("A", 1, 1), CancellationToken.None);
        await store.CreateAsync(new VenueInfo(second, "Beta Hall", "Riga", "2 Iela", 1), Layout("A", 1, 1), CancellationToken.None);
        await store.AddLayoutVersionAsync(second, Layout("B", 1, 1), CancellationToken.None);

        var listed = (await store.ListAsync(CancellationToken.None)).Where(v => v.Id == first || v.Id == second).ToList();

        Assert.Equal([(first, 1), (second, 2)], listed.Select(v => (v.Id, v.LayoutVersion)));
    }

    private static (string Section, int Seats) Shape(VenueLayout? layout) => (layout!.Sections.Single().Id, layout.SeatCount);
}

public sealed class PostgresVenueStoreTests : VenueStoreTests
{
    protected override async Task<IVenueStore> CreateAsync() => new SqlVenueStore(SqlStoreDatabase.PostgreSql(await TestDatabase.DataSourceAsync()));
}

public sealed class SqliteVenueStoreTests : VenueStoreTests
{
    private readonly string folder = Directory.CreateTempSubdirectory("tf-venues-").FullName;

    protected override Task<IVenueStore> CreateAsync() =>
        Task.FromResult<IVenueStore>(new SqlVenueStore(SqlStoreDatabase.Sqlite(new SqliteDatabase(Path.Combine(folder, "venues.db")))));

    public override Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
        return Task.CompletedTask;
    }
}
