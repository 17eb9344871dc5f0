using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace TicketFlow.Browser.Tests;

/// <summary>What the browser tests set up through the REST API (as an admin's or a fan's client would), so that each test
/// has events of its own whatever else runs: an on-sale event with its tiers, holds, the waiting room's settings.</summary>
public static class SiteApi
{
    /// <summary>Creates and publishes an event named <paramref name="name"/> (unique per test); returns its id and tier ids.</summary>
    public static async Task<(string EventId, string[] TierIds)> OnSaleEventAsync(this WebFrontSite site, string name, int[] capacities,
        bool highDemand = false, int perUserLimit = 6)
    {
        var admin = await site.AdminTokenAsync();
        var created = await SendAsync(site, HttpMethod.Post, "/api/v1/events", admin, new
        {
            name, artist = "The Browser Tests", description = "Made by a test.",
            venue = new { name = "Test Hall", city = "Testville", address = "1 Test Street" },
            startsAt = DateTimeOffset.UtcNow.AddDays(30), onSaleAt = DateTimeOffset.UtcNow.AddMinutes(-1), highDemand, holdSeconds = 600,
            tiers = capacities.Select((capacity, i) => new { name = $"Tier {i + 1}", priceMinor = 4500 + 1000 * i, currency = "EUR", capacity, perUserLimit }),
        }, HttpStatusCode.Created);
        var eventId = created.GetProperty("id").GetString()!;
        await SendAsync(site, HttpMethod.Post, $"/api/v1/events/{eventId}/publish", admin, null, HttpStatusCode.OK);
        return (eventId, created.GetProperty("tiers").EnumerateArray().Select(t => t.GetProperty("id").GetString()!).ToArray());
    }

    public static async Task<string> HoldAsync(this WebFrontSite site, Account fan, string eventId, string tierId, int quantity) =>
        (await SendAsync(site, HttpMethod.Post, "/api/v1/holds", fan.Token, new { eventId, items = new[] { new { tierId, quantity } } },
            HttpStatusCode.Created, idempotencyKey: Guid.NewGuid().ToString())).GetProperty("holdId").GetString()!;

    /// <summary>Holds exact seats of a reserved tier (seat ids from the seat map); the hold's id.</summary>
    public static async Task<string> HoldSeatsAsync(this WebFrontSite site, Account fan, string eventId, string tierId, params string[] seatIds) =>
        (await SendAsync(site, HttpMethod.Post, "/api/v1/holds", fan.Token, new { eventId, items = new[] { new { tierId, seats = seatIds } } },
            HttpStatusCode.Created, idempotencyKey: Guid.NewGuid().ToString())).GetProperty("holdId").GetString()!;

    /// <summary>Pays for the hold with a card the simulated gateway accepts; the order's id.</summary>
    public static async Task<string> CheckoutAsync(this WebFrontSite site, Account fan, string holdId) =>
        (await SendAsync(site, HttpMethod.Post, "/api/v1/checkout", fan.Token, new { holdId, payment = new { method = "card-sim", simulate = "success" } },
            HttpStatusCode.Created, idempotencyKey: Guid.NewGuid().ToString())).GetProperty("id").GetString()!;

    public static Task ConfigureRoomAsync(this WebFrontSite site, string eventId, object settings) =>
        site.AdminTokenAsync().ContinueWith(async token =>
            await SendAsync(site, HttpMethod.Post, $"/api/v1/admin/events/{eventId}/waiting-room", await token, settings, HttpStatusCode.OK)).Unwrap();

    public static async Task<string> EventStatusAsync(this WebFrontSite site, string eventId) =>
        (await SendAsync(site, HttpMethod.Get, $"/api/v1/events/{eventId}?at={Guid.NewGuid():N}", null, null, HttpStatusCode.OK)).GetProperty("status").GetString()!;

    private static async Task<JsonElement> SendAsync(WebFrontSite site, HttpMethod method, string path, string? token, object? body, HttpStatusCode expected,
        string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var response = await site.Api.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != expected) throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }
}
