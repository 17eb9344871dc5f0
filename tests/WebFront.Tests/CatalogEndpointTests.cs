using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace TicketFlow.WebFront.Tests;

public sealed class CatalogEndpointTests : IAsyncLifetime
{
    private readonly string city = $"Cachetown{Guid.NewGuid():N}"[..20];
    private WebFrontHost host = null!;
    private string adminToken = null!;

    public async Task InitializeAsync()
    {
        host = new WebFrontHost(("TICKETFLOW_ADMIN_EMAIL", "events@ticketflow.test"), ("TICKETFLOW_ADMIN_PASSWORD", "admin-password-1"));
        adminToken = await host.TokenAsync("events@ticketflow.test", "admin-password-1", register: false);
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    private object NewEvent(int capacity = 500, string currency = "EUR") => new
    {
        name = "Harbour Lights Festival",
        artist = "The Lighthouse Keepers",
        venue = new { name = "Pier Stage", city, address = "1 Quay Road" },
        description = "Open air.",
        startsAt = "2027-07-10T18:00:00Z",
        onSaleAt = "2027-03-01T09:00:00Z",
        highDemand = true,
        holdSeconds = 600,
        tiers = new[]
        {
            new { name = "Standing", priceMinor = 5900L, currency, capacity, perUserLimit = 4 },
            new { name = "VIP", priceMinor = 14900L, currency = "EUR", capacity = 100, perUserLimit = 2 },
        },
    };

    private async Task<HttpResponseMessage> PostEvent(object body, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events") { Content = JsonContent.Create(body) };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await host.CreateClient(cookies: false).SendAsync(request);
    }

    [Fact]
    public async Task An_admin_creates_an_event_that_anyone_can_find_and_read_with_its_tiers_once_published()
    {
        var anonymous = host.CreateClient(cookies: false);
        // Cached empty result first: publishing the event must evict it.
        Assert.Empty(JsonDocument.Parse(await anonymous.GetStringAsync($"/api/v1/events?city={city}")).RootElement.GetProperty("items").EnumerateArray());

        using var created = await PostEvent(NewEvent(), adminToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        using (var publish = await Send(HttpMethod.Post, $"/api/v1/events/{id}/publish", null, adminToken)) Assert.Equal(HttpStatusCode.OK, publish.StatusCode);
        var sameQuery = JsonDocument.Parse(await anonymous.GetStringAsync($"/api/v1/events?city={city}")).RootElement;
        Assert.Equal(id, Assert.Single(sameQuery.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());

        var found = JsonDocument.Parse(await anonymous.GetStringAsync($"/api/v1/events?city={city}&q=lighthouse")).RootElement;
        var item = Assert.Single(found.GetProperty("items").EnumerateArray());
        Assert.Equal(id, item.GetProperty("id").GetString());
        Assert.Equal("on_sale", item.GetProperty("status").GetString());
        Assert.Equal(5900, item.GetProperty("minPriceMinor").GetInt64());

        var details = JsonDocument.Parse(await anonymous.GetStringAsync($"/api/v1/events/{id}")).RootElement;
        Assert.Equal(["Standing", "VIP"], details.GetProperty("tiers").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.True(details.GetProperty("highDemand").GetBoolean());
    }

    [Fact]
    public async Task Drafts_are_found_and_read_only_by_admins_and_an_admins_answer_is_never_served_to_others()
    {
        using var created = await PostEvent(NewEvent(), adminToken);
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        var list = $"/api/v1/events?city={city}";
        async Task<string[]> Listed(HttpClient client, string path) =>
            JsonDocument.Parse(await client.GetStringAsync(path)).RootElement.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToArray();

        // The admin's browser first (session cookie, no Authorization header: the answers pass the output cache).
        var adminBrowser = host.CreateClient(cookies: true);
        using (var login = await adminBrowser.PostAsJsonAsync("/api/v1/auth/login", new { email = "events@ticketflow.test", password = "admin-password-1" }))
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await adminBrowser.GetAsync($"/api/v1/events/{id}")).StatusCode);
        Assert.Equal([id], await Listed(adminBrowser, list));
        Assert.Equal([id], await Listed(adminBrowser, list + "&status=draft"));

        var admin = host.CreateClient(cookies: false);
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        var user = host.CreateClient(cookies: false);
        user.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            await host.TokenAsync($"fan{Guid.NewGuid():N}@example.com", "fan-quartz-lantern-1", register: true));
        foreach (var (who, client) in new[] { ("anonymous", host.CreateClient(cookies: false)), ("user", user) })
        {
            using var read = await client.GetAsync($"/api/v1/events/{id}");
            Assert.True(read.StatusCode == HttpStatusCode.NotFound, $"{who} read a draft: {(int)read.StatusCode}");
            Assert.Equal(ProblemCodes.EventNotFound, JsonDocument.Parse(await read.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
            Assert.Empty(await Listed(client, list));
            Assert.Empty(await Listed(client, list + "&status=draft"));
        }
        using (var adminRead = await admin.GetAsync($"/api/v1/events/{id}")) Assert.Equal(HttpStatusCode.OK, adminRead.StatusCode);
        Assert.Equal([id], await Listed(admin, list));
        Assert.Equal(HttpStatusCode.OK, (await adminBrowser.GetAsync($"/api/v1/events/{id}")).StatusCode); // the others' 404 was not stored for it
    }

    private async Task<HttpResponseMessage> Send(HttpMethod method, string path, object? body, string? token)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await host.CreateClient(cookies: false).SendAsync(request);
    }

    [Fact]
    public async Task Admins_edit_publish_and_cancel_events_and_capacity_only_grows()
    {
        using var created = await PostEvent(NewEvent(), adminToken);
        var eventJson = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        var id = eventJson.GetProperty("id").GetString()!;
        var standing = eventJson.GetProperty("tiers")[0].GetProperty("id").GetString()!;

        using (var grow = await Send(HttpMethod.Patch, $"/api/v1/events/{id}", new { name = "Harbour Lights 2027", tiers = new[] { new { id = standing, capacity = 800 } } }, adminToken))
        {
            Assert.Equal(HttpStatusCode.OK, grow.StatusCode);
            var grown = JsonDocument.Parse(await grow.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("Harbour Lights 2027", grown.GetProperty("name").GetString());
            Assert.Equal(800, grown.GetProperty("tiers")[0].GetProperty("capacity").GetInt32());
        }
        using (var shrink = await Send(HttpMethod.Patch, $"/api/v1/events/{id}", new { tiers = new[] { new { id = standing, capacity = 799 } } }, adminToken))
        {
            Assert.Equal(HttpStatusCode.Conflict, shrink.StatusCode);
            Assert.Equal(ProblemCodes.CapacityCannotShrink, JsonDocument.Parse(await shrink.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        }
        using (var badHold = await Send(HttpMethod.Patch, $"/api/v1/events/{id}", new { holdSeconds = 5 }, adminToken))
            Assert.Equal(HttpStatusCode.BadRequest, badHold.StatusCode);

        using (var publish = await Send(HttpMethod.Post, $"/api/v1/events/{id}/publish", null, adminToken)) Assert.Equal(HttpStatusCode.OK, publish.StatusCode);
        using (var again = await Send(HttpMethod.Post, $"/api/v1/events/{id}/publish", null, adminToken)) Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        using (var cancel = await Send(HttpMethod.Post, $"/api/v1/events/{id}/cancel", null, adminToken)) Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        using (var closed = await Send(HttpMethod.Patch, $"/api/v1/events/{id}", new { name = "Too late" }, adminToken)) Assert.Equal(HttpStatusCode.Conflict, closed.StatusCode);

        var details = JsonDocument.Parse(await host.CreateClient().GetStringAsync($"/api/v1/events/{id}")).RootElement;
        Assert.Equal("cancelled", details.GetProperty("status").GetString());
        Assert.Equal("Harbour Lights 2027", details.GetProperty("name").GetString());
        Assert.Equal(800, details.GetProperty("tiers")[0].GetProperty("capacity").GetInt32());
    }

    [Fact]
    public async Task Only_admins_create_events()
    {
        using (var anonymous = await PostEvent(NewEvent(), token: null)) Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var user = await host.TokenAsync($"fan{Guid.NewGuid():N}@example.com", "fan-quartz-lantern-1", register: true);
        using (var forbidden = await PostEvent(NewEvent(), user)) Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        foreach (var (method, path) in new[] { (HttpMethod.Patch, "/api/v1/events/evt_x"), (HttpMethod.Post, "/api/v1/events/evt_x/publish"), (HttpMethod.Post, "/api/v1/events/evt_x/cancel") })
        {
            using (var asAnonymous = await Send(method, path, new { name = "x" }, null)) Assert.Equal(HttpStatusCode.Unauthorized, asAnonymous.StatusCode);
            using (var asUser = await Send(method, path, new { name = "x" }, user)) Assert.Equal(HttpStatusCode.Forbidden, asUser.StatusCode);
        }
        Assert.Empty(JsonDocument.Parse(await host.CreateClient().GetStringAsync($"/api/v1/events?city={city}&limit=100")).RootElement.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Invalid_events_and_queries_are_400s_naming_the_fields_and_unknown_ids_404()
    {
        using var invalid = await PostEvent(NewEvent(capacity: -1, currency: "euro"), adminToken);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var errors = JsonDocument.Parse(await invalid.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty("tiers[0].capacity", out _));
        Assert.True(errors.TryGetProperty("tiers[0].currency", out _));

        var client = host.CreateClient(cookies: false);
        foreach (var (query, field) in new[] { ("limit=0", "limit"), ("limit=101", "limit"), ("status=bogus", "status"), ("from=yesterday", "from"), ("cursor=%21%21", "cursor") })
        {
            using var response = await client.GetAsync($"/api/v1/events?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").TryGetProperty(field, out _), query);
        }
        using var missing = await client.GetAsync("/api/v1/events/evt_does_not_exist");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(ProblemCodes.EventNotFound, JsonDocument.Parse(await missing.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
    }
}
