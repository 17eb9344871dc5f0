using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace TicketFlow.WebFront.Tests;

public sealed class DemoCatalogTests
{
    [Fact]
    public async Task Embedded_mode_seeds_fifty_three_demo_events_once_and_can_be_turned_off()
    {
        var folder = Directory.CreateTempSubdirectory("tf-demo-").FullName;
        var path = Path.Combine(folder, "ticketflow.db");
        try
        {
            for (var start = 0; start < 2; start++) // the second start must not add anything
            {
                await using var host = new WebFrontHost(("TICKETFLOW_DATA", path), ("Demo:Seed", "true"),
                    ("TICKETFLOW_ADMIN_EMAIL", "demo@ticketflow.test"), ("TICKETFLOW_ADMIN_PASSWORD", "admin-password-1"));
                var client = host.CreateClient();
                var admin = host.CreateClient(cookies: false);
                admin.DefaultRequestHeaders.Authorization = new("Bearer", await host.TokenAsync("demo@ticketflow.test", "admin-password-1"));
                var items = await AllEventsAsync(admin);
                Assert.Equal(53, items.Count);
                Assert.Equal(items.Count(e => e.GetProperty("status").GetString() != "draft"), (await AllEventsAsync(client)).Count); // drafts are the admins' only
                Assert.True(items.Select(e => e.GetProperty("venue").GetProperty("city").GetString()).Distinct().Count() >= 10);
                Assert.Contains(items, e => e.GetProperty("highDemand").GetBoolean() && e.GetProperty("status").GetString() == "on_sale");
                var first = JsonDocument.Parse(await client.GetStringAsync("/api/v1/events/evt_demo_001")).RootElement;
                Assert.InRange(first.GetProperty("tiers").GetArrayLength(), 2, 4);
            }
            await using var off = new WebFrontHost(("Demo:Seed", "false"));
            var none = JsonDocument.Parse(await off.CreateClient().GetStringAsync("/api/v1/events")).RootElement;
            Assert.Empty(none.GetProperty("items").EnumerateArray());
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_theatre_arena_and_stadium_events_sell_reserved_seats_and_each_tiers_capacity_is_its_mapped_seats()
    {
        await using var host = new WebFrontHost(("Demo:Seed", "true"), ("TICKETFLOW_ADMIN_EMAIL", "demo@ticketflow.test"), ("TICKETFLOW_ADMIN_PASSWORD", "admin-password-1"));
        var admin = host.CreateClient(cookies: false);
        admin.DefaultRequestHeaders.Authorization = new("Bearer", await host.TokenAsync("demo@ticketflow.test", "admin-password-1"));
        var seatsOfVenue = new Dictionary<string, int>();
        foreach (var (eventId, minSeats, maxSeats, hasStandingFloor) in new[]
                 { ("evt_demo_051", 1_300, 1_700, false), ("evt_demo_052", 16_000, 20_000, true), ("evt_demo_053", 45_000, 55_000, false) })
        {
            var details = JsonDocument.Parse(await host.CreateClient().GetStringAsync($"/api/v1/events/{eventId}")).RootElement;
            Assert.Equal("on_sale", details.GetProperty("status").GetString());
            var venueId = details.GetProperty("venueId").GetString()!;
            var layout = JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/venues/{venueId}/layouts/{details.GetProperty("layoutVersion").GetInt32()}")).RootElement;
            seatsOfVenue[venueId] = layout.GetProperty("seats").GetInt32();
            Assert.InRange(seatsOfVenue[venueId], minSeats, maxSeats);
            var rowsOf = layout.GetProperty("sections").EnumerateArray().ToDictionary(s => s.GetProperty("id").GetString()!,
                s => s.GetProperty("rows").EnumerateArray().Select(r => (Label: r.GetProperty("label").GetString()!, Seats: r.GetProperty("seats").GetArrayLength())).ToList());
            var mapped = new Dictionary<string, int>();
            foreach (var entry in details.GetProperty("seating").EnumerateArray())
            {
                var rows = rowsOf[entry.GetProperty("sectionId").GetString()!];
                var from = entry.TryGetProperty("fromRow", out var f) && f.ValueKind == JsonValueKind.String ? rows.FindIndex(r => r.Label == f.GetString()) : 0;
                var to = entry.TryGetProperty("toRow", out var t) && t.ValueKind == JsonValueKind.String ? rows.FindIndex(r => r.Label == t.GetString()) : rows.Count - 1;
                var tier = entry.GetProperty("tierId").GetString()!;
                mapped[tier] = mapped.GetValueOrDefault(tier) + rows.Skip(from).Take(to - from + 1).Sum(r => r.Seats);
            }
            var tiers = details.GetProperty("tiers").EnumerateArray().ToList();
            Assert.InRange(tiers.Count(t => t.GetProperty("reserved").GetBoolean()), 2, 4);
            foreach (var tier in tiers.Where(t => t.GetProperty("reserved").GetBoolean()))
                Assert.Equal(mapped[tier.GetProperty("id").GetString()!], tier.GetProperty("capacity").GetInt32());
            Assert.Equal(hasStandingFloor, tiers.Any(t => !t.GetProperty("reserved").GetBoolean()));
        }
        Assert.Equal(3, seatsOfVenue.Count);
    }

    private static async Task<List<JsonElement>> AllEventsAsync(HttpClient client)
    {
        var items = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/events?limit=100{(cursor is null ? "" : $"&cursor={cursor}")}")).RootElement;
            items.AddRange(page.GetProperty("items").EnumerateArray().Select(e => e.Clone()));
            cursor = page.GetProperty("nextCursor").GetString();
        } while (cursor is not null);
        return items;
    }
}
