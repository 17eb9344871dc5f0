using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace TicketFlow.Browser.Tests;

/// <summary>Handing a ticket to a friend in chromium: an offer from My tickets, accepted on the friend's Transfers page.</summary>
[Collection(EmbeddedSite.Name)]
public sealed class TransferPageTests(EmbeddedWebFront site, ITestOutputHelper output)
{
    [Fact]
    public async Task A_fan_offers_a_ticket_and_the_friend_accepts_it_on_the_transfers_page_and_finds_it_in_their_tickets()
    {
        var (eventId, tiers) = await site.OnSaleEventAsync($"Gift {Guid.NewGuid():N}"[..20], [10]);
        var (alice, bob) = (await site.RegisterAsync(name: "Alice Sender"), await site.RegisterAsync(name: "Bob Friend"));
        await site.CheckoutAsync(alice, await site.HoldAsync(alice, eventId, tiers[0], 1));

        await using var sender = await site.OpenAsync(output);
        await sender.SignInAsync(alice);
        var tickets = await sender.NewPageAsync();
        await tickets.GotoAsync(sender.Url("/me/tickets"));
        await tickets.GetByLabel("Offer to (their email)").FillAsync(bob.Email);
        await tickets.GetByRole(AriaRole.Button, new() { Name = "Offer ticket" }).ClickAsync();
        await Expect(tickets.Locator("#tickets-status")).ToContainTextAsync($"Offer sent to {bob.Email}: the ticket stays yours until accepted");
        await Expect(tickets.Locator("#tickets img")).ToHaveCountAsync(1); // still the sender's meanwhile
        await tickets.GetByRole(AriaRole.Link, new() { Name = "Transfers" }).ClickAsync();
        await Expect(tickets.Locator("#sent tr[data-transfer-id] .transfer-state")).ToHaveTextAsync("Open");
        sender.AssertNoCspViolationOrForeignRequest();

        await using var friend = await site.OpenAsync(output);
        await friend.SignInAsync(bob);
        var page = await friend.NewPageAsync();
        await page.GotoAsync(friend.Url("/me/transfers"));
        var offer = page.Locator("#received tr[data-transfer-id]");
        await Expect(offer).ToContainTextAsync("Alice Sender");
        await Expect(offer.Locator(".transfer-state")).ToHaveTextAsync("Open");
        await BrowserSession.AssertAccessibleAsync(page);
        await offer.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        await Expect(page.Locator("#transfers-status")).ToContainTextAsync("is yours now");
        await Expect(offer.Locator(".transfer-state")).ToHaveTextAsync("Accepted");

        await page.GetByRole(AriaRole.Link, new() { Name = "My tickets" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/me/tickets$"));
        await Expect(page.Locator("#tickets-status")).ToHaveTextAsync("1 valid ticket.");
        await Expect(page.Locator("#tickets img")).ToHaveCountAsync(1);
        friend.AssertNoCspViolationOrForeignRequest();

        await tickets.GotoAsync(sender.Url("/me/tickets"));
        await Expect(tickets.Locator("#tickets-status")).ToHaveTextAsync("You have no tickets yet.");
    }
}
