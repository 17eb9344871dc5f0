using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace TicketFlow.Browser.Tests;

/// <summary>The queue page: exact positions that shrink as waves admit, and an admitted fan who reaches the event and buys.</summary>
[Collection(EmbeddedSite.Name)]
public sealed class WaitingRoomPageTests(EmbeddedWebFront site, ITestOutputHelper output)
{
    [Fact]
    public async Task Fans_join_in_order_positions_are_exact_and_shrink_as_waves_admit_and_the_admitted_fan_buys()
    {
        var (eventId, _) = await site.OnSaleEventAsync($"Queue {Guid.NewGuid():N}"[..20], [100], highDemand: true);
        await site.ConfigureRoomAsync(eventId, new { paused = true, waveSize = 1, waveIntervalSeconds = 1, maxActive = 1 });
        var sessions = new List<BrowserSession>();
        var pages = new List<IPage>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var session = await site.OpenAsync(output);
                sessions.Add(session);
                await session.SignInAsync(await site.RegisterAsync());
                var page = await session.NewPageAsync();
                pages.Add(page);
                await page.GotoAsync(session.Url($"/events/{eventId}"));
                await page.GetByRole(AriaRole.Link, new() { Name = "Join the queue" }).ClickAsync();
                await page.GetByRole(AriaRole.Button, new() { Name = "Join the queue" }).ClickAsync();
                await Expect(page.Locator("#position")).ToHaveTextAsync((i + 1).ToString());
            }
            await Expect(pages[2].Locator("#ahead")).ToHaveTextAsync("2 fans ahead of you");
            await BrowserSession.AssertAccessibleAsync(pages[2]);
            await BrowserSession.ScreenshotAsync(pages[2], "queue");

            // A reload keeps the place (the ticket is remembered by the browser).
            await pages[1].ReloadAsync();
            await Expect(pages[1].Locator("#position")).ToHaveTextAsync("2");

            // Open the gate: one fan per wave, at most one shopping at once. The first moves on to the event page.
            await site.ConfigureRoomAsync(eventId, new { paused = false });
            await pages[0].WaitForURLAsync($"**/events/{eventId}", new() { Timeout = 15_000 });
            await Expect(pages[0].Locator("#admission-state")).ToContainTextAsync("You're in");
            await Expect(pages[1].Locator("#position")).ToHaveTextAsync("1");
            await Expect(pages[2].Locator("#position")).ToHaveTextAsync("2");

            // The admitted fan buys.
            await pages[0].GetByLabel("Quantity of Tier 1").SelectOptionAsync("1");
            await pages[0].GetByRole(AriaRole.Button, new() { Name = "Hold tickets" }).ClickAsync();
            await pages[0].WaitForURLAsync("**/holds/**");
            await pages[0].GetByLabel("Card number").FillAsync("4242424242424242");
            await pages[0].GetByLabel("Expiry (MM/YY)").FillAsync("01/40");
            await pages[0].GetByLabel("CVC").FillAsync("999");
            await pages[0].GetByRole(AriaRole.Button, new() { Name = "Pay" }).ClickAsync();
            await pages[0].WaitForURLAsync("**/orders/**");
            await Expect(pages[0].Locator("#order-tickets img")).ToHaveCountAsync(1);

            // Leaving works: the last fan leaves, and the page offers to join again.
            await pages[2].GetByRole(AriaRole.Button, new() { Name = "Leave the queue" }).ClickAsync();
            await Expect(pages[2].Locator("#queue-status")).ToHaveTextAsync("You left the queue.");
            await Expect(pages[2].GetByRole(AriaRole.Button, new() { Name = "Join the queue" })).ToBeVisibleAsync();
            foreach (var session in sessions) session.AssertNoCspViolationOrForeignRequest();
        }
        finally
        {
            foreach (var session in sessions) await session.DisposeAsync();
        }
    }
}
