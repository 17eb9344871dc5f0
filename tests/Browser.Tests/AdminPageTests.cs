using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace TicketFlow.Browser.Tests;

/// <summary>An admin runs an on-sale from the pages: create and publish an event, see it in search, watch the sales board.</summary>
[Collection(EmbeddedSite.Name)]
public sealed class AdminPageTests(EmbeddedWebFront site, ITestOutputHelper output)
{
    [Fact]
    public async Task An_admin_creates_and_publishes_an_event_that_then_appears_in_search_and_the_board_moves_when_a_buyer_holds()
    {
        var name = $"Admin made {Guid.NewGuid():N}"[..24];
        await using var session = await site.OpenAsync(output);
        await session.SignInAsync(site.AdminEmail, site.AdminPassword);
        var page = await session.NewPageAsync();
        await page.GotoAsync(session.Url("/admin"));
        await BrowserSession.AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Create an event" }).ClickAsync();

        // A missing field is named beside it; then the whole form.
        await page.GetByRole(AriaRole.Button, new() { Name = "Create draft" }).ClickAsync();
        await Expect(page.Locator("#name-error")).ToBeVisibleAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await page.GetByLabel("Artist").FillAsync("Admin Band");
        await page.GetByLabel("Venue name").FillAsync("Admin Arena");
        await page.GetByLabel("City", new() { Exact = true }).FillAsync("Adminton");
        await page.GetByLabel("Address").FillAsync("2 Admin Road");
        await page.GetByLabel("Starts (UTC)").FillAsync(DateTime.UtcNow.AddDays(40).ToString("yyyy-MM-dd'T'HH:mm"));
        await page.GetByLabel("On sale from (UTC)").FillAsync(DateTime.UtcNow.AddMinutes(-5).ToString("yyyy-MM-dd'T'HH:mm"));
        await page.GetByLabel("Tier 1 name").FillAsync("Floor");
        await page.GetByLabel("Tier 1 price").FillAsync("55.00");
        await page.GetByLabel("Tier 1 capacity").FillAsync("40");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add a tier" }).ClickAsync();
        await page.GetByLabel("Tier 2 name").FillAsync("Balcony");
        await page.GetByLabel("Tier 2 price").FillAsync("35.50");
        await page.GetByLabel("Tier 2 capacity").FillAsync("10");
        await BrowserSession.AssertAccessibleAsync(page);
        await BrowserSession.ScreenshotAsync(page, "admin-editor");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create draft" }).ClickAsync();

        // The sales board of the draft: publish it.
        await page.WaitForURLAsync("**/admin/events/evt_*");
        var eventId = page.Url.Split('/')[^1];
        await Expect(page.Locator("#status")).ToHaveTextAsync("draft");
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish" }).ClickAsync();
        await Expect(page.Locator("#status")).ToHaveTextAsync("on sale");

        // It appears in search, for anyone.
        await using var visitor = await site.OpenAsync(output);
        var search = await visitor.NewPageAsync();
        await search.GotoAsync(visitor.Url($"/?q={Uri.EscapeDataString(name)}"));
        await Expect(search.GetByRole(AriaRole.Link, new() { Name = name })).ToBeVisibleAsync();

        // A buyer holds: the board moves.
        var held = page.Locator("#tiers tr").First.Locator("[data-held]");
        await Expect(held).ToHaveTextAsync("0");
        var tierId = await page.Locator("#tiers tr").First.GetAttributeAsync("data-tier-id");
        await site.HoldAsync(await site.RegisterAsync(), eventId, tierId!, 2);
        await Expect(held).ToHaveTextAsync("2");
        await Expect(page.Locator("#tiers tr").First.Locator("[data-available]")).ToHaveTextAsync("38");
        await BrowserSession.AssertAccessibleAsync(page);
        await BrowserSession.ScreenshotAsync(page, "admin-board");
        session.AssertNoCspViolationOrForeignRequest();
    }

    [Fact]
    public async Task Cancelling_asks_first_and_says_it_refunds_everyone_and_the_waiting_room_can_be_paused()
    {
        var (eventId, _) = await site.OnSaleEventAsync($"Cancel me {Guid.NewGuid():N}"[..22], [10], highDemand: true);
        await using var session = await site.OpenAsync(output);
        await session.SignInAsync(site.AdminEmail, site.AdminPassword);
        var page = await session.NewPageAsync();
        await page.GotoAsync(session.Url($"/admin/events/{eventId}"));

        await Expect(page.Locator("#room-state")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("admitting fans|not open yet"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        await Expect(page.Locator("#room-state")).ToHaveTextAsync("paused");
        await page.GetByLabel("Wave size (fans let in per wave)").FillAsync("25");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Expect(page.GetByLabel("Wave size (fans let in per wave)")).ToHaveValueAsync("25");

        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel the event" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync("refunds every paid order");
        await page.GetByRole(AriaRole.Button, new() { Name = "Keep it" }).ClickAsync();
        Assert.Equal("on_sale", await site.EventStatusAsync(eventId));

        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel the event" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel the event and refund everyone" }).ClickAsync();
        await Expect(page.Locator("#status")).ToHaveTextAsync("cancelled");
        Assert.Equal("cancelled", await site.EventStatusAsync(eventId));
    }
}
