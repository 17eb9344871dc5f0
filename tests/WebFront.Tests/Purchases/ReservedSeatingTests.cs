using System.IO.Compression;
using System.Net;
using System.Text.Json;
using TicketFlow.Domain.Seating;
using TicketFlow.Testing;

namespace TicketFlow.WebFront.Tests.Purchases;

/// <summary>
/// Reserved seats over HTTP against three silos on real PostgreSQL: exact seats and best available, seat refusals that
/// change nothing, the seat map's layout and live status, and a partial refund that frees exactly the refunded seats.
/// </summary>
[Collection(PurchaseClusterFixture.Collection)]
public sealed class ReservedSeatingTests(PurchaseClusterFixture fixture)
{
    private const long Price = 7_000;

    private PurchaseApi Api => fixture.Api;

    [Fact]
    public async Task A_buyer_holds_exact_seats_the_status_shows_them_held_and_another_buyer_hears_seat_taken_with_the_seat()
    {
        var seated = await SeatedEventAsync();
        var ann = await Api.SignUpAsync();
        var bob = await Api.SignUpAsync();

        var held = (await HoldSeatsAsync(ann, seated, ["a.1.2", "a.1.3"])).EnsureStatus(HttpStatusCode.Created);

        var seats = held.Body.GetProperty("items")[0].GetProperty("seats").EnumerateArray()
            .Select(s => (s.GetProperty("id").GetString(), s.GetProperty("section").GetString(), s.GetProperty("row").GetString(), s.GetProperty("number").GetString()));
        Assert.Equal([("a.1.2", "Section a", "A", "2"), ("a.1.3", "Section a", "A", "3")], seats);
        Assert.Equal(2 * Price, held.Body.GetProperty("totalMinor").GetInt64());
        await StatusBecomesAsync(seated, "a", states => states[1] == SeatState.Held && states[2] == SeatState.Held && states.Count(s => s != 0) == 2);
        await Api.CountsBecomeAsync(seated.EventId, seated.Stalls, (10, 2, 0));

        var clash = await HoldSeatsAsync(bob, seated, ["a.1.3", "a.1.4"]);
        Assert.Equal((HttpStatusCode.Conflict, "seat_taken"), (clash.Status, clash.Code));
        Assert.Equal(["a.1.3"], clash.Body.GetProperty("seatIds").EnumerateArray().Select(s => s.GetString()));
        await Api.CountsBecomeAsync(seated.EventId, seated.Stalls, (10, 2, 0)); // a.1.4 was not kept

        var first = (await HoldSeatsAsync(bob, seated, ["a.3.1"], key: "bob-once")).EnsureStatus(HttpStatusCode.Created);
        var replayed = (await HoldSeatsAsync(bob, seated, ["a.3.1"], key: "bob-once")).EnsureStatus(HttpStatusCode.Created);
        Assert.Equal(first.Get("holdId"), replayed.Get("holdId")); // the same key reaches the same hold
        await Api.CountsBecomeAsync(seated.EventId, seated.Stalls, (9, 3, 0));

        // The admin's board reads a reserved tier from its sections (seats held, holds placed).
        var stats = (await Api.SendAsync(HttpMethod.Get, $"/api/v1/admin/events/{seated.EventId}/stats", await Api.AdminTokenAsync())).EnsureStatus(HttpStatusCode.OK);
        var stalls = stats.Body.GetProperty("tiers").EnumerateArray().Single(t => t.GetProperty("tierId").GetString() == seated.Stalls);
        Assert.Equal((12, 9, 3, 2L), (stalls.GetProperty("capacity").GetInt32(), stalls.GetProperty("available").GetInt32(), stalls.GetProperty("held").GetInt32(),
            stalls.GetProperty("holdsPlaced").GetInt64()));
    }

    [Fact]
    public async Task Malformed_and_wrong_seat_requests_are_refused_with_a_clear_code_and_nothing_is_held()
    {
        var seated = await SeatedEventAsync();
        var ann = await Api.SignUpAsync();
        var other = await SeatedEventAsync();

        var cases = new (object[] Items, HttpStatusCode Status, string Code)[]
        {
            ([new { tierId = seated.Stalls, seats = new[] { "no-such-seat" } }], HttpStatusCode.BadRequest, "seat_not_found"),
            ([new { tierId = seated.Stalls, seats = new[] { "a.1.1 " } }], HttpStatusCode.BadRequest, "validation"), // malformed id
            ([new { tierId = seated.Stalls, seats = new[] { "a.1.1", "a.1.1" } }], HttpStatusCode.BadRequest, "validation"), // twice
            ([new { tierId = seated.Stalls, seats = new[] { "a.1.1", "a.1.2", "a.1.3", "a.1.4", "a.2.1", "a.2.2", "a.2.3" } }], HttpStatusCode.BadRequest, "validation"),
            ([new { tierId = seated.Stalls, seats = new[] { "b.1.1" } }], HttpStatusCode.Conflict, "seat_wrong_tier"), // section b sells the balcony
            ([new { tierId = seated.Stalls, seats = Array.Empty<string>() }], HttpStatusCode.BadRequest, "validation"),
            ([new { tierId = seated.Standing, seats = new[] { "a.1.1" } }], HttpStatusCode.BadRequest, "validation"), // general admission
            ([new { tierId = other.Stalls, seats = new[] { "a.1.1" } }], HttpStatusCode.BadRequest, "validation"), // another event's tier
        };
        foreach (var (items, status, code) in cases)
        {
            var refused = await Api.SendAsync(HttpMethod.Post, "/api/v1/holds", ann.Token, new { eventId = seated.EventId, items }, Guid.NewGuid().ToString("N"));
            Assert.True((status, code) == (refused.Status, refused.Code), $"{JsonSerializer.Serialize(items)}: {refused.Status} {refused.Code}");
        }

        var after = await StatusAsync(seated);
        Assert.All(after.Values, states => Assert.DoesNotContain(SeatState.Held, states));
        await Api.CountsBecomeAsync(seated.EventId, seated.Stalls, (12, 0, 0));
    }

    [Fact]
    public async Task Best_available_takes_seats_side_by_side_nearest_the_stage_and_together_that_cannot_be_met_is_refused()
    {
        var seated = await SeatedEventAsync();
        var ann = await Api.SignUpAsync();

        var best = (await Api.SendAsync(HttpMethod.Post, "/api/v1/holds", ann.Token,
            new { eventId = seated.EventId, items = new[] { new { tierId = seated.Stalls, quantity = 3, together = true } } }, Guid.NewGuid().ToString("N")))
            .EnsureStatus(HttpStatusCode.Created);
        var seats = best.Body.GetProperty("items")[0].GetProperty("seats").EnumerateArray().ToList();
        Assert.All(seats, s => Assert.Equal(("Section a", "A"), (s.GetProperty("section").GetString(), s.GetProperty("row").GetString())));
        var numbers = seats.Select(s => int.Parse(s.GetProperty("number").GetString()!)).Order().ToList();
        Assert.Equal(numbers[0] + 2, numbers[2]); // side by side

        var apart = await Api.SendAsync(HttpMethod.Post, "/api/v1/holds", (await Api.SignUpAsync()).Token,
            new { eventId = seated.EventId, items = new[] { new { tierId = seated.Stalls, quantity = 5, together = true } } }, Guid.NewGuid().ToString("N"));
        Assert.Equal((HttpStatusCode.Conflict, "not_together"), (apart.Status, apart.Code));
        await Api.CountsBecomeAsync(seated.EventId, seated.Stalls, (9, 3, 0));
    }

    [Fact]
    public async Task The_layout_is_immutable_at_its_versioned_url_and_the_status_is_two_bits_a_seat_compressed()
    {
        var seated = await SeatedEventAsync();
        var pointer = (await Api.SendAsync(HttpMethod.Get, $"/api/v1/events/{seated.EventId}/seatmap", null)).EnsureStatus(HttpStatusCode.OK);
        var url = pointer.Get("url");
        Assert.Equal($"/api/v1/events/{seated.EventId}/seatmap/1", url);

        using var client = fixture.CreateClient();
        using var layout = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, layout.StatusCode);
        Assert.Contains("immutable", layout.Headers.CacheControl!.ToString());
        var sections = JsonDocument.Parse(await layout.Content.ReadAsStringAsync()).RootElement.GetProperty("sections");
        Assert.Equal(["a", "b"], sections.EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.Equal("a.1.1", sections[0].GetProperty("rows")[0].GetProperty("seats")[0].GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/events/{seated.EventId}/seatmap/2")).StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/events/{seated.EventId}/seatmap/status");
        request.Headers.AcceptEncoding.ParseAdd("br");
        using var compressed = await client.SendAsync(request);
        Assert.Equal("br", Assert.Single(compressed.Content.Headers.ContentEncoding));
        await using var body = new BrotliStream(await compressed.Content.ReadAsStreamAsync(), CompressionMode.Decompress);
        var status = JsonDocument.Parse(body).RootElement;
        Assert.Equal(1, status.GetProperty("layoutVersion").GetInt32());
        Assert.Equal(3, Convert.FromBase64String(status.GetProperty("sections")[0].GetProperty("bits").GetString()!).Length); // 12 seats, 4 a byte
    }

    [Fact]
    public async Task Refunding_two_of_four_seated_tickets_frees_exactly_those_seats_and_returns_that_money()
    {
        var seated = await SeatedEventAsync();
        var ann = await Api.SignUpAsync();
        string[] bought = ["a.2.1", "a.2.2", "a.2.3", "a.2.4"];
        var holdId = (await HoldSeatsAsync(ann, seated, bought)).EnsureStatus(HttpStatusCode.Created).Get("holdId");
        var orderId = (await Api.CheckoutAsync(ann, holdId)).EnsureStatus(HttpStatusCode.Created).Get("id");
        var tickets = (await Api.SendAsync(HttpMethod.Get, "/api/v1/me/tickets", ann.Token)).EnsureStatus(HttpStatusCode.OK).Body.EnumerateArray()
            .ToDictionary(t => t.GetProperty("seat").GetProperty("id").GetString()!, t => t.GetProperty("id").GetString()!);
        Assert.Equal(bought.Order(), tickets.Keys.Order());
        await Api.CountsBecomeAsync(seated.EventId, seated.Stalls, (8, 0, 4));

        var refunded = (await Api.SendAsync(HttpMethod.Post, $"/api/v1/orders/{orderId}/refund", ann.Token,
            new { ticketIds = new[] { tickets["a.2.2"], tickets["a.2.4"] } }, "refund-two")).EnsureStatus(HttpStatusCode.OK);

        Assert.Equal(("paid", 2 * Price), (refunded.Get("state"), refunded.Body.GetProperty("refundedMinor").GetInt64()));
        await StatusBecomesAsync(seated, "a", states => (states[4], states[5], states[6], states[7]) == (SeatState.Sold, SeatState.Free, SeatState.Sold, SeatState.Free));
        await Api.CountsBecomeAsync(seated.EventId, seated.Stalls, (10, 0, 2));
        var again = await HoldSeatsAsync(await Api.SignUpAsync(), seated, ["a.2.2"]);
        Assert.Equal(HttpStatusCode.Created, again.Status); // the refunded seat is on sale again
        var sold = await HoldSeatsAsync(await Api.SignUpAsync(), seated, ["a.2.1"]);
        Assert.Equal((HttpStatusCode.Conflict, "seat_taken"), (sold.Status, sold.Code)); // the kept one is not
    }

    private sealed record Seated(string EventId, string Stalls, string Balcony, string Standing);

    /// <summary>A venue of two sections ("a" stalls, "b" balcony) of 3 rows × 4 seats, and an on-sale event with both and a standing tier.</summary>
    private async Task<Seated> SeatedEventAsync()
    {
        var admin = await Api.AdminTokenAsync();
        var sections = new[] { "a", "b" }.Select(id => new
        {
            id,
            label = $"Section {id}",
            rows = Enumerable.Range(1, 3).Select(r => new
            {
                label = ((char)('A' + r - 1)).ToString(),
                seats = Enumerable.Range(1, 4).Select(n => new { id = $"{id}.{r}.{n}", number = n.ToString() }).ToArray(),
            }).ToArray(),
        }).ToArray();
        var venueId = (await Api.SendAsync(HttpMethod.Post, "/api/v1/venues", admin, new { name = "Seat Hall", city = "Testville", address = "2 Test Street", sections }))
            .EnsureStatus(HttpStatusCode.Created).Get("venueId");
        var created = (await Api.SendAsync(HttpMethod.Post, "/api/v1/events", admin, new
        {
            name = "Seated test " + Guid.NewGuid().ToString("N")[..8],
            artist = "The Testers",
            venue = new { name = "Seat Hall", city = "Testville", address = "2 Test Street" },
            startsAt = DateTimeOffset.UtcNow.AddDays(30),
            onSaleAt = DateTimeOffset.UtcNow.AddDays(-1),
            holdSeconds = 600,
            venueId,
            tiers = new object[]
            {
                new { id = "stalls", name = "Stalls", priceMinor = Price, currency = "USD", perUserLimit = 6, reserved = true },
                new { id = "balcony", name = "Balcony", priceMinor = 3000L, currency = "USD", perUserLimit = 6, reserved = true },
                new { id = "standing", name = "Standing", priceMinor = 2000L, currency = "USD", capacity = 50, perUserLimit = 6 },
            },
            seating = new object[] { new { sectionId = "a", tierId = "stalls" }, new { sectionId = "b", tierId = "balcony" } },
        })).EnsureStatus(HttpStatusCode.Created);
        var id = created.Get("id");
        (await Api.SendAsync(HttpMethod.Post, $"/api/v1/events/{id}/publish", admin)).EnsureStatus(HttpStatusCode.OK);
        return new Seated(id, $"{id}-stalls", $"{id}-balcony", $"{id}-standing");
    }

    private Task<Response> HoldSeatsAsync(Buyer buyer, Seated seated, string[] seats, string? key = null) =>
        Api.SendAsync(HttpMethod.Post, "/api/v1/holds", buyer.Token, new { eventId = seated.EventId, items = new[] { new { tierId = seated.Stalls, seats } } },
            key ?? Guid.NewGuid().ToString("N"));

    /// <summary>Each section's seat states, decoded from the status bitmap.</summary>
    private async Task<Dictionary<string, byte[]>> StatusAsync(Seated seated)
    {
        var status = (await Api.SendAsync(HttpMethod.Get, $"/api/v1/events/{seated.EventId}/seatmap/status", null)).EnsureStatus(HttpStatusCode.OK);
        return status.Body.GetProperty("sections").EnumerateArray().ToDictionary(s => s.GetProperty("sectionId").GetString()!, s =>
        {
            var bits = Convert.FromBase64String(s.GetProperty("bits").GetString()!);
            return Enumerable.Range(0, 12).Select(i => SeatBits.StateAt(bits, i)).ToArray();
        });
    }

    /// <summary>The status is fed by the sections' pushes (≤ ~100 ms behind): poll until the section shows it.</summary>
    private Task StatusBecomesAsync(Seated seated, string sectionId, Func<byte[], bool> condition) =>
        Eventually.Get(() => StatusAsync(seated), status => condition(status[sectionId]), TimeSpan.FromSeconds(10), $"section {sectionId}'s status");
}
