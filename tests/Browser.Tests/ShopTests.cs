using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace TicketFlow.Browser.Tests;

[CollectionDefinition(Name)]
public sealed class EmbeddedSite : ICollectionFixture<EmbeddedWebFront>
{
    public const string Name = "embedded site";
}

/// <summary>A fan in chromium against the embedded WebFront: buying, a declined card, live counts, cached pages, CSRF.</summary>
[Collection(EmbeddedSite.Name)]
public sealed class ShopTests(EmbeddedWebFront site, ITestOutputHelper output)
{
    [Fact]
    public async Task A_buyer_signs_up_searches_holds_two_seats_pays_sees_two_QR_codes_and_refunds_one()
    {
        await using var session = await site.OpenAsync(output);
        await PurchaseJourney.RunAsync(site, session, screenshots: true);
    }

    [Fact]
    public async Task A_declined_card_shows_the_reason_and_the_seats_come_back_on_the_event_page()
    {
        var (eventId, _) = await site.OnSaleEventAsync($"Decline {Guid.NewGuid():N}"[..20], [30]);
        await using var session = await site.OpenAsync(output);
        await session.SignInAsync(await site.RegisterAsync());
        var page = await session.NewPageAsync();
        await page.GotoAsync(session.Url($"/events/{eventId}"));
        var tier = page.Locator("tr[data-tier-id]").First;
        await Expect(tier.Locator("[data-available]")).ToHaveTextAsync("30");

        await page.GetByLabel("Quantity of Tier 1").SelectOptionAsync("3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Hold tickets" }).ClickAsync();
        await page.WaitForURLAsync("**/holds/**");
        await page.GetByLabel("Card number").FillAsync("4000 0000 0000 0002");
        await page.GetByLabel("Expiry (MM/YY)").FillAsync("12/39");
        await page.GetByLabel("CVC").FillAsync("123");
        await page.GetByRole(AriaRole.Button, new() { Name = "Pay" }).ClickAsync();

        await Expect(page.Locator("#hold-state")).ToContainTextAsync("declined");
        await Expect(page.Locator("#hold-state")).ToContainTextAsync("went back on sale");
        await BrowserSession.AssertAccessibleAsync(page);
        await BrowserSession.ScreenshotAsync(page, "declined");
        await page.Locator("#hold-state").GetByRole(AriaRole.Link, new() { Name = "Back to the event" }).ClickAsync();
        await Expect(page.Locator("tr[data-tier-id]").First.Locator("[data-available]")).ToHaveTextAsync("30");
        session.AssertNoCspViolationOrForeignRequest();
    }

    [Fact]
    public async Task A_hold_in_one_browser_changes_the_count_in_another_without_a_reload_and_sold_out_flips_live()
    {
        var (eventId, tiers) = await site.OnSaleEventAsync($"Live {Guid.NewGuid():N}"[..20], [5]);
        await using var watcher = await site.OpenAsync(output);
        await using var buyer = await site.OpenAsync(output);
        await buyer.SignInAsync(await site.RegisterAsync());
        var watching = await watcher.NewPageAsync();
        await watching.GotoAsync(watcher.Url($"/events/{eventId}"));
        var available = watching.Locator($"tr[data-tier-id='{tiers[0]}'] [data-available]");
        await Expect(watching.Locator("#live-state")).ToContainTextAsync("Live");
        await Expect(available).ToHaveTextAsync("5");

        var buying = await buyer.NewPageAsync();
        await buying.GotoAsync(buyer.Url($"/events/{eventId}"));
        await buying.GetByLabel("Quantity of Tier 1").SelectOptionAsync("2");
        await buying.GetByRole(AriaRole.Button, new() { Name = "Hold tickets" }).ClickAsync();
        await buying.WaitForURLAsync("**/holds/**");

        await Expect(available).ToHaveTextAsync("3"); // pushed: the watcher's page was not reloaded
        await Expect(watching.Locator("#announcer")).ToHaveTextAsync("Tier 1: 3 left.");
        await site.HoldAsync(await site.RegisterAsync(), eventId, tiers[0], 3);
        await Expect(available).ToHaveTextAsync("Sold out");
        await Expect(watching.GetByLabel("Quantity of Tier 1")).ToBeDisabledAsync();
        watcher.AssertNoCspViolationOrForeignRequest();
    }

    [Fact]
    public async Task A_fan_buys_with_the_keyboard_alone()
    {
        var (eventId, _) = await site.OnSaleEventAsync($"Keys {Guid.NewGuid():N}"[..20], [10]);
        await using var session = await site.OpenAsync(output);
        await session.SignInAsync(await site.RegisterAsync());
        var page = await session.NewPageAsync();
        await page.GotoAsync(session.Url($"/events/{eventId}"));
        await Expect(page.Locator("#live-state")).ToContainTextAsync("Live");

        await TabToAsync(page, "qty-");
        await page.Keyboard.PressAsync("1"); // a focused select picks the option typed
        await Expect(page.GetByLabel("Quantity of Tier 1")).ToHaveValueAsync("1");
        await Expect(page.Locator("#total")).ToContainTextAsync("45");
        await TabToAsync(page, "hold-button");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/holds/**");

        await TabToAsync(page, "card-number");
        await page.Keyboard.TypeAsync("4242 4242 4242 4242");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("12/39");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("123");
        await page.Keyboard.PressAsync("Enter"); // submits the form
        await page.WaitForURLAsync("**/orders/**");
        await Expect(page.Locator("#order-tickets img")).ToHaveCountAsync(1);
    }

    /// <summary>Presses Tab until the focused element's id starts with <paramref name="idPrefix"/> (at most 40 times).</summary>
    private static async Task TabToAsync(IPage page, string idPrefix)
    {
        for (var i = 0; i < 40; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<string>("document.activeElement?.id ?? ''") is { } id && id.StartsWith(idPrefix, StringComparison.Ordinal)) return;
        }
        Assert.Fail($"Tab never reached #{idPrefix}…");
    }

    /// <summary>
    /// The layout's site.js and the page's module importing it were once two URLs (one with ?v=), so two module instances
    /// each asked for the session at once: on a first page without the antiforgery cookie, two cookies were set and a
    /// hold failed with 403 about one run in two.
    /// </summary>
    [Fact]
    public async Task A_page_asks_for_the_session_once_and_its_first_change_is_accepted()
    {
        var (eventId, _) = await site.OnSaleEventAsync($"Once {Guid.NewGuid():N}"[..20], [10]);
        await using var session = await site.OpenAsync(output);
        await session.SignInAsync(await site.RegisterAsync()); // through the API: no antiforgery cookie yet
        var page = await session.NewPageAsync();
        var asked = 0;
        page.Request += (_, request) => { if (request.Url.EndsWith("/api/v1/auth/session", StringComparison.Ordinal)) Interlocked.Increment(ref asked); };
        await page.GotoAsync(session.Url($"/events/{eventId}"));
        await Expect(page.Locator("#live-state")).ToContainTextAsync("Live");
        await Expect(page.Locator("#account")).ToContainTextAsync("Sign out"); // the layout's part has its answer too
        Assert.Equal(1, Volatile.Read(ref asked));

        await page.GetByLabel("Quantity of Tier 1").SelectOptionAsync("1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Hold tickets" }).ClickAsync();
        await page.WaitForURLAsync("**/holds/**");
    }

    [Fact]
    public async Task The_event_page_is_the_same_bytes_for_a_signed_in_and_an_anonymous_fan()
    {
        await using var anonymous = await site.OpenAsync(output);
        await using var signedIn = await site.OpenAsync(output);
        var fan = await site.RegisterAsync();
        await signedIn.SignInAsync(fan);

        var first = await (await anonymous.NewPageAsync()).GotoAsync(anonymous.Url("/events/evt_demo_002"));
        var second = await (await signedIn.NewPageAsync()).GotoAsync(signedIn.Url("/events/evt_demo_002"));

        Assert.Equal(200, second!.Status);
        Assert.Equal(await first!.BodyAsync(), await second.BodyAsync());
        Assert.DoesNotContain(fan.Email, await second.TextAsync());
        Assert.DoesNotContain("__RequestVerificationToken", await second.TextAsync());
    }

    [Fact]
    public async Task A_cookie_authenticated_post_without_the_antiforgery_token_or_from_another_origin_is_refused()
    {
        var (eventId, _) = await site.OnSaleEventAsync($"Forgery {Guid.NewGuid():N}"[..20], [5]);
        await using var session = await site.OpenAsync(output);
        await session.SignInAsync(site.AdminEmail, site.AdminPassword);
        var page = await session.NewPageAsync();

        // From our own page, but without the token the pages send.
        await page.GotoAsync(session.Url($"/admin/events/{eventId}"));
        var status = await page.EvaluateAsync<int>($"fetch('/api/v1/events/{eventId}/cancel', {{ method: 'POST' }}).then(r => r.status)");
        Assert.Equal(403, status);

        // A form on another site that posts to the cancel endpoint as soon as it loads.
        await page.RouteAsync("http://attacker.test/**", route => route.FulfillAsync(new()
        {
            ContentType = "text/html",
            Body = $"""<form method="post" action="{session.Url($"/api/v1/events/{eventId}/cancel")}"></form><script>document.forms[0].submit()</script>""",
        }));
        var forged = page.WaitForResponseAsync(r => r.Url.Contains("/cancel"));
        await page.GotoAsync("http://attacker.test/");
        Assert.True((await forged).Status is 401 or 403);

        Assert.Equal("on_sale", await site.EventStatusAsync(eventId));
    }

    [Fact]
    public async Task The_home_page_lists_events_on_sale_with_live_badges_and_works_without_JavaScript()
    {
        await using var session = await site.OpenAsync(output);
        var page = await session.NewPageAsync();
        await page.GotoAsync(session.Url("/"));
        await Expect(page.Locator(".event-card").First).ToBeVisibleAsync();
        await BrowserSession.AssertAccessibleAsync(page);
        await BrowserSession.ScreenshotAsync(page, "home");

        // Without JavaScript: the same search, by a plain GET form.
        await using var noScript = await site.OpenAsync(output, javaScript: false);
        var plain = await noScript.NewPageAsync();
        await plain.GotoAsync(noScript.Url("/"));
        await plain.GetByLabel("City").FillAsync("Berlin");
        await plain.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(plain).ToHaveURLAsync(new Regex("city=Berlin"));
        await Expect(plain.Locator(".event-card").First).ToContainTextAsync("Berlin");
        session.AssertNoCspViolationOrForeignRequest();
    }

    [Theory]
    [InlineData("/account/signin", "signin")]
    [InlineData("/account", "account")]
    public async Task The_account_pages_have_no_serious_accessibility_violation(string path, string name)
    {
        await using var session = await site.OpenAsync(output);
        var page = await session.NewPageAsync();
        await page.GotoAsync(session.Url(path));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
        await BrowserSession.AssertAccessibleAsync(page);
        await BrowserSession.ScreenshotAsync(page, name);
        session.AssertNoCspViolationOrForeignRequest();
    }

    [Fact]
    public async Task A_fan_changes_the_password_stays_signed_in_and_then_signs_out_everywhere()
    {
        var fan = await site.RegisterAsync();
        await using var session = await site.OpenAsync(output);
        var page = await session.NewPageAsync();
        await page.GotoAsync(session.Url("/account/signin?returnUrl=/account"));
        await page.GetByLabel("Email").FillAsync(fan.Email);
        await page.GetByLabel("Password").FillAsync(fan.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/account$"));

        await page.GetByRole(AriaRole.Link, new() { Name = "Change password" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Change password");
        await BrowserSession.AssertAccessibleAsync(page);
        await page.GetByLabel("Current password").FillAsync(fan.Password);
        await page.GetByLabel("New password").FillAsync("plum-ferry-lantern-88");
        await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/account\\?changed=password$"));
        await Expect(page.GetByText("Your password was changed")).ToBeVisibleAsync(); // and this session goes on

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out everywhere" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/account/signin"));
        await page.GotoAsync(session.Url("/account"));
        await Expect(page.GetByText("You are not signed in.")).ToBeVisibleAsync();
        session.AssertNoCspViolationOrForeignRequest();
    }

    [Fact]
    public async Task Signing_in_with_a_wrong_password_says_so_and_keeps_the_email()
    {
        var fan = await site.RegisterAsync();
        await using var session = await site.OpenAsync(output);
        var page = await session.NewPageAsync();
        await page.GotoAsync(session.Url("/account/signin?returnUrl=/me/tickets"));
        await page.GetByLabel("Email").FillAsync(fan.Email);
        await page.GetByLabel("Password").FillAsync("not-the-password-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("wrong");
        await Expect(page.GetByLabel("Email")).ToHaveValueAsync(fan.Email);

        await page.GetByLabel("Password").FillAsync(fan.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/me/tickets$"));
        await Expect(page.Locator("#tickets-status")).ToHaveTextAsync("You have no tickets yet.");

        await page.GotoAsync(session.Url("/account")); // the account page's form posts its antiforgery field
        await page.Locator("#main").GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true }).ClickAsync();
        await page.GotoAsync(session.Url("/account"));
        await Expect(page.GetByText("You are not signed in.")).ToBeVisibleAsync();
    }
}
