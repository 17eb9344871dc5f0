using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace TicketFlow.WebFront.Tests.Security;

/// <summary>
/// The session cookie rides along with any request the browser sends, also a form another site posts here. A change the
/// cookie authenticates is accepted only with a valid antiforgery token and never from another origin; the forged
/// cross-site cancel that worked before is refused and changes nothing.
/// </summary>
public sealed class CrossSiteRequestTests : IAsyncLifetime
{
    private const string Admin = "csrf-admin@ticketflow.test";
    private readonly WebFrontHost host = new(("TICKETFLOW_ADMIN_EMAIL", Admin), ("TICKETFLOW_ADMIN_PASSWORD", "admin-password-1"), ("Demo:Seed", "true"));
    private HttpClient admin = null!;

    public async Task InitializeAsync()
    {
        admin = host.CreateClient(cookies: true);
        (await admin.PostAsJsonAsync("/api/v1/auth/login", new { email = Admin, password = "admin-password-1" })).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task A_cross_site_form_post_with_the_admins_cookie_cannot_cancel_an_event()
    {
        using var forged = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events/evt_demo_002/cancel")
        {
            Content = new FormUrlEncodedContent([]),
            Headers = { { "Origin", "https://evil.example" }, { "Sec-Fetch-Site", "cross-site" } },
        };
        using var refused = await admin.SendAsync(forged);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("cross_site_request", await CodeAsync(refused));
        Assert.Equal("on_sale", await StatusAsync("evt_demo_002"));
    }

    [Fact]
    public async Task Without_an_origin_a_cookie_authenticated_change_needs_the_antiforgery_token()
    {
        using (var bare = await admin.PostAsync("/api/v1/events/evt_demo_003/cancel", null))
        {
            Assert.Equal(HttpStatusCode.Forbidden, bare.StatusCode);
            Assert.Equal("cross_site_request", await CodeAsync(bare));
        }
        using (var wrong = await admin.SendAsync(Post("/api/v1/events/evt_demo_003/cancel", ("X-CSRF-TOKEN", "not-a-token"))))
            Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal("on_sale", await StatusAsync("evt_demo_003"));

        using (var accepted = await admin.SendAsync(Post("/api/v1/events/evt_demo_003/cancel", ("X-CSRF-TOKEN", await TokenAsync(admin)))))
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("cancelled", await StatusAsync("evt_demo_003"));
    }

    [Fact]
    public async Task A_token_does_not_excuse_another_origin_and_our_own_origin_does_not_excuse_a_missing_token()
    {
        var token = await TokenAsync(admin);
        using (var elsewhere = await admin.SendAsync(Post("/api/v1/events/evt_demo_004/cancel", ("X-CSRF-TOKEN", token), ("Origin", "https://evil.example"))))
            Assert.Equal(HttpStatusCode.Forbidden, elsewhere.StatusCode);
        using (var noToken = await admin.SendAsync(Post("/api/v1/events/evt_demo_004/cancel", ("Origin", "http://localhost"), ("Sec-Fetch-Site", "same-origin"))))
            Assert.Equal(HttpStatusCode.Forbidden, noToken.StatusCode);
        Assert.Equal("on_sale", await StatusAsync("evt_demo_004"));

        using (var ours = await admin.SendAsync(Post("/api/v1/events/evt_demo_004/cancel", ("X-CSRF-TOKEN", token), ("Origin", "http://localhost"))))
            Assert.Equal(HttpStatusCode.OK, ours.StatusCode);
        Assert.Equal("cancelled", await StatusAsync("evt_demo_004"));
    }

    [Fact]
    public async Task A_form_our_own_page_posts_says_origin_null_and_same_origin_and_is_accepted_with_its_token()
    {
        // Under Referrer-Policy: no-referrer a browser's form navigation sends Origin: null; Sec-Fetch-Site says where it came from.
        var token = await TokenAsync(admin);
        using (var opaque = await admin.SendAsync(Post("/api/v1/events/evt_demo_006/cancel", ("X-CSRF-TOKEN", token), ("Origin", "null"))))
            Assert.Equal(HttpStatusCode.Forbidden, opaque.StatusCode); // no Sec-Fetch-Site: an opaque origin is not ours
        using (var crossSite = await admin.SendAsync(Post("/api/v1/events/evt_demo_006/cancel", ("X-CSRF-TOKEN", token), ("Origin", "null"), ("Sec-Fetch-Site", "cross-site"))))
            Assert.Equal(HttpStatusCode.Forbidden, crossSite.StatusCode);
        Assert.Equal("on_sale", await StatusAsync("evt_demo_006"));

        using (var ours = await admin.SendAsync(Post("/api/v1/events/evt_demo_006/cancel", ("X-CSRF-TOKEN", token), ("Origin", "null"), ("Sec-Fetch-Site", "same-origin"))))
            Assert.Equal(HttpStatusCode.OK, ours.StatusCode);
        Assert.Equal("cancelled", await StatusAsync("evt_demo_006"));
    }

    [Fact]
    public async Task A_bearer_token_carries_no_ambient_credential_and_is_not_asked_for_one()
    {
        var bearer = await host.TokenAsync(Admin, "admin-password-1");
        using var request = Post("/api/v1/events/evt_demo_005/publish");
        request.Headers.Authorization = new("Bearer", bearer);
        using var response = await host.CreateClient(cookies: false).SendAsync(request);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode); // judged on its merits: the event is already on sale
    }

    [Fact]
    public async Task A_page_form_posted_without_its_antiforgery_field_is_refused()
    {
        using var signOut = await admin.PostAsync("/account/signout", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.Forbidden, signOut.StatusCode); // no token: the middleware refuses before Razor Pages would
        using var me = await admin.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode); // still signed in
    }

    private static HttpRequestMessage Post(string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        foreach (var (name, value) in headers) request.Headers.Add(name, value);
        return request;
    }

    private static async Task<string> TokenAsync(HttpClient client) =>
        JsonDocument.Parse(await client.GetStringAsync("/api/v1/auth/session")).RootElement.GetProperty("antiforgeryToken").GetString()!;

    private async Task<string?> StatusAsync(string eventId) =>
        JsonDocument.Parse(await host.CreateClient(cookies: false).GetStringAsync($"/api/v1/events/{eventId}?fresh={Guid.NewGuid()}")).RootElement.GetProperty("status").GetString();

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString();

    public Task DisposeAsync() => host.DisposeAsync().AsTask();
}
