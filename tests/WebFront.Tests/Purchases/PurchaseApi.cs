using TicketFlow.Testing;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace TicketFlow.WebFront.Tests.Purchases;

public sealed record Buyer(string Id, string Email, string Token);

public sealed record Response(HttpStatusCode Status, JsonElement Body, HttpResponseHeaders Headers)
{
    public string? Code => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("code", out var code) ? code.GetString() : null;

    public string Get(string property) => Body.GetProperty(property).ToString();
}

/// <summary>The REST API as a buyer and an admin use it, over any test host's HttpClient.</summary>
public sealed class PurchaseApi(Func<HttpClient> client, string adminEmail, string adminPassword)
{
    public const string Password = "buyer-quartz-lantern-1";
    private string? adminToken;

    public async Task<string> AdminTokenAsync() => adminToken ??= await LoginAsync(adminEmail, adminPassword);

    public async Task<Buyer> SignUpAsync(string name = "buyer")
    {
        var email = $"{name}-{Guid.NewGuid():N}@example.com";
        (await SendAsync(HttpMethod.Post, "/api/v1/auth/register", null, new { email, password = Password, name })).EnsureStatus(HttpStatusCode.Created);
        var token = await LoginAsync(email, Password);
        var me = await SendAsync(HttpMethod.Get, "/api/v1/me", token);
        return new Buyer(me.Get("id"), email, token);
    }

    /// <summary>Creates and publishes an event; returns its id and tier ids.</summary>
    public async Task<(string EventId, string[] TierIds)> OnSaleEventAsync(int[] capacities, int perUserLimit = 6, bool highDemand = false, long priceMinor = 5000)
    {
        var admin = await AdminTokenAsync();
        var created = (await SendAsync(HttpMethod.Post, "/api/v1/events", admin, new
        {
            name = "Purchase test " + Guid.NewGuid().ToString("N")[..8],
            artist = "The Testers",
            venue = new { name = "Test Hall", city = "Testville", address = "1 Test Street" },
            description = "",
            startsAt = DateTimeOffset.UtcNow.AddDays(30),
            onSaleAt = DateTimeOffset.UtcNow.AddDays(-1),
            highDemand,
            holdSeconds = 600,
            tiers = capacities.Select((c, i) => new { name = $"Tier {i + 1}", priceMinor, currency = "USD", capacity = c, perUserLimit }).ToArray(),
        })).EnsureStatus(HttpStatusCode.Created);
        var id = created.Get("id");
        (await SendAsync(HttpMethod.Post, $"/api/v1/events/{id}/publish", admin)).EnsureStatus(HttpStatusCode.OK);
        return (id, created.Body.GetProperty("tiers").EnumerateArray().Select(t => t.GetProperty("id").GetString()!).ToArray());
    }

    public Task<Response> HoldAsync(Buyer buyer, string eventId, IEnumerable<(string TierId, int Quantity)> items, string? key = null, string? admissionToken = null) =>
        SendAsync(HttpMethod.Post, "/api/v1/holds", buyer.Token,
            new { eventId, items = items.Select(i => new { tierId = i.TierId, quantity = i.Quantity }).ToArray(), admissionToken },
            key ?? Guid.NewGuid().ToString("N"));

    public Task<Response> CheckoutAsync(Buyer buyer, string holdId, string? simulate = "success", string? key = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "/api/v1/checkout", buyer.Token, new { holdId, payment = new { method = "card-sim", simulate } }, key ?? Guid.NewGuid().ToString("N"),
            cancellationToken);

    public async Task<Response> AvailabilityAsync(string eventId) => await SendAsync(HttpMethod.Get, $"/api/v1/events/{eventId}/availability", null);

    /// <summary>(available, held, sold) of one tier as the availability endpoint reports it.</summary>
    public async Task<(int Available, int Held, int Sold)> CountsAsync(string eventId, string tierId)
    {
        var tier = (await AvailabilityAsync(eventId)).EnsureStatus(HttpStatusCode.OK).Body.GetProperty("tiers").EnumerateArray()
            .Single(t => t.GetProperty("tierId").GetString() == tierId);
        return (tier.GetProperty("available").GetInt32(), tier.GetProperty("held").GetInt32(), tier.GetProperty("sold").GetInt32());
    }

    /// <summary>Availability is a read model fed by the grains' pushes (at most ~100 ms behind): poll until it shows the counts.</summary>
    public Task<(int Available, int Held, int Sold)> CountsBecomeAsync(string eventId, string tierId, (int Available, int Held, int Sold) expected) =>
        Eventually.Get(() => CountsAsync(eventId, tierId), counts => counts == expected, TimeSpan.FromSeconds(10), $"availability of {tierId} becomes {expected}");

    public async Task<Response> SendAsync(HttpMethod method, string path, string? token, object? body = null, string? idempotencyKey = null,
        CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = JsonContent.Create(body);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var http = client();
        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var json = text.Length > 0 && (response.Content.Headers.ContentType?.MediaType?.Contains("json") ?? false)
            ? JsonDocument.Parse(text).RootElement.Clone()
            : default;
        return new Response(response.StatusCode, json, response.Headers);
    }

    private async Task<string> LoginAsync(string email, string password) =>
        (await SendAsync(HttpMethod.Post, "/api/v1/auth/login", null, new { email, password })).EnsureStatus(HttpStatusCode.OK).Get("accessToken");
}

public static class ResponseAssertions
{
    public static Response EnsureStatus(this Response response, HttpStatusCode expected)
    {
        Assert.True(response.Status == expected, $"Expected {(int)expected}, got {(int)response.Status}: {response.Body}");
        return response;
    }
}
