using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TicketFlow.Grains.Seating;

namespace TicketFlow.WebFront.Tests;

/// <summary>Venues and their layouts over HTTP, and events that sell reserved seats from them.</summary>
public sealed class VenueEndpointTests : IAsyncLifetime
{
    private readonly string city = $"Seatville{Guid.NewGuid():N}"[..20];
    private WebFrontHost host = null!;
    private HttpClient admin = null!;

    public async Task InitializeAsync()
    {
        host = new WebFrontHost(("TICKETFLOW_ADMIN_EMAIL", "venues@ticketflow.test"), ("TICKETFLOW_ADMIN_PASSWORD", "admin-password-1"));
        admin = Client(await host.TokenAsync("venues@ticketflow.test", "admin-password-1"));
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    private HttpClient Client(string? token)
    {
        var client = host.CreateClient(cookies: false);
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Sections "a", "b", "c" (or the ones named), each with <paramref name="rows"/> rows A, B, … of <paramref name="seats"/> seats without ids.</summary>
    private static object[] Sections(int rows = 3, int seats = 4, params string[] ids) =>
        (ids.Length == 0 ? ["a", "b", "c"] : ids).Select(id => (object)new
        {
            id,
            label = $"Section {id}",
            rows = Enumerable.Range(0, rows).Select(r => new
            {
                label = ((char)('A' + r % 26)).ToString() + (r >= 26 ? (r / 26).ToString() : ""),
                seats = Enumerable.Range(1, seats).Select(n => new { number = n.ToString(), x = n * 10.0, y = r * 12.0 }).ToArray(),
            }).ToArray(),
        }).ToArray();

    private object Venue(object[] sections, string name = "Harbour Hall") => new { name, city, address = "1 Quay Road", sections };

    private static async Task<JsonElement> Json(HttpResponseMessage response) => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private async Task<string> CreateVenueAsync(object[]? sections = null)
    {
        using var created = await admin.PostAsJsonAsync("/api/v1/venues", Venue(sections ?? Sections()));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await Json(created)).GetProperty("venueId").GetString()!;
    }

    private async Task<int> VenueCountAsync() => (await Json(await admin.GetAsync("/api/v1/venues"))).GetProperty("items").GetArrayLength();

    private async Task<string[]> EventIdsInCityAsync() =>
        (await Json(await admin.GetAsync($"/api/v1/events?city={city}"))).GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToArray();

    private object Event(string? venueId, object[] tiers, object[]? seating, int? layoutVersion = null) => new
    {
        name = "Seated Evening",
        artist = "The Ushers",
        venue = new { name = "Harbour Hall", city, address = "1 Quay Road" },
        startsAt = "2027-07-10T18:00:00Z",
        onSaleAt = "2027-03-01T09:00:00Z",
        tiers,
        venueId,
        layoutVersion,
        seating,
    };

    private static object ReservedTier(string id, string name = "Stalls") => new { id, name, priceMinor = 5000L, currency = "EUR", perUserLimit = 6, reserved = true };

    private static void AssertValidation(HttpResponseMessage response, JsonElement problem, params string[] fields)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ProblemCodes.Validation, problem.GetProperty("code").GetString());
        var errors = problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).ToList();
        foreach (var field in fields) Assert.Contains(field, errors);
    }

    [Fact]
    public async Task An_admin_creates_a_venue_anyone_reads_it_and_seats_without_ids_get_generated_unique_ones()
    {
        var id = await CreateVenueAsync();

        var venue = await Json(await Client(null).GetAsync($"/api/v1/venues/{id}"));
        Assert.Equal(("Harbour Hall", city, "1 Quay Road", 1),
            (venue.GetProperty("name").GetString(), venue.GetProperty("city").GetString(), venue.GetProperty("address").GetString(), venue.GetProperty("layoutVersion").GetInt32()));
        var layout = await Json(await admin.GetAsync($"/api/v1/venues/{id}/layouts/1"));
        Assert.Equal(36, layout.GetProperty("seats").GetInt32());
        var seatIds = layout.GetProperty("sections").EnumerateArray().SelectMany(s => s.GetProperty("rows").EnumerateArray())
            .SelectMany(r => r.GetProperty("seats").EnumerateArray()).Select(s => s.GetProperty("id").GetString()).ToList();
        Assert.Equal(36, seatIds.Distinct().Count());
        Assert.Contains(id, (await Json(await admin.GetAsync("/api/v1/venues"))).GetProperty("items").EnumerateArray().Select(v => v.GetProperty("id").GetString()));
        using var missing = await Client(null).GetAsync("/api/v1/venues/ven_missing");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(ProblemCodes.VenueNotFound, (await Json(missing)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_new_layout_is_a_new_version_and_an_event_keeps_the_version_it_was_created_with()
    {
        var venueId = await CreateVenueAsync();
        using var created = await admin.PostAsJsonAsync("/api/v1/events", Event(venueId, [ReservedTier("stalls")], [new { sectionId = "a", tierId = "stalls" }]));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var eventId = (await Json(created)).GetProperty("id").GetString()!;

        using var relayout = await admin.PutAsJsonAsync($"/api/v1/venues/{venueId}/layout", new { sections = Sections(rows: 5, seats: 5, "z") });
        Assert.Equal(HttpStatusCode.OK, relayout.StatusCode);
        Assert.Equal(2, (await Json(relayout)).GetProperty("layoutVersion").GetInt32());

        Assert.Equal(2, (await Json(await admin.GetAsync($"/api/v1/venues/{venueId}"))).GetProperty("layoutVersion").GetInt32());
        Assert.Equal(25, (await Json(await admin.GetAsync($"/api/v1/venues/{venueId}/layouts/2"))).GetProperty("seats").GetInt32());
        Assert.Equal(36, (await Json(await admin.GetAsync($"/api/v1/venues/{venueId}/layouts/1"))).GetProperty("seats").GetInt32());
        var stored = await Json(await admin.GetAsync($"/api/v1/events/{eventId}"));
        Assert.Equal((venueId, 1), (stored.GetProperty("venueId").GetString(), stored.GetProperty("layoutVersion").GetInt32()));
        using var noVersion = await admin.GetAsync($"/api/v1/venues/{venueId}/layouts/3");
        Assert.Equal(ProblemCodes.LayoutNotFound, (await Json(noVersion)).GetProperty("code").GetString());
        using var noVenue = await admin.PutAsJsonAsync("/api/v1/venues/ven_missing/layout", new { sections = Sections() });
        Assert.Equal(ProblemCodes.VenueNotFound, (await Json(noVenue)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Duplicate_seat_ids_are_refused_and_nothing_is_stored()
    {
        var before = await VenueCountAsync();
        var sections = new object[]
        {
            new { id = "a", label = "A", rows = new[] { new { label = "1", seats = new[] { new { id = "s1", number = "1" }, new { id = "s1", number = "2" } } } } },
        };

        using var refused = await admin.PostAsJsonAsync("/api/v1/venues", Venue(sections));

        AssertValidation(refused, await Json(refused), "sections[0].rows[0].seats[1].id");
        Assert.Equal(before, await VenueCountAsync());
    }

    [Fact]
    public async Task A_layout_of_100000_seats_is_accepted_and_one_seat_more_is_refused_without_change()
    {
        // 20 sections of 50 rows of 100 seats: 100,000 seats, each with coordinates (~6 MB of JSON).
        var ids = Enumerable.Range(1, 20).Select(i => $"s{i}").ToArray();
        var venueId = await CreateVenueAsync(Sections(rows: 50, seats: 100, ids));
        Assert.Equal(100_000, (await Json(await admin.GetAsync($"/api/v1/venues/{venueId}/layouts/1"))).GetProperty("seats").GetInt32());

        var tooMany = Sections(rows: 50, seats: 100, ids).Append(Sections(rows: 1, seats: 1, "extra")[0]).ToArray();
        var before = await VenueCountAsync();
        using var refused = await admin.PostAsJsonAsync("/api/v1/venues", Venue(tooMany));
        AssertValidation(refused, await Json(refused), "sections");
        using var refusedVersion = await admin.PutAsJsonAsync($"/api/v1/venues/{venueId}/layout", new { sections = tooMany });
        AssertValidation(refusedVersion, await Json(refusedVersion), "sections");

        Assert.Equal(before, await VenueCountAsync());
        Assert.Equal(1, (await Json(await admin.GetAsync($"/api/v1/venues/{venueId}"))).GetProperty("layoutVersion").GetInt32());
    }

    [Fact]
    public async Task Only_admins_create_list_relayout_and_read_layouts_and_a_refusal_changes_nothing()
    {
        var venueId = await CreateVenueAsync();
        var before = await VenueCountAsync();
        var user = Client(await host.TokenAsync($"fan{Guid.NewGuid():N}@example.com", "fan-quartz-lantern-1", register: true));
        foreach (var (who, client, status) in new[] { ("user", user, HttpStatusCode.Forbidden), ("anonymous", Client(null), HttpStatusCode.Unauthorized) })
        {
            using (var create = await client.PostAsJsonAsync("/api/v1/venues", Venue(Sections()))) Assert.True(create.StatusCode == status, $"{who} create: {create.StatusCode}");
            using (var put = await client.PutAsJsonAsync($"/api/v1/venues/{venueId}/layout", new { sections = Sections() })) Assert.True(put.StatusCode == status, $"{who} relayout: {put.StatusCode}");
            using (var list = await client.GetAsync("/api/v1/venues")) Assert.True(list.StatusCode == status, $"{who} list: {list.StatusCode}");
            using (var layout = await client.GetAsync($"/api/v1/venues/{venueId}/layouts/1")) Assert.True(layout.StatusCode == status, $"{who} layout: {layout.StatusCode}");
            using (var read = await client.GetAsync($"/api/v1/venues/{venueId}")) Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }
        Assert.Equal(before, await VenueCountAsync());
        Assert.Equal(1, (await Json(await admin.GetAsync($"/api/v1/venues/{venueId}"))).GetProperty("layoutVersion").GetInt32());
    }

    [Fact]
    public async Task A_reserved_tiers_capacity_is_its_mapped_seats_and_its_id_is_the_one_the_request_gave()
    {
        var venueId = await CreateVenueAsync();
        var tiers = new object[]
        {
            ReservedTier("front", "Front"),
            new { name = "Back", priceMinor = 3000L, currency = "EUR", perUserLimit = 6, reserved = true }, // no id: t2
            new { name = "Standing", priceMinor = 2000L, currency = "EUR", capacity = 300, perUserLimit = 6 },
        };
        var seating = new object[]
        {
            new { sectionId = "a", tierId = "front" }, new { sectionId = "b", tierId = "front", fromRow = "A", toRow = "A" },
            new { sectionId = "b", tierId = "t2", fromRow = "B", toRow = "C" }, new { sectionId = "c", tierId = "t2" },
        };

        using var created = await admin.PostAsJsonAsync("/api/v1/events", Event(venueId, tiers, seating));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await Json(created);
        var id = body.GetProperty("id").GetString()!;
        Assert.Equal([($"{id}-front", 16, true), ($"{id}-t2", 20, true), ($"{id}-t3", 300, false)],
            body.GetProperty("tiers").EnumerateArray().Select(t => (t.GetProperty("id").GetString(), t.GetProperty("capacity").GetInt32(), t.GetProperty("reserved").GetBoolean())));
        var stored = await Json(await admin.GetAsync($"/api/v1/events/{id}"));
        Assert.Equal(1, stored.GetProperty("layoutVersion").GetInt32());
        Assert.Equal([$"{id}-front", $"{id}-front", $"{id}-t2", $"{id}-t2"], stored.GetProperty("seating").EnumerateArray().Select(s => s.GetProperty("tierId").GetString()));

        // While a draft, the seating may change (by full or short tier ids); the capacities follow.
        using var patched = await admin.PatchAsJsonAsync($"/api/v1/events/{id}",
            new { seating = new object[] { new { sectionId = "a", tierId = $"{id}-front" }, new { sectionId = "b", tierId = "t2" } } });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal([12, 12, 300], (await Json(patched)).GetProperty("tiers").EnumerateArray().Select(t => t.GetProperty("capacity").GetInt32()));
    }

    [Fact]
    public async Task Publishing_configures_every_section_that_sells_seats_and_then_the_seat_map_is_fixed()
    {
        var venueId = await CreateVenueAsync();
        using var created = await admin.PostAsJsonAsync("/api/v1/events", Event(venueId, [ReservedTier("stalls")], [new { sectionId = "a", tierId = "stalls" }, new { sectionId = "b", tierId = "stalls", fromRow = "B" }]));
        var id = (await Json(created)).GetProperty("id").GetString()!;

        using (var publish = await admin.PostAsync($"/api/v1/events/{id}/publish", null)) Assert.Equal(HttpStatusCode.OK, publish.StatusCode);

        var grains = host.Factory.Services.GetRequiredService<IGrainFactory>();
        var a = await grains.GetGrain<ISeatSectionGrain>(SectionKey.For(id, "a")).GetStatus();
        var b = await grains.GetGrain<ISeatSectionGrain>(SectionKey.For(id, "b")).GetStatus();
        Assert.Equal((12, 8), (a.Tiers.Single().Available, b.Tiers.Single().Available));
        using var late = await admin.PatchAsJsonAsync($"/api/v1/events/{id}", new { seating = new object[] { new { sectionId = "c", tierId = "stalls" } } });
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Equal(ProblemCodes.InvalidStatus, (await Json(late)).GetProperty("code").GetString());
        var stored = await Json(await admin.GetAsync($"/api/v1/events/{id}"));
        Assert.Equal(20, stored.GetProperty("tiers")[0].GetProperty("capacity").GetInt32());
        Assert.Equal(["a", "b"], stored.GetProperty("seating").EnumerateArray().Select(s => s.GetProperty("sectionId").GetString()));
    }

    [Fact]
    public async Task Seating_that_breaks_the_layouts_rules_is_refused_and_no_event_is_created()
    {
        var venueId = await CreateVenueAsync();
        var cases = new (string Name, object Body, string Field)[]
        {
            ("unknown section", Event(venueId, [ReservedTier("stalls")], [new { sectionId = "nope", tierId = "stalls" }]), "seating[0].sectionId"),
            ("seat at two tiers", Event(venueId, [ReservedTier("stalls"), ReservedTier("circle", "Circle")],
                [new { sectionId = "a", tierId = "stalls" }, new { sectionId = "a", tierId = "circle", fromRow = "B", toRow = "C" }]), "seating[1]"),
            ("reserved tier without sections", Event(venueId, [ReservedTier("stalls"), ReservedTier("circle", "Circle")],
                [new { sectionId = "a", tierId = "stalls" }]), "seating"),
            ("row range out of the section", Event(venueId, [ReservedTier("stalls")], [new { sectionId = "a", tierId = "stalls", fromRow = "C", toRow = "A" }]), "seating[0].fromRow"),
            ("reserved tier without a venue", Event(null, [ReservedTier("stalls")], null), "venueId"),
            ("unknown venue", Event("ven_missing", [ReservedTier("stalls")], [new { sectionId = "a", tierId = "stalls" }]), "venueId"),
            ("unknown layout version", Event(venueId, [ReservedTier("stalls")], [new { sectionId = "a", tierId = "stalls" }], layoutVersion: 2), "layoutVersion"),
        };
        foreach (var (name, body, field) in cases)
        {
            using var refused = await admin.PostAsJsonAsync("/api/v1/events", body);
            var problem = await Json(refused);
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{name}: {(int)refused.StatusCode} {problem}");
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{name}: no error for {field} in {problem}");
        }
        Assert.Empty(await EventIdsInCityAsync());
    }

    [Fact]
    public async Task The_admin_venue_pages_list_venues_and_count_each_versions_sections_rows_and_seats()
    {
        var venueId = await CreateVenueAsync();
        using (await admin.PutAsJsonAsync($"/api/v1/venues/{venueId}/layout", new { sections = Sections(rows: 5, seats: 7, "z") })) { }
        var browser = host.CreateClient(cookies: true);
        using (var login = await browser.PostAsJsonAsync("/api/v1/auth/login", new { email = "venues@ticketflow.test", password = "admin-password-1" }))
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);

        var list = await browser.GetStringAsync("/admin/venues");
        Assert.Contains($"/admin/venues/{venueId}", list);
        Assert.Contains("admin-venues.js", list);
        var first = await browser.GetStringAsync($"/admin/venues/{venueId}?version=1");
        Assert.Contains("Version 1: 3 sections, 36 seats", first);
        var current = await browser.GetStringAsync($"/admin/venues/{venueId}");
        Assert.Contains("Version 2: 1 section, 35 seats", current);
        Assert.Contains("Add layout version 3", current);
        using var missing = await browser.GetAsync("/admin/venues/ven_missing");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task A_draft_whose_new_seating_breaks_the_rules_keeps_its_seating()
    {
        var venueId = await CreateVenueAsync();
        using var created = await admin.PostAsJsonAsync("/api/v1/events", Event(venueId, [ReservedTier("stalls")], [new { sectionId = "a", tierId = "stalls" }]));
        var id = (await Json(created)).GetProperty("id").GetString()!;

        using var refused = await admin.PatchAsJsonAsync($"/api/v1/events/{id}",
            new { seating = new object[] { new { sectionId = "a", tierId = "stalls" }, new { sectionId = "a", tierId = "stalls", fromRow = "A", toRow = "A" } } });

        AssertValidation(refused, await Json(refused), "seating[1]");
        var stored = await Json(await admin.GetAsync($"/api/v1/events/{id}"));
        Assert.Equal(12, stored.GetProperty("tiers")[0].GetProperty("capacity").GetInt32());
        Assert.Single(stored.GetProperty("seating").EnumerateArray());
    }
}
