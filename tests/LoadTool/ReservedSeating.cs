using System.Text.Json;
using TicketFlow.Domain.Seating;

namespace TicketFlow.LoadTool;

/// <summary>
/// The seat map of an on-sale with <c>--reserved</c>: a venue the tool creates (sections of rows of 20 seats, each tier its own
/// sections), known to the tool seat by seat, so a buyer can turn the status bitmap it last loaded into seat ids to click.
/// </summary>
public sealed class ReservedSeating
{
    private const int SeatsPerRow = 20;
    private const int RowsPerSection = 25; // 500 seats a section

    public sealed record Section(string Id, string TierId, IReadOnlyList<IReadOnlyList<string>> Rows);

    public IReadOnlyList<Section> Sections { get; private init; } = [];

    /// <summary>Creates the venue and a published high-demand event selling it in <paramref name="capacities"/>.Count reserved tiers.</summary>
    public static async Task<(string EventId, IReadOnlyList<Setup.Tier> Tiers, ReservedSeating Seating)> CreateEventAsync(Api api, string adminToken, string name,
        int holdSeconds, IReadOnlyList<int> capacities, int perUserLimit)
    {
        var sections = new List<(string Id, int Tier, List<List<string>> Rows)>();
        for (var tier = 0; tier < capacities.Count; tier++)
        {
            var left = capacities[tier];
            for (var s = 0; left > 0; s++)
            {
                var id = $"t{tier + 1}s{s + 1}";
                var rows = new List<List<string>>();
                for (var r = 0; r < RowsPerSection && left > 0; r++)
                {
                    var count = Math.Min(SeatsPerRow, left);
                    rows.Add([.. Enumerable.Range(1, count).Select(n => $"{id}-{r + 1}-{n}")]);
                    left -= count;
                }
                sections.Add((id, tier, rows));
            }
        }
        var venue = await Setup.RetryAsync(() => api.SendAsync("admin: POST /venues", HttpMethod.Post, "/api/v1/venues", new
        {
            name = $"{name} hall", city = "Localhost", address = "127.0.0.1",
            sections = sections.Select(s => new
            {
                id = s.Id, label = $"Section {s.Id}",
                rows = s.Rows.Select((row, r) => new { label = $"{r + 1}", seats = row.Select((seat, n) => new { id = seat, number = $"{n + 1}" }) }),
            }),
        }, adminToken));
        var body = new
        {
            name, artist = "TicketFlow load tool", description = "Created by tests/LoadTool (--reserved).",
            startsAt = DateTimeOffset.UtcNow.AddDays(30), onSaleAt = DateTimeOffset.UtcNow.AddSeconds(-1), highDemand = true, holdSeconds,
            venueId = venue.Text("venueId"), layoutVersion = venue.Body.GetProperty("layoutVersion").GetInt32(),
            tiers = capacities.Select((_, i) => new { id = $"r{i + 1}", name = $"Reserved {i + 1}", priceMinor = 4000 + 2500 * i, currency = "USD", perUserLimit, reserved = true }).ToArray(),
            seating = sections.Select(s => new { sectionId = s.Id, tierId = $"r{s.Tier + 1}" }).ToArray(),
        };
        var created = await Setup.RetryAsync(() => api.SendAsync("admin: POST /events", HttpMethod.Post, "/api/v1/events", body, adminToken));
        var eventId = created.Text("id")!;
        await Setup.RetryAsync(() => api.SendAsync("admin: POST /events/{id}/publish", HttpMethod.Post, $"/api/v1/events/{eventId}/publish", token: adminToken));
        var tiers = created.Body.GetProperty("tiers").EnumerateArray()
            .Select(t => new Setup.Tier(t.GetProperty("id").GetString()!, t.GetProperty("capacity").GetInt32())).ToList();
        var seating = new ReservedSeating
        {
            Sections = sections.Select(s => new Section(s.Id, tiers[s.Tier].Id, s.Rows.Select(r => (IReadOnlyList<string>)r).ToList())).ToList(),
        };
        return (eventId, tiers, seating);
    }

    /// <summary>Up to <paramref name="quantity"/> seats of the tier that were free in <paramref name="status"/> (a <c>GET /seatmap/status</c>
    /// body): side by side in one row when a row has them, else wherever they are free; a random section and row, as fans click.</summary>
    public IReadOnlyList<string> PickFree(JsonElement status, string tierId, int quantity, Random random)
    {
        var bits = status.GetProperty("sections").EnumerateArray().ToDictionary(s => s.GetProperty("sectionId").GetString()!,
            s => Convert.FromBase64String(s.GetProperty("bits").GetString()!), StringComparer.Ordinal);
        var free = new List<List<string>>(); // runs of adjacent free seats
        foreach (var section in Sections.Where(s => s.TierId == tierId && bits.ContainsKey(s.Id)))
        {
            var packed = bits[section.Id];
            var index = 0;
            foreach (var row in section.Rows)
            {
                List<string>? run = null;
                foreach (var seat in row)
                {
                    var isFree = index >> 2 < packed.Length && SeatBits.StateAt(packed, index) == SeatState.Free;
                    index++;
                    if (isFree) (run ??= []).Add(seat);
                    else if (run is not null) { free.Add(run); run = null; }
                }
                if (run is not null) free.Add(run);
            }
        }
        if (free.Count == 0) return [];
        var together = free.Where(r => r.Count >= quantity).ToList();
        if (together.Count > 0)
        {
            var run = together[random.Next(together.Count)];
            var start = random.Next(run.Count - quantity + 1);
            return run.GetRange(start, quantity);
        }
        return free.OrderBy(_ => random.Next()).SelectMany(r => r).Take(quantity).ToList();
    }
}
