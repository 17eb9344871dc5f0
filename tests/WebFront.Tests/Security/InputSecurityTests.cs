using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using TicketFlow.WebFront.Tests.Purchases;

namespace TicketFlow.WebFront.Tests.Security;

/// <summary>Input that looks harmless to a validator and is not: invisible characters in names others read, and headers
/// a proxy joins.</summary>
public sealed class InputSecurityTests(InputSecurityTests.Site site) : IClassFixture<InputSecurityTests.Site>
{
    private const string Admin = "input-admin@ticketflow.test";
    private const string AdminPassword = "admin-password-1";

    /// <summary>Every test signs up its own users and makes its own events.</summary>
    public sealed class Site() : SharedWebFront(("TICKETFLOW_ADMIN_EMAIL", Admin), ("TICKETFLOW_ADMIN_PASSWORD", AdminPassword),
        ("RateLimits:Auth:PermitLimit", "100000"), ("RateLimits:Register:PerIpPermitLimit", "100000"));

    private readonly WebFrontHost host = site.Host;
    private readonly PurchaseApi api = new(() => site.Host.CreateClient(cookies: false), Admin, AdminPassword);

    private static readonly string[] Unsafe =
    [
        "Ada\0Lovelace", // NUL
        "Ada\u202Egpj.exe", // right-to-left override
        "Ada\u2066Admin\u2069", // left-to-right isolate
        "A\u200Bdmin", // zero-width space
        "Ada\u0007", // bell
    ];

    public static TheoryData<string> UnsafeNames => new(Unsafe);

    [Theory]
    [MemberData(nameof(UnsafeNames))]
    public async Task Registration_refuses_a_name_with_control_or_format_characters_and_creates_nothing(string name)
    {
        var email = $"names-{Guid.NewGuid():N}@example.com";
        var refused = await api.SendAsync(HttpMethod.Post, "/api/v1/auth/register", null, new { email, password = PurchaseApi.Password, name });

        refused.EnsureStatus(HttpStatusCode.BadRequest);
        Assert.Equal(ProblemCodes.Validation, refused.Code);
        Assert.True(refused.Body.GetProperty("errors").TryGetProperty("name", out _), refused.Body.ToString());
        (await api.SendAsync(HttpMethod.Post, "/api/v1/auth/register", null, new { email, password = PurchaseApi.Password, name = "Ada Lovelace" }))
            .EnsureStatus(HttpStatusCode.Created); // the refused attempt left no account behind
    }

    [Theory]
    [InlineData("Zoë Ødegård-O'Neil")]
    [InlineData("李小龙")]
    [InlineData("Ada 🎫")]
    public async Task Registration_accepts_names_in_any_script_with_punctuation_and_emoji(string name)
    {
        var email = $"names-{Guid.NewGuid():N}@example.com";
        var created = await api.SendAsync(HttpMethod.Post, "/api/v1/auth/register", null, new { email, password = PurchaseApi.Password, name });

        created.EnsureStatus(HttpStatusCode.Created);
    }

    [Theory]
    [InlineData("name")]
    [InlineData("artist")]
    [InlineData("venue.name")]
    [InlineData("venue.city")]
    [InlineData("venue.address")]
    [InlineData("tiers[0].name")]
    public async Task Event_names_with_control_or_format_characters_are_refused_naming_the_field(string field)
    {
        var admin = await api.AdminTokenAsync();
        foreach (var unsafeName in Unsafe)
        {
            var body = NewEvent();
            if (field.StartsWith("venue.")) body["venue"]![field["venue.".Length..]] = unsafeName;
            else if (field == "tiers[0].name") body["tiers"]![0]!["name"] = unsafeName;
            else body[field] = unsafeName;

            var refused = await api.SendAsync(HttpMethod.Post, "/api/v1/events", admin, body);

            refused.EnsureStatus(HttpStatusCode.BadRequest);
            Assert.Equal(ProblemCodes.Validation, refused.Code);
            Assert.Equal([field], refused.Body.GetProperty("errors").EnumerateObject().Select(e => e.Name));
        }
    }

    [Fact]
    public async Task An_event_cannot_be_renamed_to_a_name_with_a_direction_override()
    {
        var admin = await api.AdminTokenAsync();
        var id = (await api.SendAsync(HttpMethod.Post, "/api/v1/events", admin, NewEvent())).EnsureStatus(HttpStatusCode.Created).Get("id");

        var refused = await api.SendAsync(HttpMethod.Patch, $"/api/v1/events/{id}", admin, new { name = "Harbour \u202ELights" });

        refused.EnsureStatus(HttpStatusCode.BadRequest);
        Assert.True(refused.Body.GetProperty("errors").TryGetProperty("name", out _), refused.Body.ToString());
        Assert.Equal("Harbour Lights", (await api.SendAsync(HttpMethod.Get, $"/api/v1/events/{id}", admin)).Get("name"));
    }

    [Theory]
    [InlineData("key-one\nkey-two")] // two header lines
    [InlineData("key-one, key-two")] // the same, joined by a proxy or client
    public async Task Repeated_idempotency_key_headers_are_refused_and_hold_nothing(string headerLines)
    {
        var buyer = await api.SignUpAsync();
        var (eventId, tiers) = await api.OnSaleEventAsync([10]);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/holds")
        {
            Content = JsonContent.Create(new { eventId, items = new[] { new { tierId = tiers[0], quantity = 2 } } }),
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", buyer.Token) },
        };
        Assert.True(request.Headers.TryAddWithoutValidation("Idempotency-Key", headerLines.Split('\n')));

        using var refused = await host.CreateClient(cookies: false).SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(ProblemCodes.Validation, problem.GetProperty("code").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("Idempotency-Key", out _), problem.ToString());
        // Nothing was held or claimed: the first key on its own makes a fresh hold, and only its seats are held.
        var hold = await api.HoldAsync(buyer, eventId, [(tiers[0], 2)], key: "key-one");
        hold.EnsureStatus(HttpStatusCode.Created);
        Assert.False(hold.Headers.Contains("Idempotent-Replayed"));
        await api.CountsBecomeAsync(eventId, tiers[0], (8, 2, 0));
    }

    private static JsonObject NewEvent() => JsonNode.Parse("""
        {
          "name": "Harbour Lights", "artist": "The Lighthouse Keepers",
          "venue": { "name": "Pier Stage", "city": "Portsea", "address": "1 Quay Road" },
          "description": "Open air.", "startsAt": "2027-07-10T18:00:00Z", "onSaleAt": "2027-03-01T09:00:00Z",
          "holdSeconds": 600,
          "tiers": [ { "name": "Standing", "priceMinor": 5900, "currency": "EUR", "capacity": 500, "perUserLimit": 4 } ]
        }
        """)!.AsObject();
}
