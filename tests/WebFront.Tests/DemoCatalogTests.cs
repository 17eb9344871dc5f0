using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace TicketFlow.WebFront.Tests;

public sealed class DemoCatalogTests
{
    [Fact]
    public async Task Embedded_mode_seeds_fifty_demo_events_once_and_can_be_turned_off()
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
                Assert.Equal(50, items.Count);
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
