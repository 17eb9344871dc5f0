using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace TicketFlow.Browser.Tests;

/// <summary>A buyer's whole journey in the browser, the same against the embedded WebFront and through the cluster:
/// sign up → search → event → hold 2 seats → pay → confirmation → My tickets shows 2 QR codes → refund one of them. Every page it passes is
/// checked with axe and, when <c>screenshots</c> is set, photographed at desktop and 375 px.</summary>
public static class PurchaseJourney
{
    public static async Task RunAsync(WebFrontSite site, BrowserSession session, bool screenshots)
    {
        var name = $"Journey {Guid.NewGuid():N}"[..20];
        await site.OnSaleEventAsync(name, [50, 20]);
        var page = await session.NewPageAsync();

        // Sign up on the page (field errors first: a short password).
        await page.GotoAsync(session.Url("/account/signup"));
        await page.GetByLabel("Your name").FillAsync("Journey Fan");
        await page.GetByLabel("Email").FillAsync($"journey-{Guid.NewGuid():N}@ticketflow.test");
        await page.GetByLabel("Password").FillAsync("short");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(page.Locator("#password-error")).ToContainTextAsync("10");
        await Check(page, screenshots, "signup");
        await page.GetByLabel("Password").FillAsync("a-long-quartz-lantern-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(page.Locator("#account")).ToContainTextAsync("Journey Fan");

        // Search, then open the event.
        await page.GetByLabel("Search events, artists, venues").FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page.Locator(".event-card")).ToHaveCountAsync(1);
        await Check(page, screenshots, "browse");
        await page.GetByRole(AriaRole.Link, new() { Name = name }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = name, Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("#live-state")).ToContainTextAsync("Live");

        // Hold two seats of the first tier.
        await page.GetByLabel("Quantity of Tier 1").SelectOptionAsync("2");
        await Expect(page.Locator("#total")).ToContainTextAsync("90");
        await Check(page, screenshots, "event");
        await page.GetByRole(AriaRole.Button, new() { Name = "Hold tickets" }).ClickAsync();
        await page.WaitForURLAsync("**/holds/**");
        await Expect(page.Locator("#countdown")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^(10:00|9:\d\d)$"));
        await Check(page, screenshots, "hold");

        // Pay with the approving test card.
        await page.GetByLabel("Card number").FillAsync("4242 4242 4242 4242");
        await page.GetByLabel("Expiry (MM/YY)").FillAsync("12/39");
        await page.GetByLabel("CVC").FillAsync("123");
        await page.GetByRole(AriaRole.Button, new() { Name = "Pay" }).ClickAsync();
        await page.WaitForURLAsync("**/orders/**");
        await Expect(page.Locator("#order-summary")).ToContainTextAsync("Paid");
        await Expect(page.Locator("#order-tickets img")).ToHaveCountAsync(2);
        await Check(page, screenshots, "order");

        // My tickets: two QR codes that loaded.
        await page.GotoAsync(session.Url("/me/tickets"));
        await Expect(page.Locator("#tickets img")).ToHaveCountAsync(2);
        await Expect(page.Locator("#tickets-status")).ToHaveTextAsync("2 valid tickets.");
        var loaded = await page.Locator("#tickets img").EvaluateAllAsync<int>("images => images.filter(i => i.complete && i.naturalWidth > 0).length");
        Assert.Equal(2, loaded);
        await Check(page, screenshots, "tickets");

        // Refund one of the two: only that ticket goes void, and the order says what came back.
        await page.Locator("#tickets li").First.GetByRole(AriaRole.Button, new() { Name = "Refund this ticket" }).ClickAsync();
        await Expect(page.Locator("#refund-text")).ToContainTextAsync("goes back to your card");
        await page.Locator("#refund-confirm").ClickAsync();
        await Expect(page.Locator("#tickets-status")).ToHaveTextAsync("1 valid ticket.");
        await Expect(page.Locator("#tickets")).ToContainTextAsync("Void: refunded");
        await Expect(page.Locator("#orders")).ToContainTextAsync("refunded");
        await Check(page, screenshots, "tickets-refunded");
        session.AssertNoCspViolationOrForeignRequest();
    }

    private static async Task Check(IPage page, bool screenshots, string name)
    {
        await BrowserSession.AssertAccessibleAsync(page);
        if (screenshots) await BrowserSession.ScreenshotAsync(page, name);
    }
}
